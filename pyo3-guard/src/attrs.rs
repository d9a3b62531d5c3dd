//! What every guarded module carries, full or distribution build: `__build_id__`,
//! `__build_info__` and a `__guard__`, set on the module and, in maturin's pure-Rust layout, on
//! the package around it; then the registered items are added.

use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyModule};
use pyo3_guard_engine::record::Record;

/// Reads the embedded record's fields (the input and export lines are parsed only when a check
/// runs), makes the guard from them with `make_guard(fields, module name)`, sets the three names
/// and adds the registered items of the module's crate (`module_path`) and of `named_crates`.
pub(crate) fn install<'py>(
    module: &Bound<'py, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    make_guard: impl FnOnce(Record, String) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<()> {
    let py = module.py();
    let (summary, input_count) =
        Record::parse_summary(raw).map_err(|e| PyImportError::new_err(format!("pyo3-guard: {e}")))?;
    let module_name: String = module.getattr("__name__")?.extract()?;
    let build_id = summary.build_id.clone();
    let info = build_info(py, &summary, input_count)?;
    let guard = make_guard(summary, module_name.clone())?;

    let mut targets = vec![module.clone().into_any()];
    // `demo.demo` inside package `demo`: the package's `from .demo import *` skips dunder
    // names, so set them on the package (already in sys.modules while it imports us) as well.
    let public = crate::registry::public_name(&module_name);
    if public != module_name {
        let modules = PyModule::import(py, "sys")?.getattr("modules")?;
        if let Ok(package) = modules.get_item(public) {
            targets.push(package);
        }
    }
    for target in targets {
        target.setattr("__build_id__", &build_id)?;
        target.setattr("__build_info__", &info)?;
        target.setattr("__guard__", &guard)?;
    }
    crate::registry::register(module, &module_name, module_path, named_crates)
}

/// `__build_info__`: the record's fields as a dict.
fn build_info<'py>(py: Python<'py>, r: &Record, input_count: usize) -> PyResult<Bound<'py, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("build_id", &r.build_id)?;
    info.set_item("source_id", &r.source_id)?;
    info.set_item("crate", &r.crate_name)?;
    info.set_item("version", &r.crate_version)?;
    info.set_item("module", r.module_name.as_deref())?;
    info.set_item("profile", &r.profile)?;
    info.set_item("opt_level", &r.opt_level)?;
    info.set_item("target", &r.target)?;
    info.set_item("features", PyList::new(py, &r.features)?)?;
    info.set_item("rustc", &r.rustc)?;
    info.set_item("pyo3", r.pyo3_version.as_deref())?;
    info.set_item("source_root", r.source_root.as_deref())?;
    info.set_item("inputs", input_count)?;
    info.set_item("git_commit", r.git_commit.as_deref())?;
    info.set_item("git_dirty", r.git_dirty)?;
    info.set_item("built_at", r.built_at)?;
    Ok(info)
}

/// The file Python loaded the module `name` from (`__file__` is set only after import).
pub(crate) fn loaded_file(py: Python<'_>, name: &str) -> Option<std::path::PathBuf> {
    loaded_module(py, name)?.getattr("__file__").ok()?.extract().ok()
}

/// The extension module `name`, as Python has it now.
pub(crate) fn loaded_module<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyAny>> {
    PyModule::import(py, "sys").ok()?.getattr("modules").ok()?.get_item(name).ok()
}
