use pyo3_guard::prelude::*;

#[pyclass]
#[guard(submodule = "geometry")]
#[guard(submodule = "shapes")]
struct Point;

fn main() {}
