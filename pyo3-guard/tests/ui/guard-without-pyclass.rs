use pyo3_guard::prelude::*;

#[guard(skip)]
struct Point;

fn main() {}
