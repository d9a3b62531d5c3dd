//! The native half of a mixed Rust/Python package.
//!
//! `add` is added by hand with PyO3's own macros; `scale` uses pyo3-guard's registering
//! `#[pyfunction]`, in submodule `mixed_demo._native.ops`. Both have stubs:
//! `python/mixed_demo/_native/__init__.pyi` and `.../_native/ops/__init__.pyi` (`stub-gen`).

use pyo3::prelude::*;

/// Adds two numbers in Rust.
#[pyo3_guard::prelude::pyfunction]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Multiplies by a factor.
#[pyo3_guard::prelude::pyfunction]
#[guard(submodule = "ops")]
fn scale(value: f64, factor: f64) -> f64 {
    value * factor
}

#[pyo3_guard::guarded_pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    Ok(())
}
