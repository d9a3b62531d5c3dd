//! pyo3-stub-gen's annotations, emitted with feature `stub-gen` (pyo3-guard's `stub-gen`):
//!
//! ```text
//! #[pyclass]                          #[::pyo3_stub_gen::derive::gen_stub_pyclass(module = "demo.geo")]
//! #[guard(submodule = "geo")]   =>    #[::pyo3::pyclass]
//! struct Point { .. }                 struct Point { .. }
//! ```
//! The annotation goes above PyO3's attribute, so it reads the item (and the `#[pyo3(...)]`
//! helpers) before PyO3 consumes them. A submodule item names its stub module
//! `<maturin module name>.<sub>`, which is also its `__module__` at run time. pyo3-stub-gen's
//! generated code names `::pyo3_stub_gen`, so the user's crate needs that dependency: without
//! it `#[guarded_pymodule]` reports the one missing line and the items get no annotation.

use proc_macro2::TokenStream;
use quote::quote;

/// Whether the annotations are emitted at all (the feature is on and the user can compile them).
pub fn enabled() -> bool {
    cfg!(feature = "stub-gen") && dependency_declared()
}

/// pyo3-stub-gen's attribute for a `#[pyclass]` struct or enum, or a `#[pyfunction]`, placed in
/// `submodule` (`""` for the module itself).
pub fn item_attribute(item: &syn::Item, submodule: &str) -> Option<TokenStream> {
    if !enabled() {
        return None;
    }
    let macro_name = match item {
        syn::Item::Struct(_) => quote!(gen_stub_pyclass),
        syn::Item::Enum(e) if e.variants.iter().all(|v| v.fields.is_empty()) => {
            quote!(gen_stub_pyclass_enum)
        }
        syn::Item::Enum(_) => quote!(gen_stub_pyclass_complex_enum),
        syn::Item::Fn(_) => quote!(gen_stub_pyfunction),
        _ => return None,
    };
    let module = stub_module(submodule).map(|m| quote!((module = #m)));
    Some(quote!(#[::pyo3_stub_gen::derive::#macro_name #module]))
}

/// pyo3-stub-gen's attribute for a `#[pymethods]` block.
pub fn methods_attribute() -> Option<TokenStream> {
    enabled().then(|| quote!(#[::pyo3_stub_gen::derive::gen_stub_pymethods]))
}

/// What `#[guarded_pymodule]` adds with the feature: the gatherer `stub_gen_main!` calls, or the
/// error that says which dependency is missing.
pub fn module_items() -> TokenStream {
    if !cfg!(feature = "stub-gen") {
        return TokenStream::new();
    }
    if !dependency_declared() {
        return quote! {
            ::core::compile_error!(
                "pyo3-guard's `stub-gen` feature is on, but this crate does not depend on pyo3-stub-gen, \
                 which the stub annotations need: add `pyo3-stub-gen = { version = \"0.23\", optional = true, \
                 default-features = false }` to [dependencies] and `\"dep:pyo3-stub-gen\"` to the feature \
                 that enables `pyo3-guard/stub-gen`"
            );
        };
    }
    quote! {
        /// Not public API: the stub gatherer that `pyo3_guard::stub_gen_main!` calls.
        #[doc(hidden)]
        pub fn __pyo3_guard_stub_info() -> ::pyo3_guard::__private::stubs::Gathered {
            ::pyo3_guard::__private::stubs::gather(
                ::core::env!("CARGO_MANIFEST_DIR"),
                ::core::option_env!("PYO3_GUARD_MODULE_NAME"),
            )
        }
    }
}

/// `<items module>.<submodule>`: the module pyo3-guard registers the item in. `None` for the
/// module itself (pyo3-stub-gen's default module), or outside a maturin project.
fn stub_module(submodule: &str) -> Option<String> {
    if submodule.is_empty() {
        return None;
    }
    Some(format!(
        "{}.{submodule}",
        crate::module_name::items_module()?
    ))
}

/// Whether the crate being compiled declares pyo3-stub-gen in its Cargo.toml (read as text: a
/// dependency line, a `workspace = true` one or a table header all name it; comments do not).
fn dependency_declared() -> bool {
    let Ok(dir) = std::env::var("CARGO_MANIFEST_DIR") else {
        return true;
    };
    match std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml")) {
        Ok(text) => text
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default())
            .any(|line| line.contains("pyo3-stub-gen") || line.contains("pyo3_stub_gen")),
        Err(_) => true,
    }
}
