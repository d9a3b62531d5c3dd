//! The Rust edits of `convert`: pyo3-guard's prelude for PyO3's, `#[guarded_pymodule]` on the
//! module maturin builds, a function module's add lines kept (or, when asked, deleted), and
//! `#[guard(skip)]` on every class and function nothing added before. What the crate declares comes from the build
//! script's own scan (`pyo3_guard_build::exports`), so the two cannot disagree.

use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Item, Stmt, UseTree};

use pyo3_guard_build::attrs::{has_attr, python_name, unraw};
use pyo3_guard_build::cfg::CfgEnv;
use pyo3_guard_build::exports;
use pyo3_guard_engine::record::{Expect, Export, ExportKind};

use super::source::Source;

/// PyO3's macros that a name import takes from `pyo3` (it wins over the prelude's glob), so
/// the convert moves them to `pyo3_guard::prelude`.
const MACROS: [&str; 4] = ["pyclass", "pyfunction", "pymethods", "pymodule"];

/// What the Rust side of the conversion found and planned.
pub struct RustPlan {
    pub sources: Vec<Source>,
    /// `src/lib.rs:12` and the module's name: the module maturin builds.
    pub top: String,
    /// The top module carried `#[guarded_pymodule]` already: no Rust source is touched.
    pub converted_before: bool,
    /// One line per edited file: what changed there.
    pub changes: Vec<String>,
    /// Lines of the module function that add something and stay, each with why (when add lines
    /// are deleted).
    pub kept: Vec<String>,
    /// How many add lines of the module function stay because add lines are kept (the default).
    pub add_lines_kept: usize,
    /// The items marked `#[guard(skip)]`, by file and line.
    pub unpublished: Vec<((String, usize), String)>,
}

