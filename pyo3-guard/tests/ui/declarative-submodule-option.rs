use pyo3_guard::prelude::*;

#[guarded_pymodule(submodule)]
mod sub {}

fn main() {}
