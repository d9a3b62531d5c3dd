use pyo3_guard::prelude::*;

#[pyfunction]
#[guard()]
fn answer() -> u32 {
    42
}

fn main() {}
