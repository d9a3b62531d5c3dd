//! The export check: every class, function and member the build record says the sources
//! declare must be reachable from the loaded module. The record comes from parsing the
//! sources at build time, so this check does not depend on the linker; the registry is only
//! consulted for items behind a `#[cfg]` the build script could not evaluate (their entry says
//! whether they were compiled, and under which name).

use pyo3::prelude::*;
use pyo3_guard_engine::record::{Expect, Export, ExportKind, Macro, Record};

use pyo3_guard_core::registry::{self, Item, SUBMODULE_DEPTH};

/// How many missing items a message lists before it gives a count.
const LISTED: usize = 20;

/// One declared item Python cannot reach (or that the check does not look for), and why.
pub(crate) struct Missing {
    pub export: Export,
    pub reason: String,
}

/// What the check found: the declared items the loaded module lacks, and those it could not
/// look for.
#[derive(Default)]
pub(crate) struct Findings {
    pub missing: Vec<Missing>,
    pub unchecked: Vec<Missing>,
}

/// The declared items of `record` that `module` (the extension module) does not have, and those
/// the check does not look for. `named` are the path-dependency crates the module names in
/// `crates = [...]`.
pub(crate) fn findings(module: &Bound<'_, PyAny>, record: &Record, named: &[String]) -> Findings {
    let own = record.crate_name.replace('-', "_");
    let mut found = Findings::default();
    for export in record
        .exports
        .iter()
        .filter(|e| e.kind != ExportKind::Member)
    {
        let (name, submodule) = match export.expect {
            Expect::OptedOut => continue,
            Expect::Unchecked => {
                found.unchecked.push(Missing {
                    export: export.clone(),
                    reason: UNSURE.into(),
                });
                continue;
            }
            Expect::IfCompiled => match registry_entry(export) {
                // Compiled, and registered: the entry knows its exact name and place.
                Some(entry) => (
                    entry.name(),
                    (!entry.submodule().is_empty()).then_some(entry.submodule()),
                ),
                None => {
                    found.unchecked.push(Missing {
                        export: export.clone(),
                        reason: CFG_UNKNOWN.into(),
                    });
                    continue;
                }
            },
            Expect::Checked => (export.python_name.as_str(), export.submodule.as_deref()),
        };
        // Added by hand to a submodule and by the top module's own code too: expected in both.
        if submodule.is_some()
            && added_by_hand(&record.by_hand_top, export, &own)
            && module.getattr(name).is_err()
        {
            found.missing.push(Missing {
                export: Export {
                    submodule: None,
                    ..export.clone()
                },
                reason: NOT_RUN_AT_TOP.into(),
            });
        }
        let target = submodule_of(module, submodule);
        let object = target.as_ref().and_then(|target| target.getattr(name).ok());
        // An item added by hand to a hand-built submodule is reachable there; one expected in a
        // submodule, only in a module of that name (two codec modules may both have `compress`).
        let within = submodule.map(|path| path.rsplit('.').next().unwrap_or(path));
        let object =
            object.or_else(|| find_by_hand(module, name, export.kind, within, SUBMODULE_DEPTH));
        match object {
            Some(object) if export.kind == ExportKind::Class => {
                members(&object, record, export, &mut found)
            }
            Some(_) => {}
            None => {
                let registered = registry_entry(export).is_some();
                let reason = match submodule {
                    Some(path) if added_by_hand(&record.by_hand, export, &own) => format!(
                        "added to the submodule `{path}` by a line the build script read (an add \
                         line, or a #[pymodule_export]), but not there: see whether that line runs"
                    ),
                    None if added_by_hand(&record.by_hand_top, export, &own) => {
                        NOT_RUN_AT_TOP.into()
                    }
                    Some(path) if target.is_none() && !registered => {
                        module_not_added(path, export, &own)
                    }
                    _ => why_unregistered(export, record, &own, named, registered),
                };
                found.missing.push(Missing {
                    export: export.clone(),
                    reason,
                });
            }
        }
    }
    found
}

/// Whether `export` is one of the record's items added by hand (`by_hand`: to a submodule,
/// `by_hand_top`: to the module), spelt as `module_path!()` spells the crate's own items.
fn added_by_hand(by_hand: &[String], export: &Export, own: &str) -> bool {
    export.crate_name == own
        && by_hand.iter().any(|entry| {
            entry.rsplit_once("::").is_some_and(|(path, ident)| {
                ident == export.rust_name
                    && path.split_once("::").map_or("", |(_, rest)| rest) == export.rust_path
            })
        })
}

const NOT_RUN_AT_TOP: &str = "added by hand in the module's own code (the build script read the \
line, so it does not register), but not in the module: see whether that line runs";
const UNSURE: &str =
    "not checked: the scan cannot tell for sure how Python names it or where it goes";
