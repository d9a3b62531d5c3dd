use pyo3_guard::prelude::*;

#[guarded_pymodule(crates = [core_types, shapes, core_types])]
fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
