#[::pyo3::pymodule]
fn demo(__pyo3_guard_arg0: &Bound<'_, PyModule>) -> PyResult<()> {
    static __PYO3_GUARD_RECORD: &[u8] = ::core::include_bytes!(
        ::core::env!("PYO3_GUARD_RECORD",
        "pyo3-guard: no build record. Add `pyo3-guard-build` to `[build-dependencies]` and call it from build.rs: `fn main() { pyo3_guard_build::emit(); }`")
    );
    fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("VERSION", 1)?;
        Ok(())
    }
    #[allow(unexpected_cfgs)]
    mod __pyo3_guard_build_kind {
        #[cfg(all(not(pyo3_guard_dist), not(pyo3_guard_threads)))]
        pub use ::pyo3_guard::__private::install;
        #[cfg(all(not(pyo3_guard_dist), pyo3_guard_threads))]
        pub use ::pyo3_guard::__private::install_threaded as install;
        #[cfg(pyo3_guard_dist)]
        pub use ::pyo3_guard::__private::install_dist as install;
    }
    __pyo3_guard_build_kind::install(
        __pyo3_guard_arg0,
        __PYO3_GUARD_RECORD,
        ::core::module_path!(),
        &[],
        ::core::option::Option::None,
    )?;
    demo(__pyo3_guard_arg0)
}
