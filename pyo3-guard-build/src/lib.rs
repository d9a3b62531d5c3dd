//! Build-script helper of [pyo3-guard](https://docs.rs/pyo3-guard): fingerprints every input of
//! a PyO3 extension build and embeds the result, so the built module can tell Python which
//! sources it was built from. One call, from `build.rs`:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     pyo3_guard_build::emit();
//! }
//! ```
//!
//! [`emit`] walks the crate's manifest, build script and `src/` tree, then the same for every
//! path dependency (wherever it lives), plus the workspace manifest and the lock file. It hashes
//! each file, derives the build id from those hashes and the build configuration (profile, opt
//! level, features, target, rustc, `RUSTFLAGS`), and writes a build record that
//! `#[pyo3_guard::guarded_pymodule]` embeds. See [`emit`] for the exact `cargo:` lines and the
//! environment variables it reads (`PYO3_GUARD_DIST`, `PYO3_GUARD_OMIT_PATHS`,
//! `SOURCE_DATE_EPOCH`).
//!
//! The walk, the hashes and the record are those of `pyo3-guard-engine`, which the extension
//! uses again at run time to tell whether the loaded binary still matches the sources on disk.

#![warn(missing_docs)]
#![deny(unsafe_code)]
// The crate example is a build script, whose `fn main` is the point.
#![allow(clippy::needless_doctest_main)]

#[doc(hidden)]
#[cfg(feature = "exports")]
pub mod attrs;
#[cfg(feature = "exports")]
mod by_hand;
#[cfg(feature = "exports")]
mod dep_features;
mod emit;
mod manifest;
#[cfg(feature = "exports")]
mod members;
#[cfg(feature = "exports")]
mod scope;
#[doc(hidden)]
pub mod workspace;

pub use emit::emit;

// Not public API: the build side's entry points that the `pyo3-guard` command, this crate's
// tests and the benchmarks use. The engine's own modules are reached through
// `pyo3-guard-engine` by name, never through this crate.
#[doc(hidden)]
#[cfg(feature = "exports")]
pub mod cfg;
#[doc(hidden)]
pub mod discover;
#[doc(hidden)]
pub use emit::{
    build_record, dist_choice, emit_to, BuildEnv, CRATE_RENAMES_ENV, DIST_CFG, DIST_ENV,
    MODULE_NAME_ENV, OMIT_PATHS_ENV, RECORD_ENV, THREADS_CFG,
};
#[doc(hidden)]
#[cfg(feature = "exports")]
pub mod exports;
