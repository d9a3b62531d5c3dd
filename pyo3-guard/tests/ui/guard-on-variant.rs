use pyo3_guard::prelude::*;

#[pyclass(eq, eq_int)]
#[derive(PartialEq)]
enum Colour {
    Red,
    #[guard(skip)]
    Green,
}

fn main() {}
