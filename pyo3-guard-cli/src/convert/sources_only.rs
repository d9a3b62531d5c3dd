//! `convert --sources-only PATH...` (hidden): only the Rust source edits, over every `.rs` file
//! under the paths, each line kept where it was: PyO3's prelude swapped for pyo3-guard's in every
//! `use` (macro bodies included), and explicit paths to PyO3's macros (`#[pyo3::pyclass]`,
//! `#[::pyo3::prelude::pyfunction]`, `#[pyo3_macros::pymethods]`) routed to
//! `#[pyo3_guard::prelude::...]`. No manifest, build script or Python file, no top module: what
//! scripts/pyo3-conformance needs for PyO3's own integration tests, which are no maturin project.
//! The last line of its output counts the attributes that reach pyo3-guard's macros.

use std::io::Write;
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::spanned::Spanned;

use pyo3_guard_build::cfg::split_commas;
use pyo3_guard_engine::inputs::relative_path;

use super::source::Source;
use super::{FileEdit, Plan};

/// PyO3's macros that an explicit path is routed for (`pymodule` is the top module's business).
const ROUTED: [&str; 3] = ["pyclass", "pyfunction", "pymethods"];

/// A path to one of PyO3's own [`ROUTED`] macros: `pyo3::pyclass`, `::pyo3::prelude::pyclass`,
/// `pyo3_macros::pyclass`.
pub fn routed_path(path: &syn::Path) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["pyo3" | "pyo3_macros", name] | ["pyo3", "prelude", name] => ROUTED.contains(name),
        _ => false,
    }
}

/// Rewrites every attribute `#[pyo3::pyclass...]` (and one inside `cfg_attr`) to
/// `#[pyo3_guard::prelude::pyclass...]`; returns how many. With `in_macros`, also inside macro
/// bodies (`macro_rules!`, `name!(...)`), which the build's scan does not read.
pub fn route_explicit_paths(source: &mut Source, in_macros: bool) -> usize {
    let mut routes = Vec::new();
    attribute_paths(source.tokens(), in_macros, &mut |path| {
        if routed_path(path) {
            let name = path.segments.last().expect("routed").ident.to_string();
            routes.push((path.span(), name));
        }
    });
    for (span, name) in &routes {
        let range = source.range(*span);
        source.replace(range, format!("pyo3_guard::prelude::{name}"));
    }
    routes.len()
}

/// Calls `f` with the path of every attribute in `tokens`, at any depth, and of each attribute
/// inside a `cfg_attr`; not inside a macro's body unless `in_macros`.
fn attribute_paths(tokens: TokenStream, in_macros: bool, f: &mut impl FnMut(&syn::Path)) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        let TokenTree::Group(group) = token else {
            continue;
        };
        let after_hash = i > 0 && is_punct(&tokens[i - 1], '#');
        if group.delimiter() == Delimiter::Bracket && after_hash {
            if let Ok(meta) = syn::parse2::<syn::Meta>(group.stream()) {
                meta_paths(&meta, f);
            }
        } else if in_macros || !is_macro_body(&tokens[..i]) {
            attribute_paths(group.stream(), in_macros, f);
        }
    }
}

fn meta_paths(meta: &syn::Meta, f: &mut impl FnMut(&syn::Path)) {
    f(meta.path());
    if let (true, syn::Meta::List(list)) = (meta.path().is_ident("cfg_attr"), meta) {
        for part in split_commas(list.tokens.clone()).into_iter().skip(1) {
            if let Ok(inner) = syn::parse2::<syn::Meta>(part) {
                meta_paths(&inner, f);
            }
        }
    }
}

/// Whether the group after `before` is a macro's body: `name!(...)` or `macro_rules! name {...}`.
fn is_macro_body(before: &[TokenTree]) -> bool {
    match before {
        [.., last] if is_punct(last, '!') => true,
        [.., TokenTree::Ident(m), bang, TokenTree::Ident(_)] => {
            m == "macro_rules" && is_punct(bang, '!')
        }
        _ => false,
    }
}

fn is_punct(token: &TokenTree, c: char) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == c)
}

