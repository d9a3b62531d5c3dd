//! Classes and functions spread over files and Rust modules, a submodule, an opted-out class:
//! not one `add_class` or `add_function` in the crate. The module function only does the
//! custom setup that registration cannot do.

use pyo3_guard::prelude::*;

mod geometry;
mod text;

/// Defined in an inline module: registered like any other item.
mod inline {
    use pyo3_guard::prelude::*;

    /// Returns the answer.
    #[pyfunction]
    pub fn answer() -> u32 {
        42
    }
}

#[guarded_pymodule]
fn registration(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Runs after every registered item is added: custom setup only.
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    // An item added by hand is left to this body (the build script reads the line): it does not
    // register as well, and keeps its place in `__all__`.
    m.add_class::<geometry::Point>()?;
    Ok(())
}
