use pyo3_guard::prelude::*;

#[guarded_pymodule]
fn demo<T>(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
