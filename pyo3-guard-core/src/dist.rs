//! The `__guard__` of a distribution build (`PYO3_GUARD_DIST=1` at build time): the same build
//! record, `__build_id__` and `__build_info__`, but no check. `#[guarded_pymodule]` then names
//! [`install`] instead of the full one, so the engine (walk, hashing, diagnosis, export check)
//! is not linked. The installed file is checked from outside, by the `pyo3-guard` command.
//! Kept small on purpose: every method and every value type of a dict costs code in every wheel.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyModule, PyString};

/// Not public API. What `#[guarded_pymodule]` calls in a distribution build, in place of
/// `guard::install`.
pub fn install(
    module: &Bound<'_, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<crate::registry::Filter>,
) -> PyResult<()> {
    crate::attrs::install(
        module,
        raw,
        module_path,
        named_crates,
        filter,
        |build_id, module_name| {
            let guard = DistGuard {
                build_id,
                module_name,
            };
            Ok(Bound::new(module.py(), guard)?.into_any())
        },
    )
}

/// `module.__guard__` of a distribution build: `check()` says "unverifiable" and why,
/// `verify()` and the pytest hook never raise.
#[pyclass(frozen, module = "pyo3_guard", name = "Guard")]
struct DistGuard {
    build_id: String,
    module_name: String,
}

#[pymethods]
impl DistGuard {
    /// Returns None: a distribution build cannot check itself (see `check()["message"]`).
    #[pyo3(signature = (source_root=None))]
    fn verify(&self, source_root: Option<Bound<'_, PyAny>>) {
        let _ = source_root;
    }

    /// The keys of a full build's `check()`, with verdict "unverifiable", the reason in `notes`
    /// and `message`, and the commands that check the installed file from outside in `fixes`.
    #[pyo3(signature = (source_root=None))]
    fn check<'py>(
        &self,
        py: Python<'py>,
        source_root: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let _ = source_root;
        // Strings only (no path or OS-string conversion): a path that is not valid Unicode is
        // shown as FILE. Every value a Python object, every list one instantiation.
        let file: Option<String> = crate::attrs::loaded_module(py, &self.module_name)
            .and_then(|module| module.getattr("__file__").ok()?.extract().ok());
        let python: String = py.import("sys")?.getattr("executable")?.extract()?;
        let name = self.display_name();
        let reason = format!("{name} is a distribution build (PYO3_GUARD_DIST=1 at build time): it carries its build record, not the check");
        let path = file.as_deref().map_or("FILE".into(), shell_word);
        let inspect = format!("read its build id without importing it: pyo3-guard inspect {path}");
        let doctor = format!("compare it with a checkout, in the checkout's directory: pyo3-guard doctor --python {}", shell_word(&python));
        let message = format!("unverifiable: {reason}; {inspect}; {doctor}");
        let text = |s: &str| PyString::new(py, s).into_any();
        let list = |items: &[&str]| PyList::new(py, items).map(Bound::into_any);
        let none = py.None().into_bound(py);
        let empty = || PyList::empty(py).into_any();
        let (notes, fixes) = (list(&[&reason])?, list(&[&inspect, &doctor])?);
        let entries = [
            ("verdict", text("unverifiable")),
            ("build_id", text(&self.build_id)),
            ("file", file.as_deref().map_or(none.clone(), text)),
            ("source_root", none.clone()),
            ("changed", empty()),
            ("added", empty()),
            ("removed", empty()),
            ("touched", PyInt::new(py, 0u32).into_any()),
            ("notes", notes),
            ("installer", none.clone()),
            ("cause", none),
            ("fixes", fixes),
            ("missing", empty()),
            ("unchecked", empty()),
            ("message", text(&message)),
        ];
        let dict = PyDict::new(py);
        for (key, value) in entries {
            dict.set_item(key, value)?;
        }
        Ok(dict)
    }

    /// The pytest hook of a full build; here it lets the session run.
    #[pyo3(signature = (session))]
    fn pytest_sessionstart(&self, session: Bound<'_, PyAny>) {
        let _ = session;
    }

    fn __repr__(&self) -> String {
        format!(
            "<pyo3-guard for {} build {} (distribution build: no check)>",
            self.display_name(),
            self.build_id
        )
    }
}

impl DistGuard {
    fn display_name(&self) -> &str {
        crate::registry::public_name(&self.module_name)
    }
}

/// `path` as one shell word, so the printed command works when pasted.
fn shell_word(path: &str) -> String {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"/._-+=:@%,".contains(&b);
    if !path.is_empty() && path.bytes().all(plain) {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}
