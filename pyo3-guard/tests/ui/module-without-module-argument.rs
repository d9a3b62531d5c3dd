use pyo3_guard::prelude::*;

#[guarded_pymodule]
fn demo() -> PyResult<()> {
    Ok(())
}

fn main() {}
