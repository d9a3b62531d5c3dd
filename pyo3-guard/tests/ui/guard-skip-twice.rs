use pyo3_guard::prelude::*;

#[pyclass]
#[guard(skip, skip)]
struct Point;

fn main() {}
