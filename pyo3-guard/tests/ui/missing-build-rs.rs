// A crate without `pyo3_guard_build::emit()` in build.rs (trybuild crates have no build script).
use pyo3_guard::prelude::*;

#[guarded_pymodule]
fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
