use pyo3_guard::prelude::*;

#[pyclass]
#[guard]
struct Point;

fn main() {}
