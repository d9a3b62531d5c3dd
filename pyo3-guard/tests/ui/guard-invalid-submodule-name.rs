use pyo3_guard::prelude::*;

#[pyclass]
#[guard(submodule = "geometry-2d")]
struct Point;

fn main() {}
