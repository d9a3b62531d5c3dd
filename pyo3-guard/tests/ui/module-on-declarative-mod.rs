use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod demo {}

fn main() {}
