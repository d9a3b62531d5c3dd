// An option PyO3 rejects: PyO3's own error, and no other.
use pyo3_guard::prelude::*;

#[guarded_pymodule(name = "bar", frozen)]
mod bar {}

fn main() {}
