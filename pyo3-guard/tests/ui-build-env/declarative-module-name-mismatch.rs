use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod foo {
    use pyo3_guard::prelude::*;

    #[pyfunction]
    fn f() {}
}

fn main() {}
