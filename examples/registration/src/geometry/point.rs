use pyo3_guard::prelude::*;

/// A point in the plane.
#[pyclass(frozen, get_all)]
#[derive(Clone)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[pymethods]
impl Point {
    #[new]
    fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }

    /// Distance from the origin.
    fn norm(&self) -> f64 {
        self.x.hypot(self.y)
    }

    fn __repr__(&self) -> String {
        format!("Point({}, {})", self.x, self.y)
    }
}

/// The Python name differs from the Rust one.
#[pyclass(name = "Origin")]
pub struct OriginMarker;

#[pymethods]
impl OriginMarker {
    #[new]
    fn new() -> Self {
        OriginMarker
    }
}
