//! What every guarded module carries, full or distribution build: `__build_id__`,
//! `__build_info__` and a `__guard__`, set on the module and, in maturin's pure-Rust layout, on
//! the package around it; then the registered items are added.

use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyModule, PyString};
use pyo3_guard_engine::record::Fields;

/// Reads the embedded record's fields (the input and export lines are parsed only when a check
/// runs), makes the guard with `make_guard(build id, module name)`, sets the three names
/// and adds the registered items of the module's crate (`module_path`) and of `named_crates`
/// (less what `filter` takes out).
pub fn install<'py>(
    module: &Bound<'py, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<crate::registry::Filter>,
    make_guard: impl FnOnce(String, String) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<()> {
    let py = module.py();
    let fields = read_fields(raw)?;
    let module_name: String = module.getattr("__name__")?.extract()?;
    let (info, build_id) = build_info(py, &fields)?;
    let guard = make_guard(build_id.clone(), module_name.clone())?;

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
    crate::registry::register(module, &module_name, module_path, named_crates, filter)
}

/// The record's fields (the engine's reader is `#[inline]`, so that this crate has a copy of its
/// own and a distribution build links no engine object; here it stays one function).
#[inline(never)]
fn read_fields(raw: &[u8]) -> PyResult<Fields<'_>> {
    Fields::read(raw).map_err(|e| PyImportError::new_err(format!("pyo3-guard: {e}")))
}

/// `__build_info__`: the record's fields as a dict, in this order (docs/python.md lists them); and
/// the build id.
fn build_info<'py>(py: Python<'py>, fields: &Fields) -> PyResult<(Bound<'py, PyDict>, String)> {
    use Value::*;
    const KEYS: [(&str, Value); 16] = [
        ("build_id", Text), // first: see `build_id` below
        ("source_id", Text),
        ("crate", Text),
        ("version", Text),
        ("module", Optional),
        ("profile", Text),
        ("opt_level", Text),
        ("target", Text),
        ("features", List),
        ("rustc", Text),
        ("pyo3", Optional),
        ("source_root", Optional),
        ("inputs", Count),
        ("git_commit", Optional),
        ("git_dirty", Flag),
        ("built_at", Number),
    ];
    // One pass over the field lines (the last of a repeated key wins, as in the full parse).
    let mut raw: [Option<&str>; KEYS.len()] = [None; KEYS.len()];
    for (key, value) in fields.pairs() {
        if let Some(i) = KEYS.iter().position(|(k, _)| *k == key) {
            raw[i] = Some(value);
        }
    }
    let info = PyDict::new(py);
    let build_id = raw[0].map(Fields::unescape).unwrap_or_default();
    for ((key, kind), raw) in KEYS.into_iter().zip(raw) {
        // One Python object per kind, so that `set_item` has one instantiation.
        let text = raw.map(Fields::unescape);
        let value = match (kind, text) {
            (Text, text) => PyString::new(py, text.as_deref().unwrap_or("")).into_any(),
            (Optional | Flag, None) => py.None().into_bound(py),
            (Optional, Some(text)) => PyString::new(py, &text).into_any(),
            (Flag, Some(text)) => PyBool::new(py, text == "true").to_owned().into_any(),
            (List, text) => {
                let text = text.unwrap_or_default();
                // Collected first: PyO3 before 0.28 takes only iterators of known length.
                let names: Vec<&str> = text.split(',').filter(|f| !f.is_empty()).collect();
                PyList::new(py, names)?.into_any()
            }
            (Count, _) => PyInt::new(py, fields.inputs).into_any(),
            // `Fields::read` checked the number.
            (Number, text) => {
                PyInt::new(py, text.and_then(|t| t.parse::<u64>().ok()).unwrap_or(0)).into_any()
            }
        };
        info.set_item(key, value)?;
    }
    Ok((info, build_id))
}

/// How `build_info` turns a record field into a Python value.
#[derive(Clone, Copy)]
enum Value {
    /// A string, `""` when absent.
    Text,
    /// A string or None.
    Optional,
    /// True or False (the record says `true` or `false`), or None.
    Flag,
    /// A comma-separated list of strings.
    List,
    /// The number of inputs.
    Count,
    /// An integer, 0 when absent.
    Number,
}

/// The file Python loaded the module `name` from (`__file__` is set only after import).
pub fn loaded_file(py: Python<'_>, name: &str) -> Option<std::path::PathBuf> {
    loaded_module(py, name)?
        .getattr("__file__")
        .ok()?
        .extract()
        .ok()
}

/// The extension module `name`, as Python has it now.
pub fn loaded_module<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyAny>> {
    PyModule::import(py, "sys")
        .ok()?
        .getattr("modules")
        .ok()?
        .get_item(name)
        .ok()
}