/// Plans the Rust edits of the crate at `root` (canonical) whose library root is `lib`, for the
/// module maturin imports as `PyInit_<module>`. `files` are the crate's Rust sources. The
/// module function's add lines stay unless `delete_add_lines`: the body then adds those items
/// in its own order, as PyO3 did (the build script reads the lines, so they do not register).
pub fn plan(
    root: &Path,
    lib: &Path,
    crate_name: &str,
    module: &str,
    files: &[std::path::PathBuf],
    publish_all: bool,
    delete_add_lines: bool,
) -> Result<RustPlan, String> {
    let mut sources = Vec::new();
    for path in files {
        let rel = pyo3_guard_engine::inputs::relative_path(root, path);
        sources.push(Source::read(path.clone(), rel)?);
    }
    let (index, top) = find_top_module(&sources, module)?;
    let top_item = top.item.clone();
    let mut plan = RustPlan {
        top: format!("{}:{}", sources[index].rel, top.line),
        converted_before: top.guarded,
        changes: Vec::new(),
        kept: Vec::new(),
        add_lines_kept: 0,
        unpublished: Vec::new(),
        sources: Vec::new(),
    };
    if top.guarded {
        plan.sources = sources;
        return Ok(plan);
    }
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); sources.len()];
    for (source, notes) in sources.iter_mut().zip(&mut notes) {
        let swapped = swap_prelude(source);
        if swapped > 0 {
            notes.push(format!("pyo3-guard's prelude for PyO3's ({swapped} `use`)"));
        }
        // A user's `#[pyo3::pyclass]` is a #[pyclass] too: it registers, and the check sees it.
        let routed = super::sources_only::route_explicit_paths(source, false);
        if routed > 0 {
            notes.push(format!(
                "{routed} explicit path{} to PyO3's macros routed to pyo3-guard's prelude",
                plural(routed)
            ));
        }
    }
    guard_attribute(&mut sources[index], &top_item, top.siblings_glob);
    notes[index].push(format!(
        "#[guarded_pymodule] on `{module}` (line {})",
        top.line
    ));

    // What the crate declares for Python, read as the build script reads it.
    let mut scan =
        exports::scan(root, lib, crate_name, &CfgEnv::default()).map_err(|e| e.to_string())?;
    scan.place_module_exports(&[]);
    let mut registered: Vec<Registered> = scan
        .exports
        .iter()
        .filter(|e| matches!(e.kind, ExportKind::Class | ExportKind::Function))
        .filter(|e| e.expect != Expect::OptedOut)
        .filter_map(|e| Registered::find(&sources, e))
        .collect();
    let conditional = Registered::conditional(&sources, &registered);
    registered.extend(conditional);

    if let Item::Fn(function) = &top_item {
        let (deletable, kept) = additions(&sources[index], function, &registered);
        if !delete_add_lines {
            plan.add_lines_kept = deletable.len();
        } else if !deletable.is_empty() {
            let deleted = deletable.len();
            delete_additions(&mut sources[index], function, deletable);
            notes[index].push(format!(
                "{deleted} add line{} deleted (the items add themselves)",
                plural(deleted)
            ));
            plan.kept = kept;
        }
    }

    if !publish_all {
        let added = hand_added(&sources);
        let mut marked = vec![0; sources.len()];
        for item in &registered {
            let exported = scan.module_exports.iter().any(|m| m.name == item.rust_name);
            let placed_by_pyo3 = scan.inline.contains(&item.rust_name) || exported;
            if placed_by_pyo3
                || item.submodule
                || added.contains(&(item.kind == ExportKind::Class, item.rust_name.clone()))
            {
                continue;
            }
            let source = &mut sources[item.source];
            if let Some(attr) = &item.attr {
                let indent = source.indent(attr.start).to_owned();
                let mark = if source.alone_on_line(attr) {
                    format!("\n{indent}#[guard(skip)]")
                } else {
                    " #[guard(skip)]".to_owned()
                };
                source.insert(attr.end, mark);
            }
            // `#[cfg_attr(c, pyclass, guard(skip))]`: the mark exists exactly when the class does.
            for meta in &item.cfg_attrs {
                source.insert(meta.end, ", guard(skip)");
            }
            let line = item.line;
            marked[item.source] += 1;
            let kind = if item.kind == ExportKind::Class {
                "class"
            } else {
                "function"
            };
            plan.unpublished.push((
                (source.rel.clone(), line),
                format!("{}:{line}: {kind} {}", source.rel, item.python_name),
            ));
        }
        for (n, notes) in marked.into_iter().zip(&mut notes) {
            if n > 0 {
                notes.push(format!("#[guard(skip)] on {n} item{}", plural(n)));
            }
        }
    }
    for (source, notes) in sources.iter().zip(notes) {
        if !notes.is_empty() {
            plan.changes
                .push(format!("{}: {}", source.rel, notes.join("; ")));
        }
    }
    plan.sources = sources;
    Ok(plan)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The module maturin builds: its item, where it is, and whether it is guarded already.
struct TopModule {
    item: Item,
    line: usize,
    guarded: bool,
    /// The module it is written in imports a prelude glob (so `#[guarded_pymodule]` resolves).
    siblings_glob: bool,
}

