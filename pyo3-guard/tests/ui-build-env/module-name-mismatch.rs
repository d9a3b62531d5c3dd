// maturin builds `bar` (the driver sets PYO3_GUARD_MODULE_NAME as pyo3-guard-build would).
use pyo3_guard::prelude::*;

#[guarded_pymodule]
fn foo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