/// Every `use` item in `tokens`, at any depth (function bodies, macro bodies), with its `pub`.
fn uses(tokens: TokenStream, found: &mut Vec<syn::ItemUse>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => uses(group.stream(), found),
            TokenTree::Ident(id) if id == "use" => {
                let start = match &tokens[..i] {
                    [.., TokenTree::Ident(p), TokenTree::Group(g)]
                        if p == "pub" && g.delimiter() == Delimiter::Parenthesis =>
                    {
                        i - 2
                    }
                    [.., TokenTree::Ident(p)] if p == "pub" => i - 1,
                    _ => i,
                };
                let Some(end) = tokens[i..].iter().position(|t| is_punct(t, ';')) else {
                    continue;
                };
                let item: TokenStream = tokens[start..=i + end].iter().cloned().collect();
                // Not one in a macro that uses `$metavariables`.
                if let Ok(used) = syn::parse2::<syn::ItemUse>(item) {
                    found.push(used);
                }
            }
            _ => {}
        }
    }
}

/// How many attributes of each [`ROUTED`] macro name pyo3-guard's: `#[pyclass]` (the prelude's
/// name, once no path to PyO3's is left) or `#[pyo3_guard::prelude::pyclass]`, macro bodies and
/// `cfg_attr` included.
fn count_routed(tokens: TokenStream, counts: &mut [usize; 3]) {
    attribute_paths(tokens, true, &mut |path| {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let name = match segments.as_slice() {
            [name] => name,
            [guard, prelude, name] if guard == "pyo3_guard" && prelude == "prelude" => name,
            _ => return,
        };
        if let Some(i) = ROUTED.iter().position(|m| m == name) {
            counts[i] += 1;
        }
    });
}

