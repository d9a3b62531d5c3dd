use pyo3_guard::prelude::*;

#[pyclass]
struct Counter {
    value: i64,
}

#[pymethods]
impl Counter {
    #[guard(skip)]
    fn reset(&mut self) {
        self.value = 0;
    }
}

fn main() {}