const CFG_UNKNOWN: &str =
    "not checked: behind a #[cfg] the build script cannot evaluate, and no registration \
says whether it was compiled";

/// The registration of `export` linked into this binary, if any: matched by crate, Rust module
/// and name.
fn registry_entry(export: &Export) -> Option<&'static Item> {
    registry::items().find(|item| {
        item.rust_name() == export.rust_name && item.krate() == export.crate_name && {
            let path = item
                .module_path()
                .split_once("::")
                .map_or("", |(_, rest)| rest);
            path == export.rust_path
        }
    })
}

/// The members of the class `export` (found as `class`) that the class object lacks. Members
/// belong to the class of the same crate, Rust module and name.
fn members(class: &Bound<'_, PyAny>, record: &Record, export: &Export, found: &mut Findings) {
    let of_class = record.exports.iter().filter(|m| {
        m.kind == ExportKind::Member
            && m.crate_name == export.crate_name
            && m.rust_name == export.rust_name
            && m.rust_path == export.rust_path
    });
    for member in of_class {
        match member.expect {
            Expect::Checked if !class.hasattr(member.python_name.as_str()).unwrap_or(false) => found.missing.push(Missing {
                export: member.clone(),
                reason: format!(
                    "class `{}` has no attribute `{}`; if it is not meant for Python, mark it `#[guard(skip)]`",
                    export.python_name, member.python_name
                ),
            }),
            Expect::Unchecked => found.unchecked.push(Missing { export: member.clone(), reason: UNSURE.into() }),
            _ => {}
        }
    }
}

fn submodule_of<'py>(module: &Bound<'py, PyAny>, path: Option<&str>) -> Option<Bound<'py, PyAny>> {
    let mut current = module.clone();
    for part in path.into_iter().flat_map(|p| p.split('.')) {
        current = current.getattr(part).ok()?;
    }
    Some(current)
}

/// `name` in a submodule made at run time (by `PyModule::new` and `add_submodule`, say): a class
/// or function of that name in a module attribute without a `__file__` (never a module loaded
/// from disk, such as `sys`), `depth` levels down at most. With `within`, only in a submodule
/// of that name (its attribute name, or the last part of its `__name__`).
fn find_by_hand<'py>(
    module: &Bound<'py, PyAny>,
    name: &str,
    kind: ExportKind,
    within: Option<&str>,
    depth: usize,
) -> Option<Bound<'py, PyAny>> {
    if depth == 0 {
        return None;
    }
    let dict = module
        .getattr("__dict__")
        .ok()?
        .cast_into::<pyo3::types::PyDict>()
        .ok()?;
    for (key, value) in dict.iter() {
        if !registry::is_run_time_module(&value) {
            continue;
        }
        // Its attribute name, or the last part of its `__name__`.
        let ends_in = |name: Bound<'py, PyAny>, wanted: &str| {
            name.extract::<String>()
                .is_ok_and(|n| n.rsplit('.').next() == Some(wanted))
        };
        let named = |wanted: &str| {
            ends_in(key.clone(), wanted)
                || value.getattr("__name__").is_ok_and(|n| ends_in(n, wanted))
        };
        if within.is_none_or(named) {
            if let Ok(object) = value.getattr(name) {
                let is_class = object.is_instance_of::<pyo3::types::PyType>();
                if is_class == (kind == ExportKind::Class) {
                    return Some(object);
                }
            }
        }
        if let Some(object) = find_by_hand(&value, name, kind, within, depth - 1) {
            return Some(object);
        }
    }
    None
}

/// Why an item PyO3 adds to the declarative module `path` is missing: that module is not in the
/// module (a `#[pymodule] mod` outside the guarded one that nothing exports, say).
fn module_not_added(path: &str, export: &Export, own: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let how = match export.rust_path.rsplit("::").next() {
        // The item is written directly in that module (of this crate): its Rust path is the module's.
        Some(module) if module == last && export.crate_name == own => format!(
            ": add it with `#[pymodule_export] use crate::{0};` in the declarative module (or \
             `m.add_wrapped(pyo3::wrap_pymodule!(crate::{0}))?;` in a module function)",
            export.rust_path
        ),
        _ => String::new(),
    };
    format!("written in the declarative module `{last}`, which is not in the module{how}")
}

