use pyo3_guard::prelude::*;

#[pyclass]
struct Counter {
    value: i64,
}

#[pymethods]
impl Counter {
    #[guard(submodule = "util")]
    fn reset(&mut self) {
        self.value = 0;
    }
}

fn main() {}
