//! The pyo3-guard demo: a small module whose build Python can check. Its class and function
//! register themselves: the module function adds nothing by hand.

use pyo3_guard::prelude::*;

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

#[guarded_pymodule]
fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m; // Counter and greet are added already; custom setup would go here.
    Ok(())
}