/// The `.rs` files under each path (a file, or a folder walked but for `target` and hidden
/// folders), sorted.
fn rust_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            walk(path, &mut files)
                .map_err(|e| format!("{}: cannot be read ({e})", path.display()))?;
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            walk(&path, files)?;
        } else if path.is_file() && name.ends_with(".rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// Computes the edits of every file; writes nothing.
fn plan(dir: &Path, paths: &[PathBuf]) -> Result<(Plan, String), String> {
    let mut files = Vec::new();
    let mut changes = Vec::new();
    let (mut swapped_total, mut routed_total, mut counts) = (0, 0, [0; 3]);
    for path in rust_files(paths)? {
        let mut source = Source::read(path.clone(), relative_path(dir, &path))?;
        let mut found = Vec::new();
        uses(source.tokens(), &mut found);
        let swapped = found
            .iter()
            .filter(|used| super::rust::swap_use(&mut source, used, true))
            .count();
        let routed = route_explicit_paths(&mut source, true);
        let new = source.edited();
        if new.matches('\n').count() != source.text.matches('\n').count() {
            return Err(format!(
                "{}: the edits would move lines (a bug of pyo3-guard convert: please report it)",
                source.rel
            ));
        }
        let edited = Source::parse(path.clone(), source.rel.clone(), new.clone())?;
        count_routed(edited.tokens(), &mut counts);
        if swapped + routed == 0 {
            continue;
        }
        changes.push(format!(
            "{}: {swapped} `use` swapped, {routed} explicit path{} routed",
            source.rel,
            if routed == 1 { "" } else { "s" }
        ));
        (swapped_total, routed_total) = (swapped_total + swapped, routed_total + routed);
        files.push(FileEdit {
            path,
            old: Some(source.text.clone()),
            new,
        });
    }
    let total: usize = counts.iter().sum();
    let each: Vec<String> = ROUTED
        .iter()
        .zip(counts)
        .map(|(m, n)| format!("{n} #[{m}]"))
        .collect();
    let summary = format!(
        "{total} attributes reach pyo3_guard::prelude ({}); {routed_total} explicit paths routed, \
         {swapped_total} `use` swapped, in {} files",
        each.join(", "),
        files.len()
    );
    let plan = Plan {
        dir: dir.to_path_buf(),
        module: String::new(),
        files,
        changes,
        kept: Vec::new(),
        add_lines_kept: 0,
        unpublished: Vec::new(),
        top: String::new(),
        converted_before: false,
        next: Vec::new(),
    };
    Ok((plan, summary))
}

/// Runs the mode: 0 converted (or nothing to do), 1 not converted (nothing was written).
pub fn run(
    dir: &Path,
    paths: &[PathBuf],
    dry_run: bool,
    allow_dirty: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let written = plan(dir, paths).and_then(|(plan, summary)| {
        if dry_run {
            for file in &plan.files {
                let rel = relative_path(&plan.dir, &file.path);
                let diff = super::diff::unified(&rel, file.old.as_deref(), &file.new);
                let _ = write!(out, "{diff}");
            }
        } else {
            super::write_all(&plan, allow_dirty)?;
            for change in &plan.changes {
                let _ = writeln!(out, "{change}");
            }
        }
        Ok(summary)
    });
    match written {
        Ok(summary) => {
            let _ = writeln!(out, "{summary}");
            0
        }
        Err(e) => {
            let _ = writeln!(err, "pyo3-guard convert: {e}\nNothing was changed.");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(text: &str) -> (String, [usize; 3]) {
        let dir =
            std::env::temp_dir().join(format!("pyo3-guard-sources-only-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::write(dir.join("tests/t.rs"), text).unwrap();
        let (plan, _) = plan(&dir, &[dir.join("tests")]).unwrap();
        let new = plan
            .files
            .first()
            .map_or(text.to_owned(), |f| f.new.clone());
        let mut counts = [0; 3];
        count_routed(new.parse().unwrap(), &mut counts);
        std::fs::remove_dir_all(&dir).unwrap();
        (new, counts)
    }

    #[test]
    fn every_spelling_is_routed_and_lines_stay() {
        let text = "\
use pyo3::{ffi, prelude::*};
use pyo3::{
    exceptions::PyValueError,
    prelude::*,
    types::PyDict,
};
use pyo3_macros::pyclass;
pub(crate) use pyo3::{types::PyDict, pyfunction};
#[pyo3::pyclass]
struct A;
#[::pyo3::prelude::pymethods]
impl A {}
#[cfg_attr(feature = \"x\", pyo3_macros::pyclass(frozen))]
struct B;
macro_rules! m {
    () => {
        use pyo3::prelude::*;
        #[pyo3::pyfunction] fn f() {}
    };
}
fn g() { use pyo3::prelude::*; }
// #[pyo3::pyclass] in a comment, and a path that is no attribute:
const S: &str = \"#[pyo3::pyclass]\"; type T = pyo3::pyclass::CompareOp;
";
        let (new, counts) = converted(text);
        assert_eq!(
            new,
            "\
use pyo3::{ffi}; use pyo3_guard::prelude::*;
use pyo3::{
    exceptions::PyValueError,
    
    types::PyDict,
}; use pyo3_guard::prelude::*;
use pyo3_guard::prelude::pyclass;
pub(crate) use pyo3::{types::PyDict}; pub(crate) use pyo3_guard::prelude::pyfunction;
#[pyo3_guard::prelude::pyclass]
struct A;
#[pyo3_guard::prelude::pymethods]
impl A {}
#[cfg_attr(feature = \"x\", pyo3_guard::prelude::pyclass(frozen))]
struct B;
macro_rules! m {
    () => {
        use pyo3_guard::prelude::*;
        #[pyo3_guard::prelude::pyfunction] fn f() {}
    };
}
fn g() { use pyo3_guard::prelude::*; }
// #[pyo3::pyclass] in a comment, and a path that is no attribute:
const S: &str = \"#[pyo3::pyclass]\"; type T = pyo3::pyclass::CompareOp;
"
        );
        assert_eq!(counts, [2, 1, 1]);
    }

    #[test]
    fn outside_macros_only_when_asked() {
        let text = "#[pyo3::pyclass] struct A;\nm! { #[pyo3::pyclass] struct B; }\n";
        let mut source = Source::parse("x.rs".into(), "x.rs".into(), text.into()).unwrap();
        assert_eq!(route_explicit_paths(&mut source, false), 1);
        assert_eq!(
            source.edited(),
            "#[pyo3_guard::prelude::pyclass] struct A;\nm! { #[pyo3::pyclass] struct B; }\n"
        );
    }
}