fn why_unregistered(
    export: &Export,
    record: &Record,
    own: &str,
    named: &[String],
    registered: bool,
) -> String {
    let krate = &export.crate_name;
    // Named as the code names it: a dependency renamed in Cargo.toml by its new name.
    let in_code = record
        .source_layout
        .renames
        .iter()
        .find(|(_, renamed)| renamed == krate)
        .map_or(krate.as_str(), |(used, _)| used);
    let (attribute, macro_name) = match export.kind {
        ExportKind::Class => ("#[pyclass]", "pyclass"),
        _ => ("#[pyfunction]", "pyfunction"),
    };
    let is_dependency = krate != own;
    let path = rust_item_path(export, if is_dependency { in_code } else { "crate" });
    let by_hand = match export.kind {
        ExportKind::Class => format!("`m.add_class::<{path}>()` in a module function"),
        _ => format!("`m.add_function(wrap_pyfunction!({path}, m)?)` in a module function"),
    };
    let by_hand = format!(
        "add it by hand ({by_hand}, `#[pymodule_export] use {path};` in a declarative module)"
    );
    let fix_macro = match export.via {
        Macro::Pyo3ByName => format!(
            "`{macro_name}` is imported from PyO3 by name in {} (a name import wins over the prelude's glob): \
             import it from `pyo3_guard::prelude` instead",
            export.file
        ),
        _ => format!("use `pyo3_guard::prelude::*` in {} so it registers itself", export.file),
    };
    if is_dependency && !named.iter().any(|n| n == krate) {
        if matches!(export.via, Macro::Pyo3 | Macro::Pyo3ByName) {
            return format!(
                "declared with PyO3's own {attribute} in path dependency `{krate}`, and nothing adds it: {by_hand}; \
                 or {fix_macro} and name the crate: `#[guarded_pymodule(crates = [{in_code}])]`"
            );
        }
        return format!(
            "declared in path dependency `{krate}`, which the module does not name: \
             write `#[guarded_pymodule(crates = [{in_code}])]` (naming it also keeps the linker from dropping its items)"
        );
    }
    if registered {
        return "registered with pyo3-guard, but not in the module: see what the module's body or \
                `#[pymodule_init]` does with it"
            .into();
    }
    if is_dependency {
        return format!("declared in `{krate}`, which the module names, with PyO3's own {attribute}, which does not register: {fix_macro}");
    }
    let place = match &export.submodule {
        Some(sub) => format!("the submodule `{sub}`"),
        None => "the module".into(),
    };
    format!("not registered: declared with PyO3's own {attribute}, and nothing adds it to {place}. {}, or {by_hand}", capitalize(&fix_macro))
}

/// Our own ASCII sentences only: `to_uppercase` would link Unicode's case tables (12 KiB).
fn capitalize(text: &str) -> String {
    let mut text = text.to_owned();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}

/// `crate::geo::Point` (`krate` as the code names it: `crate` for the module's own): valid in a
/// `use` and in an expression, in any module of the crate.
fn rust_item_path(export: &Export, krate: &str) -> String {
    let name = raw_if_keyword(&export.rust_name);
    if export.rust_path.is_empty() {
        format!("{krate}::{name}")
    } else {
        let path: Vec<String> = export.rust_path.split("::").map(raw_if_keyword).collect();
        format!("{krate}::{}::{name}", path.join("::"))
    }
}

/// `r#match` for an identifier the record keeps unraw'd (`match`): a keyword is valid in a path
/// only written raw.
fn raw_if_keyword(ident: &str) -> String {
    const KEYWORDS: [&str; 48] = [
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield",
    ];
    if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_owned()
    }
}

/// Where the item is, as a message shows it: `class Point (src/geo.rs:12, submodule geo)`.
pub(crate) fn describe(export: &Export) -> String {
    let kind = match export.kind {
        ExportKind::Class => "class",
        ExportKind::Function => "function",
        ExportKind::Member => "member",
    };
    let mut place = format!("{}:{}", export.file, export.line);
    if let Some(sub) = &export.submodule {
        place += &format!(", submodule {sub}");
    }
    let name = match export.kind {
        ExportKind::Member => format!("{}.{}", export.rust_name, export.python_name),
        _ => export.python_name.clone(),
    };
    format!("{kind} {name} ({place})")
}

/// The message of a MissingExportError.
pub(crate) fn missing_message(module: &str, missing: &[Missing]) -> String {
    let mut out = format!(
        "{module} is missing {} item{} its sources declare for Python:",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" }
    );
    for m in missing.iter().take(LISTED) {
        out += &format!("\n  {}: {}", describe(&m.export), m.reason);
    }
    if missing.len() > LISTED {
        out += &format!("\n  ... and {} more", missing.len() - LISTED);
    }
    out += "\nTo keep an item out of Python on purpose, mark it `#[guard(skip)]`: below the prelude's `#[pyclass]` \
            or `#[pyfunction]`, or on a `#[pymethods]` method or a field.";
    out
}
