//! What the prelude's macros submit, read back from the registry without a Python interpreter
//! (nothing here calls into Python).

use pyo3_guard::prelude::*;
use pyo3_guard::registry::{items, Kind};

mod shapes {
    use pyo3_guard::prelude::*;

    #[pyclass(name = "Square")]
    pub struct Quad;

    #[pymethods]
    impl Quad {
        #[new]
        fn new() -> Self {
            Quad
        }

        #[getter]
        fn get_side(&self) -> f64 {
            1.0
        }

        #[pyo3(name = "scaled")]
        fn scale(&self) {}

        /// Declared for Python, not checked by the export check.
        #[guard(skip)]
        fn internal(&self) {}

        #[cfg(any())]
        fn compiled_out(&self) {}

        #[classattr]
        const SIDES: u32 = 4;
    }

    #[pyfunction]
    #[guard(submodule = "geo.util")]
    pub fn area() -> f64 {
        1.0
    }
}

#[pyclass(module = "elsewhere")]
struct Named;

#[guard(skip)]
#[pyclass]
struct Hidden;

#[pyfunction]
#[pyo3(name = "renamed")]
fn original() {}

fn registered() -> Vec<(&'static str, &'static str, Kind, bool, &'static str)> {
    let mut found: Vec<_> = items()
        .filter(|i| i.krate() == "registry")
        .map(|i| {
            (
                i.submodule(),
                i.name(),
                i.kind,
                i.set_module,
                i.module_path(),
            )
        })
        .collect();
    found.sort_by_key(|f| (f.0, f.1));
    found
}

#[test]
fn every_item_but_the_skipped_one_is_registered_with_its_python_name() {
    assert_eq!(
        registered(),
        [
            ("", "Named", Kind::Class, false, "registry"),
            ("", "Square", Kind::Class, true, "registry::shapes"),
            ("", "renamed", Kind::Function, true, "registry"),
            ("geo.util", "area", Kind::Function, true, "registry::shapes"),
        ]
    );
    let _ = (Named, Hidden);
}
