//! Where names and files lead in the module tree the scan walks: the directory a module's
//! `mod x;` children live in, the `pyclass`/`pyfunction` a module's imports bring into scope,
//! the module a path prefix names, and the names a `use` tree brings in.

use std::path::{Path, PathBuf};

use syn::{Attribute, Item};

use crate::attrs::unraw;
use pyo3_guard_engine::record::Macro;

/// Where the files of a module's `mod x;` children live.
#[derive(Clone)]
pub(crate) struct ModDir(pub(crate) PathBuf);

impl ModDir {
    /// `lib.rs`, `main.rs` and `mod.rs` own their directory; `foo.rs` owns `foo/`.
    pub(crate) fn of_root(file: &Path) -> ModDir {
        ModDir(file.parent().unwrap_or(Path::new(".")).to_path_buf())
    }

    pub(crate) fn of_file(file: &Path) -> ModDir {
        let dir = file.parent().unwrap_or(Path::new("."));
        match file.file_stem().and_then(|s| s.to_str()) {
            Some("mod" | "lib" | "main") | None => ModDir(dir.to_path_buf()),
            Some(stem) => ModDir(dir.join(stem)),
        }
    }
}

pub(crate) fn dir_of(path: &Path) -> PathBuf {
    path.parent().unwrap_or(Path::new(".")).to_path_buf()
}

/// The `pyclass`/`pyfunction` a module's imports bring in: through a glob (`use
/// pyo3_guard::prelude::*`) or by name (`use pyo3::pyclass;`, which wins over any glob).
#[derive(Default, Clone)]
pub(crate) struct Scope {
    glob: Option<Macro>,
    by_name: Vec<(String, Macro)>,
}

impl Scope {
    pub(crate) fn of(items: &[Item]) -> Scope {
        let mut scope = Scope::default();
        for item in items {
            if let Item::Use(used) = item {
                scope.read(&used.tree, &mut Vec::new());
            }
        }
        scope
    }

    pub(crate) fn read(&mut self, tree: &syn::UseTree, path: &mut Vec<String>) {
        let origin = |path: &[String]| match path.first().map(String::as_str) {
            Some("pyo3_guard") => Some(Macro::Guard),
            Some("pyo3" | "pyo3_macros") => Some(Macro::Pyo3ByName),
            _ => None,
        };
        match tree {
            syn::UseTree::Path(p) => {
                path.push(unraw(&p.ident));
                self.read(&p.tree, path);
                path.pop();
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.read(t, path)),
            syn::UseTree::Name(n) => {
                if let Some(via) = origin(path) {
                    self.by_name.push((unraw(&n.ident), via));
                }
            }
            syn::UseTree::Rename(r) => {
                if let Some(via) = origin(path) {
                    self.by_name.push((unraw(&r.rename), via));
                }
            }
            syn::UseTree::Glob(_) => match path
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                ["pyo3_guard", "prelude"] => self.glob = Some(Macro::Guard),
                ["pyo3", "prelude"] => self.glob = Some(Macro::Pyo3),
                _ => {}
            },
        }
    }

    /// The macro the attribute `#[name]` (or `#[a::b::name]`) names here.
    pub(crate) fn resolve(&self, attr: &Attribute) -> Macro {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        match segments.as_slice() {
            [name] => match self.by_name.iter().find(|(n, _)| n == name) {
                Some((_, via)) => *via,
                None => self.glob.unwrap_or(Macro::Unknown),
            },
            [first, ..] if first == "pyo3_guard" => Macro::Guard,
            [first, ..] if first == "pyo3" => Macro::Pyo3,
            _ => Macro::Unknown,
        }
    }
}

/// The module a path prefix names from `module` (`[]` -> `module` itself, `super` -> its
/// parent, `crate::a` -> `a`, `a` -> its child `a`), as a `::`-joined path; `None` when it
/// leaves the crate.
pub(crate) fn relative_module(module: &[String], prefix: &[String]) -> Option<String> {
    let mut path: Vec<String> = module.to_vec();
    for (i, segment) in prefix.iter().enumerate() {
        match segment.as_str() {
            "crate" if i == 0 => path.clear(),
            "self" if i == 0 => {}
            "super" => {
                path.pop()?;
            }
            other => path.push(other.to_owned()),
        }
    }
    Some(path.join("::"))
}

/// The Rust names a `use` tree brings in, each with the path before it (`a::{B, C as D}`:
/// `B` and `C` after `a`; PyO3 adds each under its own Python name, whatever the `use` renames
/// it to).
pub(crate) fn use_names(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    names: &mut Vec<(Vec<String>, String)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(unraw(&p.ident));
            use_names(&p.tree, prefix, names);
            prefix.pop();
        }
        syn::UseTree::Name(n) => names.push((prefix.clone(), unraw(&n.ident))),
        syn::UseTree::Rename(r) => names.push((prefix.clone(), unraw(&r.ident))),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, prefix, names)),
        syn::UseTree::Glob(_) => {}
    }
}
