//! Procedural macros of [pyo3-guard](https://docs.rs/pyo3-guard). Use them through that crate
//! (`use pyo3_guard::prelude::*;`); the code they generate refers only to
//! `::pyo3_guard::__private` and to `::pyo3`.
//!
//! One file per job: `module` (`#[guarded_pymodule]` on a function), `declarative` (on a
//! `mod`), `module_name` (the compile-time name check), `item` (`#[pyclass]`, `#[pyfunction]`),
//! `methods` (`#[pymethods]`), `options` (our `#[guard(...)]` helper attribute), `args`
//! (reading PyO3's arguments without owning them), `stubs` (pyo3-stub-gen's annotations,
//! feature `stub-gen`).

#![warn(missing_docs)]

mod args;
mod declarative;
mod item;
mod methods;
mod module;
mod module_name;
mod options;
#[cfg(test)]
mod snapshots;
mod stubs;

use proc_macro::TokenStream;

/// Marks a PyO3 module function; see `pyo3_guard::guarded_pymodule` for the documentation.
#[proc_macro_attribute]
pub fn guarded_pymodule(args: TokenStream, item: TokenStream) -> TokenStream {
    module::expand(args.into(), item.into()).into()
}

/// PyO3's `#[pyclass]`, plus a registration that `#[guarded_pymodule]` reads.
#[proc_macro_attribute]
pub fn pyclass(args: TokenStream, item: TokenStream) -> TokenStream {
    item::pyclass(args.into(), item.into()).into()
}

/// PyO3's `#[pyfunction]`, plus a registration that `#[guarded_pymodule]` reads.
#[proc_macro_attribute]
pub fn pyfunction(args: TokenStream, item: TokenStream) -> TokenStream {
    item::pyfunction(args.into(), item.into()).into()
}

/// PyO3's `#[pymodule]`; on a declarative `mod`, the items PyO3 adds to it do not register
/// anywhere else.
#[proc_macro_attribute]
pub fn pymodule(args: TokenStream, item: TokenStream) -> TokenStream {
    declarative::pymodule(args.into(), item.into()).into()
}

/// PyO3's `#[pymethods]`, after taking off a method's `#[guard(skip)]`; the methods reach Python
/// with their class, and the export check reads their names from the build record.
#[proc_macro_attribute]
pub fn pymethods(args: TokenStream, item: TokenStream) -> TokenStream {
    methods::pymethods(args.into(), item.into()).into()
}

/// Not public API: marks an item written inside a `#[guarded_pymodule] mod` (which declarative
/// module it is in, and whether PyO3 adds it there). Read by the prelude's macros; on its own it
/// changes nothing, so an item PyO3's own macro expands keeps compiling.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn declared_inline(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// pyo3-guard's options for one `#[pyclass]` or `#[pyfunction]`: `#[guard(skip)]`,
/// `#[guard(submodule = "name")]`. Read by those macros; on its own it is an error.
#[proc_macro_attribute]
pub fn guard(args: TokenStream, item: TokenStream) -> TokenStream {
    options::expand_standalone(args.into(), item.into()).into()
}
