use pyo3_guard::prelude::*;

#[pyclass]
struct Point {
    #[guard(submodule = "geo")]
    x: f64,
}

fn main() {}
