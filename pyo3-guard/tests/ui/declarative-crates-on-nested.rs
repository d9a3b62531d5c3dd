use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod demo {
    use pyo3_guard::prelude::*;

    #[pymodule(crates = [core_types])]
    mod sub {}
}

fn main() {}
