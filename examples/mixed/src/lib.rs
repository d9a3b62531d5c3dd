//! The native half of a mixed Rust/Python package.

use pyo3::prelude::*;

/// Adds two numbers in Rust.
#[pyfunction]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[pyo3_guard::guarded_pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    Ok(())
}
