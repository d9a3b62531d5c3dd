//! Plain Rust types exposed to Python, in a crate of their own. Nothing here knows which
//! module will add them: the module names this crate in `crates = [...]`.

use pyo3_guard::prelude::*;

/// A point in the plane.
#[pyclass(frozen)]
pub struct Point {
    #[pyo3(get)]
    pub x: f64,
    #[pyo3(get)]
    pub y: f64,
}

#[pymethods]
impl Point {
    #[new]
    fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }
}

/// A length in metres, in submodule `units`.
#[pyclass(frozen)]
#[guard(submodule = "units")]
pub struct Metres {
    #[pyo3(get)]
    pub value: f64,
}

#[pymethods]
impl Metres {
    #[new]
    fn new(value: f64) -> Self {
        Metres { value }
    }
}

/// Converts feet to metres.
#[pyfunction]
#[guard(submodule = "units")]
fn feet(value: f64) -> Metres {
    Metres { value: value * 0.3048 }
}
