use pyo3_guard::prelude::*;

#[pyclass]
#[guard(submodule)]
struct Point;

fn main() {}
