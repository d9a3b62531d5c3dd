use pyo3_guard::prelude::*;

#[guarded_pymodule]
struct Demo;

fn main() {}
