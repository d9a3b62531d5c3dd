//! Reads `[tool.uv] cache-keys` (and the few other pyproject.toml strings the run time needs)
//! without a TOML crate (the extension links none): a small reader of TOML's structure (tables,
//! dotted and quoted keys, the four kinds of strings, arrays, inline tables) that keeps only the
//! strings at the keys asked for. The CLI's tests check it against `toml_edit`, and a fuzz target
//! runs it on any text.

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// The file globs `[tool.uv] cache-keys` lists: its strings and the `file` of its
/// `{ file = "..." }` tables, however the TOML spells the table and the keys.
pub fn listed(text: &str) -> Vec<String> {
    strings_where(text, is_glob)
}

/// The strings at the dotted key `key` (`["tool", "maturin", "python-source"]`; `"[]"` stands
/// for each element of an array), however the TOML spells the tables and keys.
pub fn strings_at(text: &str, key: &[&str]) -> Vec<String> {
    strings_where(text, |path| {
        path.len() == key.len() && path.iter().zip(key).all(|(a, b)| a == b)
    })
}

/// The string values whose key path `wanted` accepts.
fn strings_where(text: &str, wanted: impl Fn(&[String]) -> bool) -> Vec<String> {
    let wanted: &dyn Fn(&[String]) -> bool = &wanted;
    let mut chars = text.chars().peekable();
    let (mut table, mut found): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    loop {
        skip_blank(&mut chars, true);
        match chars.peek() {
            None => return found,
            Some('[') => {
                chars.next();
                let array_of_tables = chars.next_if_eq(&'[').is_some();
                table = key(&mut chars);
                if array_of_tables {
                    table.push("[[]]".into()); // never `[tool.uv]` itself
                }
                skip_line(&mut chars);
            }
            Some(_) => {
                let mut path = table.clone();
                path.extend(key(&mut chars));
                skip_blank(&mut chars, false);
                if chars.next_if_eq(&'=').is_some() {
                    value(&mut chars, &path, wanted, &mut found);
                } else {
                    skip_line(&mut chars); // not TOML: go on at the next line
                }
            }
        }
    }
}

/// Whether a string at `path` is one of the globs: an element of the array, or an element's
/// `file`.
fn is_glob(path: &[String]) -> bool {
    matches!(path, [tool, uv, keys, element, rest @ ..]
        if tool == "tool" && uv == "uv" && keys == "cache-keys" && element == "[]" && (rest.is_empty() || rest == ["file"]))
}

/// Reads one value (after its `=`), collecting it when `wanted` accepts its key path.
fn value(
    chars: &mut Chars,
    path: &[String],
    wanted: &dyn Fn(&[String]) -> bool,
    found: &mut Vec<String>,
) {
    skip_blank(chars, false);
    match chars.peek().copied() {
        Some(quote @ ('"' | '\'')) => {
            chars.next();
            let string = string(chars, quote);
            if wanted(path) {
                found.push(string);
            }
        }
        Some('[') => {
            chars.next();
            let element = [path, &["[]".to_owned()]].concat();
            loop {
                skip_blank(chars, true);
                match chars.peek() {
                    None => return,
                    Some(']') => {
                        chars.next();
                        return;
                    }
                    Some(',') => {
                        chars.next();
                    }
                    Some(_) => value(chars, &element, wanted, found),
                }
            }
        }
        Some('{') => {
            chars.next();
            loop {
                skip_blank(chars, true);
                match chars.peek() {
                    None => return,
                    Some('}') => {
                        chars.next();
                        return;
                    }
                    Some(',') => {
                        chars.next();
                    }
                    Some(_) => {
                        let sub = [path, &key(chars)].concat();
                        skip_blank(chars, false);
                        if chars.next_if_eq(&'=').is_none() {
                            return;
                        }
                        value(chars, &sub, wanted, found);
                    }
                }
            }
        }
        // A number, boolean or date (or a stray character): at least one character, so every
        // caller's loop moves on.
        _ => {
            chars.next();
            while chars
                .next_if(|&c| !matches!(c, ',' | ']' | '}' | '\n' | '#'))
                .is_some()
            {}
        }
    }
}

