use pyo3_guard::prelude::*;

#[guarded_pymodule(crates = [core_types], crates = [shapes])]
fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
