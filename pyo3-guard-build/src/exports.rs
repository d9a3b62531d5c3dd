//! What the sources declare for Python: every `#[pyclass]`, each method and property of its
//! `#[pymethods]` blocks and `#[pyo3(get, set)]` fields, and every `#[pyfunction]`, found by
//! parsing the crate's module tree with syn (so `#[cfg]` that is off, and files no `mod` names,
//! are left out, exactly as the compiler leaves them out). `#[cfg_attr(predicate, ...)]` is
//! expanded first, so `#[cfg_attr(feature = "python", pyclass)]` counts when the feature is on.

use std::path::Path;

use proc_macro2::TokenStream;
use syn::{Attribute, ImplItem, Item, Meta};

use crate::attrs::{
    guard_options, has_attr, item_attrs, last_segment, last_segment_is, outer_attribute, path_attr,
    python_name, unraw,
};
use crate::cfg::{split_commas, Cfg, CfgEnv};
use crate::scope::{dir_of, relative_module, use_names, ModDir, Scope};
use crate::{by_hand, members};
use pyo3_guard_engine::error::{Error, Result};
use pyo3_guard_engine::inputs::relative_path;
use pyo3_guard_engine::record::{Expect, Export, ExportKind, Macro, UnseenAddition};

/// Finds the exports of the crate named `crate_name` whose library root is `lib`.
/// `root` is the source root paths are made relative to.
pub fn scan_crate(root: &Path, lib: &Path, crate_name: &str, cfg: &CfgEnv) -> Result<Vec<Export>> {
    let mut scan = scan(root, lib, crate_name, cfg)?;
    scan.place_module_exports(&[]);
    scan.place_by_hand();
    Ok(scan.exports)
}

/// What one crate declares, before `#[pymodule_export]`s (which may name another crate's items)
/// are placed.
pub struct Scan {
    pub exports: Vec<Export>,
    /// Every `#[pymodule_export] use path::Name;`.
    pub module_exports: Vec<ModuleExport>,
    /// The Rust names of items written inside a declarative module: PyO3 adds them where they
    /// are, whatever else exports them.
    pub inline: Vec<String>,
    /// Declarative modules written outside the guarded one (`#[pymodule] pub mod codec { .. }`):
    /// their items' `submodule` starts with `DETACHED` and the module's index here until an
    /// export places the module.
    pub detached: Vec<Detached>,
    /// What functions add by hand to modules, each with the Rust module of its function.
    pub(crate) by_hand: Vec<(by_hand::Added, Vec<String>)>,
    /// The functions a nested declarative module exports (`#[pymodule] mod sub {
    /// #[pymodule_export] use crate::f; }`), once placed: PyO3 adds them there, so they must not
    /// register at the top as well (a class is told apart at run time, by identity).
    pub exported_to_submodules: Vec<Export>,
}

/// What [`Scan::place_by_hand`] found (defined beside the record's writer, which needs it in
/// a build without this feature too).
pub use crate::emit::ByHand;

/// `#[pymodule_export] use path::Name;` in a declarative module.
#[derive(Clone)]
pub struct ModuleExport {
    /// The declarative module it is written in: its dotted path below the top module (`""` for
    /// the top).
    pub module: String,
    /// The Rust name it exports.
    pub name: String,
    /// The Rust module the path names, below the crate root (`codec::_inner` for `use
    /// _inner::Name;` in `mod codec`), when the path stays in this crate: it tells apart items
    /// of one name in different modules.
    pub from: Option<String>,
}

/// A `#[pymodule] mod` outside the guarded module. PyO3 adds the items written in it to it;
/// where the module itself goes, a `#[pymodule_export] use path::codec;` says.
pub struct Detached {
    /// The Rust identifier, which the exporting `use` names.
    pub ident: String,
    /// The name PyO3 gives the module (`name = "..."`, else the identifier).
    pub python_name: String,
}

/// Marks a submodule path that starts in a detached module, until the module is placed.
const DETACHED: char = '\u{1}';

