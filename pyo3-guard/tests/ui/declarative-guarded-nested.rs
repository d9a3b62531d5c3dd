use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod demo {
    #[guarded_pymodule]
    mod sub {}
}

fn main() {}
