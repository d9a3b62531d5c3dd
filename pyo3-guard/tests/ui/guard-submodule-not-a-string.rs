use pyo3_guard::prelude::*;

#[pyclass]
#[guard(submodule = geometry)]
struct Point;

fn main() {}
