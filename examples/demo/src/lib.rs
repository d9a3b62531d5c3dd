//! The pyo3-guard demo: a small module whose build Python can check.

use pyo3::prelude::*;

/// A counter that Python code can step.
#[pyclass]
struct Counter {
    value: i64,
}

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start=0))]
    fn new(start: i64) -> Self {
        Counter { value: start }
    }

    /// Adds `by` and returns the new value.
    #[pyo3(signature = (by=1))]
    fn increment(&mut self, by: i64) -> i64 {
        self.value += by;
        self.value
    }

    #[getter]
    fn value(&self) -> i64 {
        self.value
    }
}

/// Returns a greeting.
#[pyfunction]
fn greet(name: &str) -> String {
    format!("hello, {name}")
}

#[pyo3_guard::guarded_pymodule]
fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Counter>()?;
    m.add_function(wrap_pyfunction!(greet, m)?)?;
    Ok(())
}
