use pyo3_guard::prelude::*;

#[guarded_pymodule]
async fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
