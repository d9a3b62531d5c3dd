// A crate name that is not a dependency: rustc's unresolved import, at the name.
use pyo3_guard::prelude::*;

#[guarded_pymodule(crates = [core_typos])]
fn bar(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}

fn main() {}
