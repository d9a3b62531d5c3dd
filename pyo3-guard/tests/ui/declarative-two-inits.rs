use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod demo {
    use pyo3_guard::prelude::*;

    #[pymodule_init]
    fn first(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("A", 1)
    }

    #[pymodule_init]
    fn second(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("B", 2)
    }
}

fn main() {}