/// The one `#[pymodule]` (or `#[guarded_pymodule]`) named `module`, function or declarative, in
/// whatever file: one error naming each candidate when there are several, or naming the
/// expected name when there is none.
fn find_top_module(sources: &[Source], module: &str) -> Result<(usize, TopModule), String> {
    let mut found: Vec<(usize, TopModule)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        walk_modules(&source.file.items, &mut |item, siblings| {
            let (attrs, ident) = match item {
                Item::Fn(f) => (&f.attrs, &f.sig.ident),
                Item::Mod(m) => (&m.attrs, &m.ident),
                _ => return,
            };
            let guarded = has_attr(attrs, "guarded_pymodule");
            if !guarded && !has_attr(attrs, "pymodule") {
                return;
            }
            let name = python_name(attrs, &["guarded_pymodule", "pymodule", "pyo3"])
                .unwrap_or_else(|| unraw(ident));
            let line = source.line(source.range(ident.span()).start);
            if name != module {
                others.push(format!("`{name}` ({}:{line})", source.rel));
                return;
            }
            found.push((
                index,
                TopModule {
                    item: item.clone(),
                    line,
                    guarded,
                    siblings_glob: siblings.iter().any(imports_prelude_glob),
                },
            ));
        });
    }
    match found.len() {
        1 => Ok(found.pop().expect("one")),
        0 => Err(format!(
            "no #[pymodule] named `{module}` in the crate's sources, and maturin imports the module as \
             PyInit_{module}{}; name the module `{module}` (or add #[pyo3(name = \"{module}\")]), then convert again",
            if others.is_empty() {
                String::new()
            } else {
                format!(" (found {})", others.join(", "))
            }
        )),
        _ => Err(format!(
            "{} modules are named `{module}`, which maturin imports as PyInit_{module}: {}; keep one \
             (or give the others another name), then convert again",
            found.len(),
            found
                .iter()
                .map(|(i, t)| format!("{}:{}", sources[*i].rel, t.line))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Calls `f` with every item outside a `#[pymodule]`/`#[guarded_pymodule] mod` (whose nested
/// modules are submodules, never the top) and the items beside it.
fn walk_modules<'a>(items: &'a [Item], f: &mut impl FnMut(&'a Item, &'a [Item])) {
    for item in items {
        f(item, items);
        if let Item::Mod(m) = item {
            let declarative =
                has_attr(&m.attrs, "pymodule") || has_attr(&m.attrs, "guarded_pymodule");
            if let (Some((_, inner)), false) = (&m.content, declarative) {
                walk_modules(inner, f);
            }
        }
    }
}

/// Calls `f` with every item at any depth (inline modules, and `use` items inside functions).
fn walk_all<'a>(items: &'a [Item], f: &mut impl FnMut(&'a Item)) {
    for item in items {
        f(item);
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    walk_all(inner, f);
                }
            }
            Item::Fn(function) => {
                for stmt in &function.block.stmts {
                    if let Stmt::Item(inner) = stmt {
                        walk_all(std::slice::from_ref(inner), f);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `use pyo3::prelude::*` or `use pyo3_guard::prelude::*` (alone or in a group).
fn imports_prelude_glob(item: &Item) -> bool {
    let Item::Use(used) = item else { return false };
    let UseTree::Path(root) = &used.tree else {
        return false;
    };
    if root.ident != "pyo3" && root.ident != "pyo3_guard" {
        return false;
    }
    match &*root.tree {
        UseTree::Group(g) => g.items.iter().any(is_prelude_glob),
        tree => is_prelude_glob(tree),
    }
}

fn is_prelude_glob(tree: &UseTree) -> bool {
    matches!(tree, UseTree::Path(p) if p.ident == "prelude" && matches!(&*p.tree, UseTree::Glob(_)))
}

/// A macro of [`MACROS`] named in a `use` tree below `pyo3` (`pyclass`, `prelude::pyclass`).
fn macro_name(tree: &UseTree) -> Option<String> {
    match tree {
        UseTree::Name(n) if MACROS.contains(&n.ident.to_string().as_str()) => {
            Some(n.ident.to_string())
        }
        UseTree::Path(p) if p.ident == "prelude" => macro_name(&p.tree),
        _ => None,
    }
}

/// Swaps PyO3's prelude for pyo3-guard's in every `use` of the file: `use pyo3::prelude::*`,
/// the prelude inside a group, and the macros imported by name. Returns how many `use` changed.
fn swap_prelude(source: &mut Source) -> usize {
    let mut uses: Vec<syn::ItemUse> = Vec::new();
    walk_all(&source.file.items, &mut |item| {
        if let Item::Use(used) = item {
            uses.push(used.clone());
        }
    });
    uses.iter()
        .filter(|used| swap_use(source, used, false))
        .count()
}

/// Swaps PyO3's prelude for pyo3-guard's in one `use` (of `pyo3`, or of `pyo3_macros` that
/// PyO3's macros come from); whether it changed. What moves out of a group goes into a `use`
/// of its own after it: on the next line, or with `same_line` on the same one (line numbers
/// kept).
pub(super) fn swap_use(source: &mut Source, used: &syn::ItemUse, same_line: bool) -> bool {
    let UseTree::Path(root) = &used.tree else {
        return false;
    };
    if root.ident != "pyo3" && root.ident != "pyo3_macros" {
        return false;
    }
    let start = used.leading_colon.map_or_else(
        || source.range(root.ident.span()).start,
        |c| source.range(c.spans[0]).start,
    );
    let whole = start..source.range(used.tree.span()).end;
    let group = match &*root.tree {
        UseTree::Group(group) => group,
        tree if is_prelude_glob(tree) => {
            source.replace(whole, "pyo3_guard::prelude::*");
            return true;
        }
        tree => {
            let Some(name) = macro_name(tree) else {
                return false;
            };
            source.replace(whole, format!("pyo3_guard::prelude::{name}"));
            return true;
        }
    };
    let elements: Vec<&UseTree> = group.items.iter().collect();
    let mut glob = false;
    let mut names: Vec<String> = Vec::new();
    let mut removed: Vec<usize> = Vec::new();
    for (i, tree) in elements.iter().enumerate() {
        if is_prelude_glob(tree) {
            glob = true;
            removed.push(i);
        } else if let Some(name) = macro_name(tree) {
            names.push(name);
            removed.push(i);
        }
    }
    if removed.is_empty() {
        return false;
    }
    let moved = if glob {
        "pyo3_guard::prelude::*".to_owned()
    } else if names.len() == 1 {
        format!("pyo3_guard::prelude::{}", names[0])
    } else {
        format!("pyo3_guard::prelude::{{{}}}", names.join(", "))
    };
    if removed.len() == elements.len() {
        source.replace(whole, moved);
        return true;
    }
    let spans: Vec<std::ops::Range<usize>> =
        elements.iter().map(|e| source.range(e.span())).collect();
    let span_of = |i: usize| spans[i].clone();
    for &i in &removed {
        let range = if i + 1 < elements.len() {
            span_of(i).start..span_of(i + 1).start
        } else {
            // The last one: from the end of the last element kept before it.
            let kept = (0..i)
                .rev()
                .find(|j| !removed.contains(j))
                .expect("one is kept");
            span_of(kept).end..span_of(i).end
        };
        // With `same_line`, the line breaks stay (and the next line's indentation).
        let removed = &source.text[range.clone()];
        let with = match removed.rfind('\n') {
            Some(last) if same_line => {
                let indent = &removed[last + 1..];
                let indent = if indent.trim().is_empty() { indent } else { "" };
                "\n".repeat(removed.matches('\n').count()) + indent
            }
            _ => String::new(),
        };
        source.replace(range, with);
    }
    let item_start = match &used.vis {
        syn::Visibility::Inherited => source.range(used.use_token.span).start,
        vis => source.range(vis.span()).start,
    };
    let vis = &source.text[item_start..source.range(used.use_token.span).start];
    let before = if same_line {
        " ".to_owned()
    } else {
        format!("\n{}", source.indent(item_start))
    };
    let line = format!("{before}{vis}use {moved};");
    let end = source.range(used.semi_token.span).end;
    source.insert(end, line);
    true
}

/// `#[pymodule]` becomes `#[guarded_pymodule]` (or `#[pyo3_guard::guarded_pymodule]` where no
/// prelude glob brings that name in); its arguments stay.
fn guard_attribute(source: &mut Source, item: &Item, glob_in_scope: bool) {
    let attrs = match item {
        Item::Fn(f) => &f.attrs,
        Item::Mod(m) => &m.attrs,
        _ => return,
    };
    let Some(attr) = attrs.iter().find(|a| last_is(a, "pymodule")) else {
        return;
    };
    let path = attr.path();
    let new = if path.segments.len() == 1 && glob_in_scope {
        "guarded_pymodule"
    } else {
        "pyo3_guard::guarded_pymodule"
    };
    let range = source.range(path.span());
    source.replace(range, new);
}

fn last_is(attr: &Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

/// A class or function that registers itself once converted: a prelude `#[pyclass]` /
/// `#[pyfunction]` (a single-segment attribute, which the prelude now names, or one of
/// `pyo3_guard`'s paths), with where its attribute is.
struct Registered {
    kind: ExportKind,
    rust_name: String,
    python_name: String,
    /// Placed in a submodule by `#[guard(submodule)]` or by PyO3 (a declarative module's).
    submodule: bool,
    source: usize,
    /// The line of its name.
    line: usize,
    /// The `#[pyclass]` / `#[pyfunction]` attribute, when it is one of its own.
    attr: Option<std::ops::Range<usize>>,
    /// The `pyclass(...)` / `pyfunction(...)` inside each `#[cfg_attr(predicate, ...)]`.
    cfg_attrs: Vec<std::ops::Range<usize>>,
}

impl Registered {
    fn find(sources: &[Source], export: &Export) -> Option<Registered> {
        let index = sources.iter().position(|s| s.rel == export.file)?;
        let source = &sources[index];
        let marker = if export.kind == ExportKind::Class {
            "pyclass"
        } else {
            "pyfunction"
        };
        let mut found = None;
        walk_all(&source.file.items, &mut |item| {
            let (attrs, ident) = match item {
                Item::Struct(s) => (&s.attrs, &s.ident),
                Item::Enum(e) => (&e.attrs, &e.ident),
                Item::Fn(f) => (&f.attrs, &f.sig.ident),
                _ => return,
            };
            if unraw(ident) != export.rust_name
                || source.line(source.range(ident.span()).start) != export.line
            {
                return;
            }
            found = Some(markers(source, attrs, marker));
        });
        let (attr, cfg_attrs) = found?;
        let mut paths = attr.iter().chain(&cfg_attrs).map(|(p, _)| p).peekable();
        let registers = paths.peek().is_some() && paths.all(registers);
        registers.then(|| Registered {
            kind: export.kind,
            rust_name: export.rust_name.clone(),
            python_name: export.python_name.clone(),
            submodule: export.submodule.is_some(),
            source: index,
            line: export.line,
            attr: attr.map(|(_, range)| range),
            cfg_attrs: cfg_attrs.into_iter().map(|(_, range)| range).collect(),
        })
    }
}

impl Registered {
    /// Each class or function declared only inside `#[cfg_attr(predicate, pyclass)]` that the
    /// scan did not report (it drops one whose predicate it cannot evaluate, such as a feature):
    /// it registers itself whenever it exists, so it is marked as the others are.
    fn conditional(sources: &[Source], known: &[Registered]) -> Vec<Registered> {
        let mut found = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            walk_all(&source.file.items, &mut |item| {
                let (attrs, ident, kind) = match item {
                    Item::Struct(s) => (&s.attrs, &s.ident, ExportKind::Class),
                    Item::Enum(e) => (&e.attrs, &e.ident, ExportKind::Class),
                    Item::Fn(f) => (&f.attrs, &f.sig.ident, ExportKind::Function),
                    _ => return,
                };
                let marker = if kind == ExportKind::Class {
                    "pyclass"
                } else {
                    "pyfunction"
                };
                let line = source.line(source.range(ident.span()).start);
                let (None, inside) = markers(source, attrs, marker) else {
                    return;
                };
                if inside.is_empty()
                    || !inside.iter().all(|(path, _)| registers(path))
                    || known.iter().any(|r| r.source == index && r.line == line)
                {
                    return;
                }
                // Its Python name, from `pyclass(name = "...")` inside the cfg_attr too.
                let declared = inside.iter().filter_map(|(_, range)| {
                    let meta = syn::parse_str::<syn::Meta>(&source.text[range.clone()]).ok()?;
                    Some(syn::parse_quote!(#[#meta]))
                });
                let all: Vec<Attribute> = attrs.iter().cloned().chain(declared).collect();
                found.push(Registered {
                    kind,
                    rust_name: unraw(ident),
                    python_name: python_name(&all, &[marker, "pyo3"])
                        .unwrap_or_else(|| unraw(ident)),
                    submodule: false,
                    source: index,
                    line,
                    attr: None,
                    cfg_attrs: inside.into_iter().map(|(_, range)| range).collect(),
                });
            });
        }
        found
    }
}

/// Whether an attribute path reaches pyo3-guard's macro once converted: a single segment (the
/// prelude's name now), one of `pyo3_guard`'s paths, or PyO3's explicit path (routed to it).
fn registers(path: &syn::Path) -> bool {
    path.segments.len() == 1
        || path.segments[0].ident == "pyo3_guard"
        || super::sources_only::routed_path(path)
}

/// An attribute's path and where it is.
type Marker = (syn::Path, std::ops::Range<usize>);

/// The attribute `marker` (`pyclass`, `pyfunction`) among `attrs`, and each one inside a
/// `#[cfg_attr(predicate, ...)]`.
fn markers(source: &Source, attrs: &[Attribute], marker: &str) -> (Option<Marker>, Vec<Marker>) {
    let own = attrs
        .iter()
        .find(|a| last_is(a, marker))
        .map(|a| (a.path().clone(), source.range(a.span())));
    let mut inside = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg_attr")) {
        let syn::Meta::List(list) = &attr.meta else {
            continue;
        };
        let parts = pyo3_guard_build::cfg::split_commas(list.tokens.clone());
        for meta in parts.into_iter().skip(1) {
            let Ok(meta) = syn::parse2::<syn::Meta>(meta) else {
                continue;
            };
            if meta
                .path()
                .segments
                .last()
                .is_some_and(|s| s.ident == marker)
            {
                inside.push((meta.path().clone(), source.range(meta.span())));
            }
        }
    }
    (own, inside)
}

/// The module function's own module parameter (`m`), if it has one.
fn module_param(function: &syn::ItemFn) -> Option<String> {
    function.sig.inputs.iter().find_map(|arg| match arg {
        syn::FnArg::Typed(t) if t.ty.to_token_stream().to_string().contains("PyModule") => {
            match &*t.pat {
                syn::Pat::Ident(p) => Some(p.ident.to_string()),
                _ => None,
            }
        }
        _ => None,
    })
}

/// The statements of the module function that only add a registered item
/// (`m.add_class::<T>()?;`, `m.add_function(wrap_pyfunction!(f, m)?)?;`,
/// `m.add_wrapped(wrap_pyfunction!(f))?;`), which `--delete-add-lines` deletes, and every other
/// statement that adds something, each with why it would stay.
fn additions(
    source: &Source,
    function: &syn::ItemFn,
    registered: &[Registered],
) -> (Vec<std::ops::Range<usize>>, Vec<String>) {
    let module_param = module_param(function);
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    for stmt in &function.block.stmts {
        let range = source.range(stmt.span());
        let tokens = stmt.to_token_stream();
        if !adds_something(&tokens) {
            continue;
        }
        let why = match addition(stmt, module_param.as_deref()) {
            Some((is_class, name)) => {
                let matching: Vec<&Registered> = registered
                    .iter()
                    .filter(|r| (r.kind == ExportKind::Class) == is_class && r.rust_name == name)
                    .collect();
                match matching.as_slice() {
                    [one] if !one.submodule => {
                        deleted.push(range);
                        continue;
                    }
                    [_] => format!("{name} is placed in a submodule, not here"),
                    [] => format!("{name} is not an item that registers itself (PyO3's own macro, or another crate's)"),
                    _ => format!("several items are named {name}"),
                }
            }
            None if mentions(&tokens, "add_submodule") || mentions(&tokens, "wrap_pymodule") => {
                "it adds a submodule".to_owned()
            }
            None if addition_method(stmt).as_deref() == Some("add") => {
                "it adds a value under a name of its own".to_owned()
            }
            None => "it does more than add one item that adds itself".to_owned(),
        };
        let line = source.line(range.start);
        kept.push(format!(
            "{}:{line}: {}  ({why})",
            source.rel,
            source.quote(&range)
        ));
    }
    (deleted, kept)
}

/// Deletes the statements `deleted` (found by [`additions`]) of the module function.
fn delete_additions(
    source: &mut Source,
    function: &syn::ItemFn,
    deleted: Vec<std::ops::Range<usize>>,
) {
    let module_param = module_param(function);
    let uses_param = |source: &Source| {
        module_param.as_deref().is_some_and(|m| {
            function.block.stmts.iter().any(|stmt| {
                let range = source.range(stmt.span());
                !deleted.contains(&range) && mentions(&stmt.to_token_stream(), m)
            })
        })
    };
    if !deleted.is_empty() && !uses_param(source) {
        // The parameter is unused now: say it is meant to be (as the README's example does).
        let first = deleted[0].clone();
        let indent = source.indent(first.start).to_owned();
        let param = module_param.clone().unwrap_or_default();
        source.insert(
            source.line_start(first.start),
            format!("{indent}let _ = {param}; // the classes and functions add themselves\n"),
        );
    }
    for range in deleted {
        source.delete_statement(range);
    }
}

/// `(is_class, name)` when the statement is exactly one addition to the module parameter,
/// without attributes: `m.add_class::<T>()?;`, `m.add_function(wrap_pyfunction!(f, m)?)?;`,
/// `m.add_wrapped(wrap_pyfunction!(f))?;`.
fn addition(stmt: &Stmt, module: Option<&str>) -> Option<(bool, String)> {
    let Stmt::Expr(Expr::Try(outer), Some(_)) = stmt else {
        return None;
    };
    let Expr::MethodCall(call) = &*outer.expr else {
        return None;
    };
    if !outer.attrs.is_empty() || !call.attrs.is_empty() {
        return None;
    }
    let Expr::Path(receiver) = &*call.receiver else {
        return None;
    };
    if !receiver.path.is_ident(module?) {
        return None;
    }
    let args: Vec<&Expr> = call.args.iter().collect();
    match (call.method.to_string().as_str(), args.as_slice()) {
        ("add_class", []) => {
            let turbofish = call.turbofish.as_ref()?;
            let [syn::GenericArgument::Type(syn::Type::Path(ty))] =
                turbofish.args.iter().collect::<Vec<_>>()[..]
            else {
                return None;
            };
            Some((true, unraw(&ty.path.segments.last()?.ident)))
        }
        ("add_function", [Expr::Try(wrapped)]) => {
            wrapped_function(&wrapped.expr, 2).map(|name| (false, name))
        }
        ("add_wrapped", [wrapped]) => wrapped_function(wrapped, 1).map(|name| (false, name)),
        _ => None,
    }
}

/// The method a statement `receiver.method(...)?;` calls.
fn addition_method(stmt: &Stmt) -> Option<String> {
    let Stmt::Expr(Expr::Try(outer), _) = stmt else {
        return None;
    };
    let Expr::MethodCall(call) = &*outer.expr else {
        return None;
    };
    Some(call.method.to_string())
}

/// The function named by `wrap_pyfunction!(path)` (`args`: 1) or `wrap_pyfunction!(path, m)` (2).
fn wrapped_function(expr: &Expr, args: usize) -> Option<String> {
    let Expr::Macro(mac) = expr else { return None };
    let name = mac.mac.path.segments.last()?;
    if name.ident != "wrap_pyfunction" {
        return None;
    }
    let parts = pyo3_guard_build::cfg::split_commas(mac.mac.tokens.clone());
    if parts.len() != args {
        return None;
    }
    let path: syn::Path = syn::parse2(parts[0].clone()).ok()?;
    Some(unraw(&path.segments.last()?.ident))
}

/// Whether the tokens call a method or macro whose name starts with `add` (an addition of some
/// kind: `add`, `add_class`, `add_submodule`, ...) or wrap one (`wrap_pymodule!`).
fn adds_something(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        TokenTree::Ident(id) => {
            let id = id.to_string();
            id == "add" || id.starts_with("add_") || id.starts_with("wrap_py")
        }
        TokenTree::Group(g) => adds_something(&g.stream()),
        _ => false,
    })
}

fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        TokenTree::Ident(id) => id == name,
        TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// Every class and function some code adds by hand under its own name, anywhere in the crate
/// (the top module or a submodule): `(is_class, name)` for `add_class::<T>` and for
/// `add_function(wrap_pyfunction!(f ...))` / `add_wrapped(wrap_pyfunction!(f))`. A type
/// object or function added under another name (`m.add("Alias", py.get_type::<T>())`), or used
/// for something else (`T::type_object(py)` registered with an ABC), does not count: the item
/// registering itself under its own name would be new.
fn hand_added(sources: &[Source]) -> Vec<(bool, String)> {
    let mut found = Vec::new();
    for source in sources {
        if let Ok(tokens) = source
            .text
            .trim_start_matches('\u{feff}')
            .parse::<TokenStream>()
        {
            added_in(tokens, &mut found);
        }
    }
    found
}

fn added_in(tokens: TokenStream, found: &mut Vec<(bool, String)>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        let id = match token {
            TokenTree::Group(g) => {
                added_in(g.stream(), found);
                continue;
            }
            TokenTree::Ident(id) => id.to_string(),
            _ => continue,
        };
        let rest = &tokens[i + 1..];
        if id == "add_class" {
            // `add_class::<path::T>`: the last identifier before the closing `>`.
            let generic: Vec<&TokenTree> = rest
                .iter()
                .skip_while(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ':'))
                .skip(1)
                .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '>'))
                .collect();
            if let Some(TokenTree::Ident(name)) = generic.last() {
                found.push((true, unraw_str(&name.to_string())));
            }
        } else if id == "add_function" || id == "add_wrapped" {
            // `add_function(wrap_pyfunction!(path::f, m)?)`: the last identifier of the path.
            let Some(TokenTree::Group(call)) = rest.first() else {
                continue;
            };
            let inner: Vec<TokenTree> = call.stream().into_iter().collect();
            let (Some(TokenTree::Ident(mac)), Some(TokenTree::Group(args))) =
                (inner.first(), inner.get(2))
            else {
                continue;
            };
            if mac != "wrap_pyfunction" {
                continue;
            }
            let first = pyo3_guard_build::cfg::split_commas(args.stream());
            let name = first.first().and_then(|path| {
                path.clone()
                    .into_iter()
                    .filter_map(|t| match t {
                        TokenTree::Ident(id) => Some(id.to_string()),
                        _ => None,
                    })
                    .last()
            });
            if let Some(name) = name {
                found.push((false, unraw_str(&name)));
            }
        }
    }
}

fn unraw_str(name: &str) -> String {
    name.strip_prefix("r#").unwrap_or(name).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swapped(text: &str) -> String {
        let mut source = Source::parse("x.rs".into(), "src/x.rs".into(), text.into()).unwrap();
        swap_prelude(&mut source);
        source.edited()
    }

    #[test]
    fn the_prelude_is_swapped_in_every_spelling() {
        assert_eq!(
            swapped("use pyo3::prelude::*;\n"),
            "use pyo3_guard::prelude::*;\n"
        );
        assert_eq!(
            swapped("use ::pyo3::prelude::*;\n"),
            "use ::pyo3_guard::prelude::*;\n".replace("::pyo3_guard", "pyo3_guard")
        );
        assert_eq!(
            swapped("    pub use pyo3::{prelude::*, types::{PyDate, PyDelta}};\n"),
            "    pub use pyo3::{types::{PyDate, PyDelta}};\n    pub use pyo3_guard::prelude::*;\n"
        );
        assert_eq!(
            swapped("use pyo3::{PyTypeInfo, prelude::*};\n"),
            "use pyo3::{PyTypeInfo};\nuse pyo3_guard::prelude::*;\n"
        );
        assert_eq!(
            swapped("use pyo3::{pyclass, Bound, pymethods};\nuse pyo3::pyfunction;\n"),
            "use pyo3::{Bound};\nuse pyo3_guard::prelude::{pyclass, pymethods};\nuse pyo3_guard::prelude::pyfunction;\n"
        );
        assert_eq!(
            swapped("use pyo3::{prelude::*};\n"),
            "use pyo3_guard::prelude::*;\n"
        );
        // Left alone: other crates, other names, renames.
        let other = "use pyo3::types::PyDict;\nuse pyo3::pyclass as pc;\nuse other::prelude::*;\n";
        assert_eq!(swapped(other), other);
        // A comment and the layout of a multi-line group stay.
        assert_eq!(
            swapped("use pyo3::{\n    // types\n    types::PyDict,\n    prelude::*,\n};\n"),
            "use pyo3::{\n    // types\n    types::PyDict,\n};\nuse pyo3_guard::prelude::*;\n"
        );
    }

    #[test]
    fn hand_additions_are_found_in_every_spelling() {
        let mut found = Vec::new();
        added_in(
            "fn f() { m.add_class::<geo::Point>()?; m.add_function(wrap_pyfunction!(crate::a::f, m)?)?; \
             m.add(\"T\", py.get_type::<T>())?; abc.call1((U::type_object(py),))?; \
             m.add(\"h\", wrap_pyfunction!(h, m)?)?; sub.add_wrapped(wrap_pyfunction!(r#g))?; }"
                .parse()
                .unwrap(),
            &mut found,
        );
        // Not T, U or h: added under another name, or not added at all.
        let expected = [(true, "Point"), (false, "f"), (false, "g")];
        assert_eq!(found, expected.map(|(c, n)| (c, n.to_owned())).to_vec());
    }
}
