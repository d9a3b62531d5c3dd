//! The export check: every class, function and member the build record says the sources
//! declare must be reachable from the loaded module. The record comes from parsing the
//! sources at build time, so this check does not depend on the linker or on the registry.

use pyo3::prelude::*;
use pyo3_guard_engine::record::{Export, ExportKind, Record};

/// How many missing items a message lists before it gives a count.
const LISTED: usize = 20;

/// One declared item Python cannot reach, and why.
pub(crate) struct Missing {
    pub export: Export,
    pub reason: String,
}

/// The declared items of `record` that `module` (the extension module) does not have.
/// `named` are the path-dependency crates the module names in `crates = [...]`.
pub(crate) fn missing_exports(module: &Bound<'_, PyAny>, record: &Record, named: &[String]) -> Vec<Missing> {
    let own = record.crate_name.replace('-', "_");
    let mut missing = Vec::new();
    for export in record.exports.iter().filter(|e| !e.skipped && e.kind != ExportKind::Member) {
        let Some(target) = submodule(module, export.submodule.as_deref()) else {
            let reason = format!("its submodule `{}` does not exist", export.submodule.as_deref().unwrap_or_default());
            missing.push(Missing { export: export.clone(), reason });
            continue;
        };
        match target.getattr(export.python_name.as_str()) {
            Ok(object) if export.kind == ExportKind::Class => {
                missing.extend(missing_members(&object, record, export));
            }
            Ok(_) => {}
            Err(_) => missing.push(Missing { export: export.clone(), reason: why_unregistered(export, record, &own, named) }),
        }
    }
    missing
}

/// The members of the class `export` (found as `class`) that the class object lacks.
fn missing_members(class: &Bound<'_, PyAny>, record: &Record, export: &Export) -> Vec<Missing> {
    record
        .exports
        .iter()
        .filter(|m| m.kind == ExportKind::Member && m.crate_name == export.crate_name && m.rust_name == export.rust_name)
        .filter(|m| !class.hasattr(m.python_name.as_str()).unwrap_or(false))
        .map(|m| Missing {
            export: m.clone(),
            reason: format!("class `{}` has no attribute `{}`", export.python_name, m.python_name),
        })
        .collect()
}

fn submodule<'py>(module: &Bound<'py, PyAny>, path: Option<&str>) -> Option<Bound<'py, PyAny>> {
    let mut current = module.clone();
    for part in path.into_iter().flat_map(|p| p.split('.')) {
        current = current.getattr(part).ok()?;
    }
    Some(current)
}

fn why_unregistered(export: &Export, record: &Record, own: &str, named: &[String]) -> String {
    let krate = &export.crate_name;
    if krate != own && !named.iter().any(|n| n == krate) {
        // Named as the code names it: a dependency renamed in Cargo.toml by its new name.
        let in_code = record.renames.iter().find(|(_, renamed)| renamed == krate).map_or(krate, |(used, _)| used);
        return format!(
            "declared in path dependency `{krate}`, which the module does not name: \
             write `#[guarded_pymodule(crates = [{in_code}])]` (naming it also keeps the linker from dropping its items)"
        );
    }
    let how = match export.kind {
        ExportKind::Class => format!("m.add_class::<{}>()", export.rust_name),
        _ => format!("m.add_function(wrap_pyfunction!({}, m)?)", export.rust_name),
    };
    if krate == own {
        format!("not registered: nothing adds it to the module. Use `pyo3_guard::prelude::*` so it registers itself, or add `{how}`")
    } else {
        format!("declared in `{krate}`, which the module names, but not registered: use `pyo3_guard::prelude::*` in `{krate}`")
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
    out += "\nAn item that is declared for Python on purpose but not exported can opt out with `#[guard(skip)]`.";
    out
}
