//! Procedural macros of [pyo3-guard](https://docs.rs/pyo3-guard). Use them through that crate;
//! the code they generate refers only to `::pyo3_guard::__private`.

mod module;

use proc_macro::TokenStream;

/// Marks a PyO3 module function; see `pyo3_guard::guarded_pymodule` for the documentation.
#[proc_macro_attribute]
pub fn guarded_pymodule(args: TokenStream, item: TokenStream) -> TokenStream {
    module::expand(args.into(), item.into()).into()
}
