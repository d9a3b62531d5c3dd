use pyo3_guard::prelude::*;

#[pyclass]
#[guard("skip")]
struct Point;

fn main() {}
