//! One Rust source file, parsed with syn, and the text edits planned for it: replacements at
//! syn's spans (proc-macro2's span-locations give byte offsets), applied to the original text,
//! so comments and formatting stay as they were.

use std::ops::Range;
use std::path::PathBuf;

use proc_macro2::Span;

pub struct Source {
    pub path: PathBuf,
    /// The path relative to the crate directory, as messages name it.
    pub rel: String,
    pub text: String,
    pub file: syn::File,
    /// Where the text syn parsed starts (after a byte-order mark or a shebang line).
    base: usize,
    edits: Vec<(Range<usize>, String)>,
}

impl Source {
    /// Reads and parses the file; the error names the file, line and column, as rustc would.
    pub fn read(path: PathBuf, rel: String) -> Result<Source, String> {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{rel}: cannot read ({e})"))?;
        Source::parse(path, rel, text)
    }

    pub fn parse(path: PathBuf, rel: String, text: String) -> Result<Source, String> {
        // What syn::parse_file strips before parsing, kept here so offsets stay the file's own.
        let mut base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let rest = &text[base..];
        if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
            base += rest.find('\n').unwrap_or(rest.len());
        }
        let file = syn::parse_str::<syn::File>(&text[base..]).map_err(|e| {
            let at = e.span().start();
            format!(
                "{rel}:{}:{}: does not parse as Rust: {e}; fix it (cargo build reports the same), then convert again",
                at.line,
                at.column + 1
            )
        })?;
        Ok(Source {
            path,
            rel,
            text,
            file,
            base,
            edits: Vec::new(),
        })
    }

    /// The file's tokens (macro bodies included), with spans that [`Source::range`] reads.
    pub fn tokens(&self) -> proc_macro2::TokenStream {
        // It parsed as a file, so it lexes.
        self.text[self.base..].parse().unwrap_or_default()
    }

    /// The byte range of `span` in the text.
    pub fn range(&self, span: Span) -> Range<usize> {
        let range = span.byte_range();
        range.start + self.base..range.end + self.base
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.text[..offset].matches('\n').count() + 1
    }

    /// The start of the line holding `offset`.
    pub fn line_start(&self, offset: usize) -> usize {
        self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Just past the newline ending the line holding `offset` (or the end of the text).
    pub fn line_end(&self, offset: usize) -> usize {
        self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i + 1)
    }

    /// The whitespace the line holding `offset` starts with.
    pub fn indent(&self, offset: usize) -> &str {
        let start = self.line_start(offset);
        let line = &self.text[start..];
        &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
    }

    /// Whether `range` is alone on its line(s) (only whitespace before and after it).
    pub fn alone_on_line(&self, range: &Range<usize>) -> bool {
        self.text[self.line_start(range.start)..range.start]
            .trim()
            .is_empty()
            && self.text[range.end..self.line_end(range.end)]
                .trim()
                .is_empty()
    }

    /// The first line of the text in `range`, trimmed (how a message quotes a statement).
    pub fn quote(&self, range: &Range<usize>) -> String {
        let text = self.text[range.clone()].trim();
        match text.split_once('\n') {
            Some((first, _)) => format!("{} ...", first.trim_end()),
            None => text.to_owned(),
        }
    }

    pub fn replace(&mut self, range: Range<usize>, with: impl Into<String>) {
        self.edits.push((range, with.into()));
    }

    pub fn insert(&mut self, at: usize, text: impl Into<String>) {
        self.edits.push((at..at, text.into()));
    }

    /// Deletes `range`, with its whole line(s) when nothing else is on them.
    pub fn delete_statement(&mut self, range: Range<usize>) {
        let range = if self.alone_on_line(&range) {
            self.line_start(range.start)..self.line_end(range.end)
        } else {
            range
        };
        self.replace(range, "");
    }

    pub fn is_edited(&self) -> bool {
        !self.edits.is_empty()
    }

    /// The text with every edit applied. Deletions that overlap (two elements of one `use`
    /// group) are merged; insertions at one place keep their order.
    pub fn edited(&self) -> String {
        let mut edits = self.edits.clone();
        edits.sort_by_key(|(range, _)| (range.start, range.end));
        let mut out = String::with_capacity(self.text.len());
        let mut at = 0;
        for (range, with) in edits {
            if range.end <= at && !range.is_empty() {
                continue; // inside a deletion already applied
            }
            let start = range.start.max(at);
            out.push_str(&self.text[at..start]);
            out.push_str(&with);
            at = range.end.max(at);
        }
        out.push_str(&self.text[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source::parse("x.rs".into(), "src/x.rs".into(), text.into()).unwrap()
    }

    #[test]
    fn spans_are_byte_offsets_of_the_files_own_text() {
        let text = "\u{feff}// é à\nfn main() {}\n";
        let s = source(text);
        let syn::Item::Fn(f) = &s.file.items[0] else {
            panic!()
        };
        let range = s.range(f.sig.ident.span());
        assert_eq!(&text[range.clone()], "main");
        assert_eq!(s.line(range.start), 2);
    }

    #[test]
    fn overlapping_deletions_merge_and_insertions_keep_order() {
        let mut s = source("use a::{b, c, d};\n");
        s.replace(11..14, "");
        s.replace(9..15, "");
        s.insert(18, "x");
        s.insert(18, "y");
        assert_eq!(s.edited(), "use a::{b};\nxy");
    }

    #[test]
    fn a_parse_error_names_file_line_and_column() {
        let e = Source::parse(
            "x.rs".into(),
            "src/x.rs".into(),
            "fn f() {\n  let = ;\n}\n".into(),
        )
        .err()
        .unwrap();
        assert!(
            e.starts_with("src/x.rs:2:7: does not parse as Rust: "),
            "{e}"
        );
    }
}
