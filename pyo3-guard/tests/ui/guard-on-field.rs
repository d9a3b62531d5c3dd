use pyo3_guard::prelude::*;

#[pyclass]
struct Point {
    #[guard(skip)]
    x: f64,
}

fn main() {}
