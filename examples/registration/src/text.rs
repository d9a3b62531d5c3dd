//! Functions at the top level and in submodules `registration.text` and
//! `registration.text.case`.

use pyo3_guard::prelude::*;

/// Upper-cases and adds an exclamation mark.
#[pyfunction]
fn shout(word: &str) -> String {
    format!("{}!", word.to_uppercase())
}

/// Splits on whitespace.
#[pyfunction]
#[guard(submodule = "text")]
fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

/// Counts characters; its Python name is `length`.
#[pyfunction]
#[pyo3(name = "length")]
#[guard(submodule = "text")]
fn char_count(line: &str) -> usize {
    line.chars().count()
}

/// A class in a submodule.
#[pyclass]
#[guard(submodule = "text")]
pub struct Token {
    #[pyo3(get)]
    text: String,
}

#[pymethods]
impl Token {
    #[new]
    fn new(text: String) -> Self {
        Token { text }
    }
}

/// In a nested submodule.
#[pyfunction]
#[guard(submodule = "text.case")]
fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