/// The exports of one crate, `#[pymodule_export]`s not placed yet.
pub fn scan(root: &Path, lib: &Path, crate_name: &str, cfg: &CfgEnv) -> Result<Scan> {
    let mut scanner = Scanner {
        root,
        crate_name: crate_name.replace('-', "_"),
        cfg,
        exports: Vec::new(),
        files: 0,
        context: None,
        module_exports: Vec::new(),
        inline: Vec::new(),
        detached: Vec::new(),
        by_hand: Vec::new(),
        source: String::new(),
        mod_path: Vec::new(),
        uncertain: false,
        pending: Vec::new(),
        scope: Scope::default(),
    };
    scanner.file(lib, ModDir::of_root(lib))?;
    scanner.resolve_members();
    scanner.exports.sort();
    Ok(Scan {
        exports: scanner.exports,
        module_exports: scanner.module_exports,
        inline: scanner.inline,
        detached: scanner.detached,
        by_hand: scanner.by_hand,
        exported_to_submodules: Vec::new(),
    })
}

impl Scan {
    /// An item a declarative module exports with `#[pymodule_export]` is expected there: PyO3
    /// adds it there, whether or not it also registers itself elsewhere. `others` holds the
    /// module exports of the other crates of the build, which may name this crate's items. A
    /// name that matches several items cannot be resolved without Rust's name resolution:
    /// those items are not checked (never reported missing by mistake).
    pub fn place_module_exports(&mut self, others: &[ModuleExport]) {
        // Another crate's paths mean nothing here: its detached modules, its Rust modules.
        let others: Vec<ModuleExport> = others
            .iter()
            .filter(|e| !e.module.starts_with(DETACHED))
            .map(|e| ModuleExport {
                from: None,
                ..e.clone()
            })
            .collect();
        let all: Vec<&ModuleExport> = self.module_exports.iter().chain(&others).collect();
        let places = self.place_detached(&all);
        // The first export of an item places it; items PyO3 adds where they are written stay.
        let mut placed: Vec<usize> = Vec::new();
        for ModuleExport { module, name, from } in all {
            if self.detached.iter().any(|d| &d.ident == name) || self.inline.contains(name) {
                continue; // a module (placed above), or an item PyO3 adds where it is written
            }
            let (mut candidates, at_path) =
                self.named(name, from.as_deref(), |kind| kind != ExportKind::Member);
            // Several of that name: the one in the module the path leads to, if it is one of them
            // (a path through a re-export leads elsewhere: then which one is meant is not known).
            if candidates.len() > 1 && at_path.len() == 1 {
                candidates = at_path;
            }
            candidates.retain(|i| !placed.contains(i));
            match candidates.as_slice() {
                [one] => {
                    placed.push(*one);
                    let export = &mut self.exports[*one];
                    export.submodule = (!module.is_empty()).then(|| module.clone());
                    if export.submodule.is_some() && export.kind == ExportKind::Function {
                        self.exported_to_submodules.push(export.clone());
                    }
                }
                several => several
                    .iter()
                    .for_each(|&i| self.exports[i].expect = Expect::Unchecked),
            }
        }
        for export in &mut self.exports {
            let Some(path) = export
                .submodule
                .as_deref()
                .filter(|p| p.starts_with(DETACHED))
            else {
                continue;
            };
            match resolve(path, &places, self.detached.len()) {
                Some(path) => export.submodule = (!path.is_empty()).then_some(path),
                None => {
                    export.submodule = None;
                    export.expect = Expect::Unchecked;
                }
            }
        }
    }

