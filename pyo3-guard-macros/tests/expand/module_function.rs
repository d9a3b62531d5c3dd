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
        pub use dist::install;
        #[cfg(pyo3_guard_dist)]
        mod dist {
            use ::pyo3::prelude::*;
            pub fn install(
                module: &Bound<'_, ::pyo3::types::PyModule>,
                raw: &'static [u8],
                module_path: &str,
                named_crates: &[&str],
                filter: ::core::option::Option<::pyo3_guard::__private::Filter>,
            ) -> PyResult<()> {
                ::pyo3_guard::__private::install_dist(
                    module,
                    raw,
                    module_path,
                    named_crates,
                    filter,
                    &[
                        &verify::_PYO3_DEF,
                        &check::_PYO3_DEF,
                        &pytest_sessionstart::_PYO3_DEF,
                        &pytest_addoption::_PYO3_DEF,
                    ],
                )
            }
            /// Returns None: a distribution build cannot check itself (see `check()["message"]`).
            #[pyfunction]
            #[pyo3(signature = (source_root = None, rebuild = None))]
            fn verify(
                source_root: Option<Bound<'_, PyAny>>,
                rebuild: Option<Bound<'_, PyAny>>,
            ) {
                let _ = (source_root, rebuild);
            }
            /// The keys of a full build's `check()`, with verdict "unverifiable", the reason in
            /// `notes` and `message`, and the commands that check the installed file from
            /// outside in `fixes`.
            #[pyfunction]
            #[pyo3(pass_module, signature = (source_root = None))]
            fn check<'py>(
                guard: &Bound<'py, ::pyo3::types::PyModule>,
                source_root: Option<Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, ::pyo3::types::PyDict>> {
                let _ = source_root;
                ::pyo3_guard::__private::dist_check(guard)
            }
            /// The pytest hook of a full build; here it lets the session run.
            #[pyfunction]
            #[pyo3(signature = (session))]
            fn pytest_sessionstart(session: Bound<'_, PyAny>) {
                let _ = session;
            }
            /// The pytest hook of a full build that adds `--pyo3-guard-rebuild`; here the option
            /// is accepted and does nothing, so the same command line works.
            #[pyfunction]
            #[pyo3(signature = (parser))]
            fn pytest_addoption(parser: Bound<'_, PyAny>) -> PyResult<()> {
                ::pyo3_guard::__private::dist_pytest_addoption(&parser)
            }
        }
    }
    let __pyo3_guard_body = demo(__pyo3_guard_arg0);
    if __pyo3_guard_body.is_ok() {
        __pyo3_guard_build_kind::install(
            __pyo3_guard_arg0,
            __PYO3_GUARD_RECORD,
            ::core::module_path!(),
            &[],
            ::core::option::Option::None,
        )?;
    }
    __pyo3_guard_body
}
