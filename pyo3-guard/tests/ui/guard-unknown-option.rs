use pyo3_guard::prelude::*;

#[pyclass]
#[guard(hidden)]
struct Point;

fn main() {}