    /// Items a function adds by hand to a submodule (see [`by_hand`]) are expected there, and
    /// items the top module's own code adds by hand stay at the top: both are returned (an item
    /// added to both, in both lists), as they do not register (the user's code adds them). An addition is matched to the item of that
    /// name in the module its path leads to, else to the only item of that name; when neither
    /// tells (several of the name, a path through a `use`), it is left as it was. Items PyO3
    /// places (written in a declarative module) and those with `#[guard(submodule)]` keep their
    /// place, and register as before. An item the scan does not see at all (a `macro_rules!`
    /// makes it) is returned by the path the addition names, so it does not register either (a
    /// path through a `use` names no item, and changes nothing).
    pub fn place_by_hand(&mut self) -> ByHand {
        let mut placed = ByHand::default();
        let (top, submodules): (Vec<_>, Vec<_>) = std::mem::take(&mut self.by_hand)
            .into_iter()
            .partition(|(added, _)| added.submodule.is_empty());
        // The top first: an item also added to a submodule by hand is expected there (moved
        // below), and at the top too (the export check reads `by_hand_top` for it).
        for (added, module) in top {
            let Some(one) = self.added_item(&added, &module) else {
                placed.unseen.extend(self.unseen(&added, &module));
                continue;
            };
            let export = &self.exports[one];
            if self.inline.contains(&export.rust_name) || export.submodule.is_some() {
                continue;
            }
            if !placed.top.contains(export) {
                placed.top.push(export.clone());
            }
        }
        for (added, module) in submodules {
            let Some(one) = self.added_item(&added, &module) else {
                placed.unseen.extend(self.unseen(&added, &module));
                continue;
            };
            let export = &mut self.exports[one];
            if self.inline.contains(&export.rust_name) || export.submodule.is_some() {
                continue;
            }
            export.submodule = Some(added.submodule);
            placed.submodules.push(export.clone());
        }
        placed
    }

    /// The export an addition in the Rust module `module` names, if one tells.
    fn added_item(&self, added: &by_hand::Added, module: &[String]) -> Option<usize> {
        let (name, prefix) = added.path.split_last()?;
        let from = relative_module(module, prefix);
        let (candidates, at_path) = self.named(name, from.as_deref(), |kind| kind == added.kind);
        match (at_path.as_slice(), candidates.as_slice()) {
            ([one], _) | ([], [one]) => Some(*one),
            _ => None,
        }
    }

    /// The path an addition in the Rust module `module` names, when the scan found no item of
    /// that name and kind anywhere.
    fn unseen(&self, added: &by_hand::Added, module: &[String]) -> Option<UnseenAddition> {
        let (name, prefix) = added.path.split_last()?;
        if !self
            .named(name, None, |kind| kind == added.kind)
            .0
            .is_empty()
        {
            return None;
        }
        Some(UnseenAddition {
            kind: added.kind,
            rust_path: relative_module(module, prefix)?,
            rust_name: name.clone(),
            top: added.submodule.is_empty(),
        })
    }

    /// The exports of Rust name `name` whose kind `kind` accepts, and those of them in the Rust
    /// module `from`.
    fn named(
        &self,
        name: &str,
        from: Option<&str>,
        kind: impl Fn(ExportKind) -> bool,
    ) -> (Vec<usize>, Vec<usize>) {
        let candidates: Vec<usize> = (0..self.exports.len())
            .filter(|&i| kind(self.exports[i].kind) && self.exports[i].rust_name == name)
            .collect();
        let at_path = candidates
            .iter()
            .copied()
            .filter(|&i| Some(self.exports[i].rust_path.as_str()) == from)
            .collect();
        (candidates, at_path)
    }

    /// Where each detached module goes: below the module whose `#[pymodule_export]` names it
    /// (that module's path may start in a detached module too), under its own Python name.
    /// Exported nowhere, it is expected under its name at the top, where `m.add_wrapped(
    /// wrap_pymodule!(...))` puts it (and if it is not there, the check says what adds it).
    /// `None` when two detached modules have the exported name: which one is meant takes Rust's
    /// name resolution, so their items are not checked.
    fn place_detached(&self, exports: &[&ModuleExport]) -> Vec<Option<String>> {
        self.detached
            .iter()
            .map(|d| {
                if self
                    .detached
                    .iter()
                    .filter(|other| other.ident == d.ident)
                    .count()
                    > 1
                {
                    return None;
                }
                let parent = exports
                    .iter()
                    .find(|e| e.name == d.ident)
                    .map(|e| e.module.as_str());
                Some(join(parent.unwrap_or(""), &d.python_name))
            })
            .collect()
    }
}

