#[::pyo3::pymodule]
mod demo {
    use pyo3_guard::prelude::*;
    #[pyfunction]
    #[::pyo3_guard::__private::declared_inline(module = "", added)]
    fn sum_as_string(a: usize, b: usize) -> String {
        (a + b).to_string()
    }
    #[pymodule]
    mod sub {
        #[pymodule_export]
        use super::sum_as_string;
    }
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("VERSION", 1)
    }
    /// Not public API: pyo3-guard's init, run by PyO3 after it added the module's items.
    #[pymodule_init]
    fn __pyo3_guard_init(
        __pyo3_guard_module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>,
    ) -> ::pyo3::PyResult<()> {
        static __PYO3_GUARD_RECORD: &[u8] = ::core::include_bytes!(
            ::core::env!("PYO3_GUARD_RECORD",
            "pyo3-guard: no build record. Add `pyo3-guard-build` to `[build-dependencies]` and call it from build.rs: `fn main() { pyo3_guard_build::emit(); }`")
        );
        #[allow(unexpected_cfgs)]
        mod __pyo3_guard_build_kind {
            #[cfg(all(not(pyo3_guard_dist), not(pyo3_guard_threads)))]
            pub use ::pyo3_guard::__private::install;
            #[cfg(all(not(pyo3_guard_dist), pyo3_guard_threads))]
            pub use ::pyo3_guard::__private::install_threaded as install;
            #[cfg(pyo3_guard_dist)]
            pub use ::pyo3_guard::__private::install_dist as install;
        }
        ::pyo3_guard::__private::install_declarative(
            __pyo3_guard_build_kind::install,
            __pyo3_guard_module,
            __PYO3_GUARD_RECORD,
            ::core::module_path!(),
            &[],
            &["sub"],
        )?;
        ::pyo3_guard::__private::InitResult::into_init_result(init(__pyo3_guard_module))
    }
}
