use pyo3_guard::prelude::*;

#[pyfunction]
#[guard(skip, submodule = "text")]
fn shout(word: &str) -> String {
    word.to_uppercase()
}

fn main() {}
