use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod demo {
    use pyo3_guard::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>, extra: u32) -> PyResult<()> {
        let _ = (m, extra);
        Ok(())
    }
}

fn main() {}
