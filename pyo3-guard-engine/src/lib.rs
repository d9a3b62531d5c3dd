//! The engine shared by [pyo3-guard](https://docs.rs/pyo3-guard)'s other crates: the build
//! script (`pyo3-guard-build`) fingerprints a build with it, the extension (`pyo3-guard`, and
//! `pyo3-guard-core` for the record's fields) re-checks itself with it at run time, and the
//! `pyo3-guard` command (`pyo3-guard-cli`) checks an installed file with it, so none of them
//! can disagree about what an input is.
//!
//! Not for direct use: its API changes with any release, and the other crates pin its exact
//! version. It reads no manifest and parses no Rust (that is the build script's part, with
//! `toml` and `syn`), so the extension links neither.

#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod cache_keys;
pub mod check;
pub mod diagnose;
pub mod error;
pub mod fingerprint;
mod gitignore;
pub mod inputs;
pub mod install;
pub mod layout;
pub mod order;
pub mod record;

pub use error::{Error, Result};
/// Cargo's `members`/`exclude` globs match path segments the way .gitignore patterns do.
pub use gitignore::matches_segment;