/// A dotted key: bare or quoted parts joined by dots.
fn key(chars: &mut Chars) -> Vec<String> {
    let mut parts = Vec::new();
    loop {
        skip_blank(chars, false);
        let part = match chars.peek().copied() {
            Some(quote @ ('"' | '\'')) => {
                chars.next();
                string(chars, quote)
            }
            _ => std::iter::from_fn(|| {
                chars.next_if(|&c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            })
            .collect(),
        };
        parts.push(part);
        skip_blank(chars, false);
        if chars.next_if_eq(&'.').is_none() {
            return parts;
        }
    }
}

/// A string whose opening quote was read: basic (`"`, with escapes) or literal (`'`), single-
/// or multi-line (`"""`, `'''`). Unterminated, it ends at the line end (or at the text's).
fn string(chars: &mut Chars, quote: char) -> String {
    let mut multi_line = false;
    if chars.next_if_eq(&quote).is_some() {
        if chars.next_if_eq(&quote).is_none() {
            return String::new(); // `""`
        }
        multi_line = true;
        chars.next_if_eq(&'\r');
        chars.next_if_eq(&'\n'); // a line end right after `"""` is not part of the string
    }
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            c if c == quote && !multi_line => return out,
            c if c == quote => {
                // Three quotes close it; up to two more before them belong to the string.
                let mut run = 1;
                while chars.next_if_eq(&quote).is_some() {
                    run += 1;
                }
                if run >= 3 {
                    out.extend(std::iter::repeat_n(quote, run - 3));
                    return out;
                }
                out.extend(std::iter::repeat_n(quote, run));
            }
            '\\' if quote == '"' => escape(chars, &mut out, multi_line),
            '\n' if !multi_line => return out,
            c => out.push(c),
        }
    }
    out
}

/// The character(s) a backslash escape in a basic string stands for.
fn escape(chars: &mut Chars, out: &mut String, multi_line: bool) {
    match chars.next() {
        Some('n') => out.push('\n'),
        Some('t') => out.push('\t'),
        Some('r') => out.push('\r'),
        Some('b') => out.push('\u{8}'),
        Some('f') => out.push('\u{c}'),
        Some('e') => out.push('\u{1b}'),
        Some(kind @ ('u' | 'U' | 'x')) => {
            let digits = match kind {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let hex: String = std::iter::from_fn(|| chars.next_if(char::is_ascii_hexdigit))
                .take(digits)
                .collect();
            out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
        }
        // A backslash at a line's end joins the lines, dropping the whitespace between.
        Some(c) if multi_line && toml_space(c) => {
            while chars.next_if(|&c| toml_space(c)).is_some() {}
        }
        Some(c) => out.push(c),
        None => {}
    }
}

/// Skips spaces, tabs and comments, and line ends too when `newlines`.
fn skip_blank(chars: &mut Chars, newlines: bool) {
    loop {
        match chars.peek() {
            Some(' ' | '\t' | '\r') => {}
            Some('\n') if newlines => {}
            Some('#') => while chars.next_if(|&c| c != '\n').is_some() {},
            _ => return,
        }
        chars.next();
    }
}

/// TOML's whitespace and line ends: the only characters a line-ending backslash drops.
fn toml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn skip_line(chars: &mut Chars) {
    while chars.next().is_some_and(|c| c != '\n') {}
}

#[cfg(test)]
mod tests {
    use super::{listed, strings_at};

    #[test]
    fn reads_the_globs_however_the_toml_is_spelled() {
        let text = r#"
[project]
name = "demo"  # cache-keys = ["not this"]
description = """
[tool.uv]
cache-keys = ["not this either"]
"""

[tool.uv]
other = [["nested"], 1, { a = "b" }]
cache-keys = [
    "pyproject.toml",  # a comment with "quotes"
    { file = 'src/**/*.rs' }, { git = { commit = true } }, { env = "FILE" },
    { "file" = "a \" b\u0021" }, """multi""",
]
"#;
        assert_eq!(
            listed(text),
            ["pyproject.toml", "src/**/*.rs", "a \" b!", "multi"]
        );
        assert_eq!(
            listed("[tool]\nuv.cache-keys = [{ file = \"Cargo.toml\" }]\n"),
            ["Cargo.toml"]
        );
        assert_eq!(
            listed("[tool]\nuv = { cache-keys = [\"inline\"] }\n"),
            ["inline"]
        );
        assert_eq!(
            listed("[tool.\"uv\"]\n'cache-keys' = [{ \"file\" = \"a\" }, 'b']\n"),
            ["a", "b"]
        );
        assert!(listed("[\"tool.uv\"]\ncache-keys = [\"a table named tool.uv\"]\n").is_empty());
        assert!(listed("[tool.other]\ncache-keys = [\"not uv's\"]\n").is_empty());
        assert!(listed("[[tool.uv]]\ncache-keys = [\"an array of tables\"]\n").is_empty());
    }

    #[test]
    fn reads_strings_at_other_keys() {
        let text = "[tool.maturin]\npython-source = 'src'\npython-packages = [\"a\", \"b\"]\n[project]\nname = \"x\"\n";
        assert_eq!(
            strings_at(text, &["tool", "maturin", "python-source"]),
            ["src"]
        );
        assert_eq!(
            strings_at(text, &["tool", "maturin", "python-packages", "[]"]),
            ["a", "b"]
        );
        assert_eq!(strings_at(text, &["project", "name"]), ["x"]);
        assert!(strings_at(text, &["tool", "maturin", "manifest-path"]).is_empty());
    }

    #[test]
    fn broken_text_ends_without_a_panic_or_a_hang() {
        for text in [
            "[tool.uv]\ncache-keys = [\"unterminated",
            "[",
            "= = =",
            "a.b.",
            "x = {",
            "x = [}",
            "'''",
            "\"\\u12",
        ] {
            let _ = listed(text);
        }
    }
}
