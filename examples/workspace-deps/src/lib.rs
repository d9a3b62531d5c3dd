//! An extension whose classes live in a path-dependency crate. The module names that crate, so
//! its registered items are added (and the linker keeps them): without `crates = [core_types]`
//! they would not be in the module, even though the crate is a dependency.

use pyo3_guard::prelude::*;

/// The extension's own function, registered like the dependency's items.
#[pyfunction]
fn describe() -> &'static str {
    "classes from core_types, registered by pyo3-guard"
}

#[guarded_pymodule(crates = [core_types])]
fn app(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}