/// `path` with its detached start replaced by where that module goes; `None` when that is not
/// known. `hops` bounds a chain of modules exported into one another (a cycle would not compile).
fn resolve(path: &str, places: &[Option<String>], hops: usize) -> Option<String> {
    let Some(rest) = path.strip_prefix(DETACHED) else {
        return Some(path.to_owned());
    };
    let (index, tail) = rest.split_once('.').unwrap_or((rest, ""));
    let place = places.get(index.parse::<usize>().ok()?)?.as_deref()?;
    let place = if hops == 0 {
        return None;
    } else {
        resolve(place, places, hops - 1)?
    };
    Some(join(&place, tail))
}

/// A dotted path below a parent one (either may be `""`).
fn join(parent: &str, child: &str) -> String {
    match (parent, child) {
        ("", path) | (path, "") => path.to_owned(),
        (parent, child) => format!("{parent}.{child}"),
    }
}

/// Files past this many are not a module tree but a `#[path]` cycle.
const MAX_FILES: usize = 20_000;

struct Scanner<'a> {
    root: &'a Path,
    crate_name: String,
    cfg: &'a CfgEnv,
    exports: Vec<Export>,
    files: usize,
    /// Inside a `#[guarded_pymodule] mod` or one of its nested `#[pymodule] mod`s: the dotted
    /// path of that declarative module below the top one. Items written directly in it are
    /// PyO3's to add there.
    context: Option<String>,
    module_exports: Vec<ModuleExport>,
    inline: Vec<String>,
    detached: Vec<Detached>,
    by_hand: Vec<(by_hand::Added, Vec<String>)>,
    /// The text of the file being read (function bodies are read from it as tokens).
    source: String,
    /// The Rust module being read, below the crate root.
    mod_path: Vec<String>,
    /// Inside an item or module whose `#[cfg]` cannot be evaluated here.
    uncertain: bool,
    /// `#[pymethods]` members, until the class each belongs to is known.
    pending: Vec<PendingMember>,
    /// What the module being read imports `pyclass` and `pyfunction` from.
    scope: Scope,
}

/// A `#[pymethods]` member: its export without the class, where the impl block is, and the
/// path it names the class by (`Point`, `super::Point`, `crate::geo::Point`).
struct PendingMember {
    export: Export,
    impl_path: Vec<String>,
    self_ty: Vec<String>,
}

