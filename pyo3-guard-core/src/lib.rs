//! What every [pyo3-guard](https://docs.rs/pyo3-guard) extension links, full or distribution
//! build. Not for direct use: `pyo3-guard` re-exports what users see.
//!
//! Why a crate of its own: the linker takes object files whole, each with its exception tables,
//! and one crate's objects mix code of all its modules (generic code is placed by the function it
//! instantiates, not by its caller). While the full build's check shared a crate with this code,
//! a distribution build pulled the check's objects in through a shared one, then the engine's,
//! and shipped about 10 KiB of exception tables for code it does not contain. Here nothing
//! refers to the check: `pyo3-guard`, which holds it, depends on this crate, not the reverse.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod attrs;
pub mod dist;
pub mod registry;
