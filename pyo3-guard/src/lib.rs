//! Make PyO3 extension modules prove which sources they were built from.
//!
//! Add `#[guarded_pymodule]` to your module function and call
//! [`pyo3_guard_build::emit`](https://docs.rs/pyo3-guard-build) from `build.rs`:
//!
//! ```ignore
//! use pyo3::prelude::*;
//!
//! #[pyo3_guard::guarded_pymodule]
//! fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
//!     Ok(())
//! }
//! ```
//!
//! The module (and, in maturin's pure-Rust layout, the package around it) then has:
//!
//! - `__build_id__`: a 16-hex-digit id derived only from the build's inputs;
//! - `__build_info__`: a dict describing the build (see the README for every key);
//! - `__guard__`: an object whose `verify()` raises `__guard__.StaleBuildError` when the loaded
//!   binary was not built from the sources on disk now, naming each changed file and the likely
//!   cause, and whose `check()` returns the same findings as a dict.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod guard;

/// Turns a PyO3 function module into a guarded one. Accepts what `#[pyo3::pymodule]` accepts
/// for function modules; the function must take `m: &Bound<'_, PyModule>` (optionally after
/// `py: Python<'_>`) and return `PyResult<()>`. Needs `pyo3_guard_build::emit()` in `build.rs`:
/// without it, compilation fails with a message saying what to add.
pub use pyo3_guard_macros::guarded_pymodule;

pub use guard::StaleBuildError;

/// Not public API. Used by generated code.
#[doc(hidden)]
pub mod __private {
    pub use crate::guard::install;
}