impl Scanner<'_> {
    fn file(&mut self, path: &Path, dir: ModDir) -> Result<()> {
        self.files += 1;
        if self.files > MAX_FILES {
            return Err(Error::at(path, "module tree too deep (a `#[path]` cycle?)"));
        }
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            // rustc reports a missing module file itself; nothing to add here.
            Err(_) => return Ok(()),
        };
        let Ok(mut file) = syn::parse_file(&text) else {
            // Not valid Rust: rustc reports it, with a better message than ours.
            return Ok(());
        };
        self.expand_cfg_attrs(&mut file.items);
        let outer = std::mem::replace(&mut self.source, text);
        let result = self.items(path, &file.items, &dir);
        self.source = outer;
        result
    }

    /// Expands `#[cfg_attr]` on everything the scan reads attributes of.
    fn expand_cfg_attrs(&self, items: &mut [Item]) {
        for item in items {
            match item {
                Item::Struct(s) => {
                    self.expand(&mut s.attrs);
                    s.fields
                        .iter_mut()
                        .for_each(|field| self.expand(&mut field.attrs));
                }
                Item::Enum(e) => {
                    self.expand(&mut e.attrs);
                    e.variants
                        .iter_mut()
                        .for_each(|variant| self.expand(&mut variant.attrs));
                }
                Item::Fn(f) => self.expand(&mut f.attrs),
                Item::Impl(imp) => {
                    self.expand(&mut imp.attrs);
                    for member in &mut imp.items {
                        match member {
                            ImplItem::Fn(f) => self.expand(&mut f.attrs),
                            ImplItem::Const(c) => self.expand(&mut c.attrs),
                            _ => {}
                        }
                    }
                }
                Item::Mod(m) => {
                    self.expand(&mut m.attrs);
                    if let Some((_, items)) = &mut m.content {
                        self.expand_cfg_attrs(items);
                    }
                }
                _ => {}
            }
        }
    }

    /// Replaces each `#[cfg_attr(predicate, attr, ...)]` by its attributes when the predicate
    /// holds here and drops it when it does not. When that cannot be known (a dependency's
    /// feature, a custom `--cfg`) and the attributes are ones the scan reads, it becomes
    /// `#[cfg(predicate)]`: the item is not expected, as under an unknown `#[cfg]`, so it is
    /// never reported missing by mistake.
    fn expand(&self, attrs: &mut Vec<Attribute>) {
        if !attrs.iter().any(|a| a.path().is_ident("cfg_attr")) {
            return;
        }
        let mut expanded = Vec::with_capacity(attrs.len());
        let mut pending: Vec<Attribute> = std::mem::take(attrs);
        pending.reverse();
        while let Some(attr) = pending.pop() {
            let Meta::List(list) = &attr.meta else {
                expanded.push(attr);
                continue;
            };
            if !attr.path().is_ident("cfg_attr") {
                expanded.push(attr);
                continue;
            }
            let mut parts = split_commas(list.tokens.clone()).into_iter();
            let Some(predicate) = parts.next() else {
                continue;
            };
            let inner: Vec<Meta> = parts
                .filter_map(|tokens| syn::parse2::<Meta>(tokens).ok())
                .collect();
            match self.cfg.eval(&predicate) {
                // In order, and expanded again: `cfg_attr` may nest.
                Cfg::On => pending.extend(inner.into_iter().rev().map(outer_attribute)),
                Cfg::Off => {}
                Cfg::Unknown
                    if inner.iter().any(|meta| {
                        READ_ATTRIBUTES
                            .iter()
                            .any(|name| last_segment(meta.path()) == *name)
                    }) =>
                {
                    let cfg = syn::MetaList {
                        path: syn::Ident::new("cfg", proc_macro2::Span::call_site()).into(),
                        delimiter: syn::MacroDelimiter::Paren(Default::default()),
                        tokens: predicate,
                    };
                    expanded.push(outer_attribute(Meta::List(cfg)));
                }
                Cfg::Unknown => {}
            }
        }
        *attrs = expanded;
    }

    fn items(&mut self, path: &Path, items: &[Item], dir: &ModDir) -> Result<()> {
        let outer = std::mem::replace(&mut self.scope, Scope::of(items));
        let result = self.module_items(path, items, dir);
        self.scope = outer;
        result
    }

    fn module_items(&mut self, path: &Path, items: &[Item], dir: &ModDir) -> Result<()> {
        for item in items {
            let cfg = self.cfg.eval_attrs(item_attrs(item));
            if cfg == Cfg::Off {
                continue;
            }
            let outer = self.uncertain;
            self.uncertain |= cfg == Cfg::Unknown;
            let result = self.item(path, item, dir);
            self.uncertain = outer;
            result?;
        }
        Ok(())
    }

    fn item(&mut self, path: &Path, item: &Item, dir: &ModDir) -> Result<()> {
        match item {
            Item::Mod(module)
                if module.content.is_some() && self.declarative_name(module).is_some() =>
            {
                let (_, items) = module.content.as_ref().expect("checked by the guard");
                let mut name = self.declarative_name(module).expect("checked by the guard");
                if self.context.is_none() && name.starts_with(DETACHED) {
                    name = format!("{DETACHED}{}", self.detached.len());
                    let python_name = python_name(&module.attrs, &["pymodule", "pyo3"])
                        .unwrap_or_else(|| unraw(&module.ident));
                    self.detached.push(Detached {
                        ident: unraw(&module.ident),
                        python_name,
                    });
                }
                let outer = self.context.replace(name);
                let child = ModDir(dir.0.join(module.ident.to_string()));
                self.mod_path.push(unraw(&module.ident));
                let result = self.items(path, items, &child);
                self.mod_path.pop();
                self.context = outer;
                result?;
            }
            Item::Use(used)
                if self.context.is_some() && has_attr(&used.attrs, "pymodule_export") =>
            {
                let module = self.context.clone().expect("checked by the guard");
                let mut names = Vec::new();
                use_names(&used.tree, &mut Vec::new(), &mut names);
                for (prefix, name) in names {
                    let from = relative_module(&self.mod_path, &prefix);
                    self.module_exports.push(ModuleExport {
                        module: module.clone(),
                        name,
                        from,
                    });
                }
            }
            Item::Mod(module) => {
                // A plain Rust module: its items register as anywhere else in the crate.
                let outer = self.context.take();
                self.mod_path.push(unraw(&module.ident));
                let result = self.plain_module(path, module, dir);
                self.mod_path.pop();
                self.context = outer;
                result?;
            }
            Item::Struct(s) if has_attr(&s.attrs, "pyclass") => {
                self.class(path, &s.ident, &s.attrs);
                let fields = members::fields(&s.attrs, &s.fields, |attrs| {
                    self.cfg.eval_attrs(attrs) == Cfg::On
                });
                self.class_members(path, &s.ident, fields);
            }
            Item::Enum(e) if has_attr(&e.attrs, "pyclass") => {
                self.class(path, &e.ident, &e.attrs);
                let variants = members::variants(&e.attrs, &e.variants);
                self.class_members(path, &e.ident, variants);
            }
            Item::Fn(f) if has_attr(&f.attrs, "pyfunction") => {
                let name = python_name(&f.attrs, &["pyfunction", "pyo3"])
                    .unwrap_or_else(|| unraw(&f.sig.ident));
                self.push(
                    ExportKind::Function,
                    unraw(&f.sig.ident),
                    name,
                    &f.attrs,
                    path,
                    f.sig.ident.span(),
                );
            }
            Item::Fn(f) => self.function_body(f),
            Item::Impl(imp) if has_attr(&imp.attrs, "pymethods") => {
                let syn::Type::Path(ty) = &*imp.self_ty else {
                    return Ok(());
                };
                let self_ty: Vec<String> =
                    ty.path.segments.iter().map(|s| unraw(&s.ident)).collect();
                for member in &imp.items {
                    let on = match member {
                        ImplItem::Fn(f) => self.cfg.eval_attrs(&f.attrs),
                        ImplItem::Const(c) => self.cfg.eval_attrs(&c.attrs),
                        _ => Cfg::Off,
                    };
                    let Some(found) = members::method(member).filter(|_| on != Cfg::Off) else {
                        continue;
                    };
                    let mut export = self.export(
                        ExportKind::Member,
                        String::new(),
                        found.name,
                        path,
                        found.span,
                    );
                    export.expect = match (found.opted_out, on == Cfg::On && !self.uncertain) {
                        (true, _) => Expect::OptedOut,
                        (false, true) => Expect::Checked,
                        (false, false) => Expect::Unchecked,
                    };
                    self.pending.push(PendingMember {
                        export,
                        impl_path: self.mod_path.clone(),
                        self_ty: self_ty.clone(),
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What the function `f` adds by hand (see [`by_hand`]): to a module it makes with
    /// `PyModule::new`, and to its own module in a `#[pymodule] fn` (a submodule), in the
    /// `#[guarded_pymodule] fn` or in the guarded declarative module's `#[pymodule_init]` (the
    /// top module).
    fn function_body(&mut self, f: &syn::ItemFn) {
        let range = f.block.brace_token.span.join().byte_range();
        let Some(body) = self.source.get(range).filter(|b| b.contains(".add_")) else {
            return;
        };
        let Ok(tokens) = body.parse::<TokenStream>() else {
            return;
        };
        let own = if has_attr(&f.attrs, "guarded_pymodule")
            || (self.context.as_deref() == Some("") && has_attr(&f.attrs, "pymodule_init"))
        {
            Some(String::new()) // the top module
        } else if has_attr(&f.attrs, "pymodule") {
            Some(
                python_name(&f.attrs, &["pymodule", "pyo3"]).unwrap_or_else(|| unraw(&f.sig.ident)),
            )
        } else {
            None
        };
        let params: Vec<String> = f
            .sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(typed) => match &*typed.pat {
                    syn::Pat::Ident(p) => Some(unraw(&p.ident)),
                    _ => None,
                },
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        for added in by_hand::additions(tokens, &params, own.as_deref()) {
            self.by_hand.push((added, self.mod_path.clone()));
        }
    }

    /// Fields and variants: members of the class declared right here.
    fn class_members(&mut self, path: &Path, class: &syn::Ident, found: Vec<members::Member>) {
        let class_expect = self.expectation(&[]);
        for member in found {
            let mut export = self.export(
                ExportKind::Member,
                unraw(class),
                member.name,
                path,
                member.span,
            );
            export.expect = match (
                member.opted_out,
                member.certain && class_expect == Expect::Checked,
            ) {
                (true, _) => Expect::OptedOut,
                (false, true) => Expect::Checked,
                (false, false) => Expect::Unchecked,
            };
            self.add(export);
        }
    }

    /// Each `#[pymethods]` member joins its class: the one of that name in the Rust module the
    /// impl block names (`Point` in its own module, `super::Point`, `crate::geo::Point`), else
    /// the only class of that name in the crate. When that cannot be told without Rust's name
    /// resolution (several classes of the name, none in the named module), the member is not
    /// checked.
    fn resolve_members(&mut self) {
        for PendingMember {
            mut export,
            impl_path,
            self_ty,
        } in std::mem::take(&mut self.pending)
        {
            let Some((name, prefix)) = self_ty.split_last() else {
                continue;
            };
            let module = relative_module(&impl_path, prefix);
            let classes: Vec<&Export> = self
                .exports
                .iter()
                .filter(|e| e.kind == ExportKind::Class && &e.rust_name == name)
                .collect();
            let class = match classes
                .iter()
                .find(|c| Some(c.rust_path.as_str()) == module.as_deref())
            {
                Some(class) => Some(*class),
                None if classes.len() == 1 => Some(classes[0]),
                None => None,
            };
            export.rust_name = name.clone();
            match class {
                Some(class) => export.rust_path = class.rust_path.clone(),
                None => export.expect = Expect::Unchecked,
            }
            self.add(export);
        }
    }

    fn plain_module(&mut self, path: &Path, module: &syn::ItemMod, dir: &ModDir) -> Result<()> {
        let name = module.ident.to_string();
        let explicit = path_attr(&module.attrs).map(|p| dir_of(path).join(p));
        if let Some((_, items)) = &module.content {
            let child = ModDir(explicit.unwrap_or_else(|| dir.0.join(&name)));
            return self.items(path, items, &child);
        }
        let candidates = match explicit {
            Some(file) => vec![file],
            None => vec![
                dir.0.join(format!("{name}.rs")),
                dir.0.join(&name).join("mod.rs"),
            ],
        };
        match candidates.into_iter().find(|c| c.is_file()) {
            Some(file) => {
                let child = if path_attr(&module.attrs).is_some() {
                    ModDir::of_root(&file)
                } else {
                    ModDir::of_file(&file)
                };
                self.file(&file, child)
            }
            None => Ok(()),
        }
    }

    /// The dotted path a declarative module has below the top one: `Some("")` for the
    /// `#[guarded_pymodule] mod` itself, `Some("a.b")` for a `#[pymodule] mod` nested in one
    /// (named by `name = "..."` or `#[pyo3(name = "...")]`, else its identifier), and a path
    /// starting with [`DETACHED`] for a `#[pymodule] mod` outside the guarded module (whose
    /// place an export decides).
    fn declarative_name(&self, module: &syn::ItemMod) -> Option<String> {
        match &self.context {
            None if has_attr(&module.attrs, "guarded_pymodule") => Some(String::new()),
            None => has_attr(&module.attrs, "pymodule").then(|| DETACHED.to_string()),
            Some(parent) if has_attr(&module.attrs, "pymodule") => {
                let name = python_name(&module.attrs, &["pymodule", "pyo3"])
                    .unwrap_or_else(|| unraw(&module.ident));
                Some(if parent.is_empty() {
                    name
                } else {
                    format!("{parent}.{name}")
                })
            }
            Some(_) => None,
        }
    }

    fn class(&mut self, path: &Path, ident: &syn::Ident, attrs: &[Attribute]) {
        let name = python_name(attrs, &["pyclass", "pyo3"]).unwrap_or_else(|| unraw(ident));
        self.push(
            ExportKind::Class,
            unraw(ident),
            name,
            attrs,
            path,
            ident.span(),
        );
    }

    fn push(
        &mut self,
        kind: ExportKind,
        rust_name: String,
        python_name: String,
        attrs: &[Attribute],
        path: &Path,
        span: proc_macro2::Span,
    ) {
        let (_, mut submodule) = guard_options(attrs);
        if let Some(module) = &self.context {
            // Written in a declarative module: there, or in a `#[guard(submodule)]` below it.
            self.inline.push(rust_name.clone());
            submodule = match (module.as_str(), submodule) {
                ("", sub) => sub,
                (module, None) => Some(module.to_owned()),
                (module, Some(sub)) => Some(format!("{module}.{sub}")),
            };
        }
        let mut export = self.export(kind, rust_name, python_name, path, span);
        export.submodule = submodule;
        export.expect = self.expectation(attrs);
        let marker = if kind == ExportKind::Class {
            "pyclass"
        } else {
            "pyfunction"
        };
        export.via = attrs
            .iter()
            .find(|a| last_segment_is(a, marker))
            .map_or(Macro::Unknown, |a| self.scope.resolve(a));
        self.add(export);
    }

    /// A class's or function's expectation: opted out, or only if compiled when its `#[cfg]`
    /// (or a module's around it) cannot be evaluated here.
    fn expectation(&self, attrs: &[Attribute]) -> Expect {
        match (guard_options(attrs).0, self.uncertain) {
            (true, _) => Expect::OptedOut,
            (false, true) => Expect::IfCompiled,
            (false, false) => Expect::Checked,
        }
    }

    fn export(
        &self,
        kind: ExportKind,
        rust_name: String,
        python_name: String,
        path: &Path,
        span: proc_macro2::Span,
    ) -> Export {
        Export {
            kind,
            crate_name: self.crate_name.clone(),
            rust_name,
            python_name,
            submodule: None,
            rust_path: self.mod_path.join("::"),
            expect: Expect::Checked,
            via: Macro::Unknown,
            file: relative_path(self.root, path),
            line: span.start().line,
        }
    }

    fn add(&mut self, export: Export) {
        if !self.exports.contains(&export) {
            self.exports.push(export);
        }
    }
}

/// The attributes the scan reads: a `cfg_attr` of unknown outcome holding one makes the item
/// uncertain.
const READ_ATTRIBUTES: [&str; 12] = [
    "pyclass",
    "pyfunction",
    "pymethods",
    "pyo3",
    "guard",
    "getter",
    "setter",
    "new",
    "classattr",
    "path",
    "cfg",
    "cfg_attr",
];
