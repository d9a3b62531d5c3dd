use pyo3_guard::prelude::*;

#[guarded_pymodule(crates = ["core-types"])]
fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
