use pyo3_guard::prelude::*;

use super::Point;

/// A closed polygon.
#[pyclass]
pub struct Polygon {
    points: Vec<Point>,
}

#[pymethods]
impl Polygon {
    #[new]
    fn new(points: Vec<PyRef<'_, Point>>) -> Self {
        Polygon { points: points.iter().map(|p| Point::clone(p)).collect() }
    }

    #[getter]
    fn get_corners(&self) -> usize {
        self.points.len()
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PolygonIter {
        PolygonIter { points: slf.points.clone(), next: 0 }
    }
}

/// What `iter(polygon)` returns: not meant to be constructed from Python, so not in the module.
#[guard(skip)]
#[pyclass]
pub struct PolygonIter {
    points: Vec<Point>,
    next: usize,
}

#[pymethods]
impl PolygonIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<Point> {
        let point = self.points.get(self.next).cloned();
        self.next += 1;
        point
    }
}

/// A class that names its own module keeps it.
#[pyclass(module = "registration.custom")]
pub struct Labelled;
