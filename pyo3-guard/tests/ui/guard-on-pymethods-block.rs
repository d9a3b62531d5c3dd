use pyo3_guard::prelude::*;

#[pyclass]
struct Counter {
    value: i64,
}

#[pymethods]
#[guard(skip)]
impl Counter {
    fn reset(&mut self) {
        self.value = 0;
    }
}

fn main() {}
