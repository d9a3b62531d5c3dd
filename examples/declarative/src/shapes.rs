//! Items outside the declarative module: they add themselves, as in a function module.

use pyo3_guard::prelude::*;

#[pyclass]
pub struct Square {
    #[pyo3(get)]
    side: f64,
}

#[pymethods]
impl Square {
    #[new]
    fn new(side: f64) -> Self {
        Square { side }
    }

    fn area(&self) -> f64 {
        self.side * self.side
    }
}

/// Never named in the module: registration adds it.
#[pyclass]
pub struct Circle;

/// A lifetime parameter, as real code has it.
#[pyfunction]
fn describe<'py>(py: Python<'py>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, pyo3::types::PyString>> {
    Ok(pyo3::types::PyString::new(py, &format!("<{}>", value.repr()?)))
}

/// Placed in the declarative submodule `geo` from outside it.
#[pyfunction]
#[guard(submodule = "geo")]
fn origin_distance(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt()
}
