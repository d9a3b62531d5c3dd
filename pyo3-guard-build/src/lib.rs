//! Build-script helper of [pyo3-guard](https://docs.rs/pyo3-guard): fingerprints every input of
//! a PyO3 extension build and embeds the result, so the built module can tell Python which
//! sources it was built from.
//!
//! ```no_run
//! // build.rs
//! # #[cfg(feature = "emit")]
//! fn main() {
//!     pyo3_guard_build::emit();
//! }
//! # #[cfg(not(feature = "emit"))]
//! # fn main() {}
//! ```
//!
//! [`emit`] walks the crate's manifest, build script and `src/` tree, then the same for every
//! path dependency (wherever it lives), plus the workspace manifest and the lock file. It hashes
//! each file, derives the build id from those hashes and the build configuration (profile, opt
//! level, features, target, rustc, `RUSTFLAGS`), and writes a build record that
//! `#[pyo3_guard::guarded_pymodule]` embeds. See [`emit`] for the exact `cargo:` lines.
//!
//! The same engine ([`inputs::from_record`], [`check::check`]) runs again at run time, from
//! Python, to tell whether the loaded binary still matches the sources on disk.

#![deny(unsafe_code)]
// The crate example is a build script, whose `fn main` is the point.
#![allow(clippy::needless_doctest_main)]
// The crate docs describe `emit`, which the run-time build (feature `emit` off) leaves out.
#![cfg_attr(not(feature = "emit"), allow(rustdoc::broken_intra_doc_links))]


// Everything the build script needs (feature `emit`, on by default; the run-time crate turns it
// off, so the extension links neither a TOML parser nor `syn`):
#[cfg(feature = "exports")]
pub mod cfg;
#[cfg(feature = "emit")]
pub mod discover;
#[cfg(feature = "emit")]
mod emit;
#[cfg(feature = "exports")]
pub mod exports;
#[cfg(feature = "emit")]
mod manifest;
#[cfg(feature = "exports")]
mod dep_features;
#[cfg(feature = "exports")]
mod members;
#[cfg(feature = "emit")]
pub mod workspace;

// The engine the build script and the run-time check share:
pub mod cache_keys;
pub mod check;
pub mod diagnose;
mod error;
pub mod fingerprint;
mod gitignore;
pub mod inputs;
pub mod layout;
pub mod record;

#[cfg(feature = "emit")]
pub use emit::{build_record, emit, emit_to, BuildEnv, CRATE_RENAMES_ENV, MODULE_NAME_ENV, OMIT_PATHS_ENV, RECORD_ENV};
pub use error::{Error, Result};

