//! A PyO3 declarative module, the style `maturin new` generates, guarded: items written inside
//! the `mod` are PyO3's to add (nested `#[pymodule] mod`s become submodules, importable with
//! `import declarative.geo`); prelude items anywhere else in the crate add themselves.

use pyo3_guard::prelude::*;

mod shapes;

#[guarded_pymodule]
mod declarative {
    use pyo3_guard::prelude::*;

    /// Exported from another file by name, as PyO3 allows; it registers itself too (harmless).
    #[pymodule_export]
    use crate::shapes::Square;

    #[pymodule_export]
    const VERSION: &str = "1.0";

    /// Formats the sum of two numbers as string.
    #[pyfunction]
    fn sum_as_string(a: usize, b: usize) -> PyResult<String> {
        Ok((a + b).to_string())
    }

    #[pyclass]
    struct Greeter {
        #[pyo3(get)]
        name: String,
    }

    #[pymethods]
    impl Greeter {
        #[new]
        fn new(name: String) -> Self {
            Greeter { name }
        }

        fn greet(&self) -> String {
            format!("hello, {}", self.name)
        }
    }

    /// Declared for Python, deliberately not added to the module.
    #[pyclass]
    #[guard(skip)]
    struct Hidden;

    /// Written here, placed in a submodule of its own: `declarative.extras.tucked`.
    #[pyfunction]
    #[guard(submodule = "extras")]
    fn tucked() -> u8 {
        7
    }

    /// A submodule: `import declarative.geo` works.
    #[pymodule]
    mod geo {
        use pyo3_guard::prelude::*;

        #[pyclass(eq)]
        #[derive(PartialEq)]
        struct Point {
            #[pyo3(get)]
            x: f64,
        }

        #[pymethods]
        impl Point {
            #[new]
            fn new(x: f64) -> Self {
                Point { x }
            }
        }

        /// Nested again, under another Python name.
        #[pymodule]
        #[pyo3(name = "units")]
        mod unit_conversions {
            use pyo3_guard::prelude::*;

            #[pyfunction]
            fn km_to_m(km: f64) -> f64 {
                km * 1000.0
            }
        }
    }

    /// Runs after every item is added: custom setup.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("GREETING", "hello")
    }
}
