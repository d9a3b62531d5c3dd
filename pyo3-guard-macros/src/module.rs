//! `#[guarded_pymodule]`: a PyO3 function module that also carries its build record.
//!
//! ```text
//! #[guarded_pymodule]                      #[::pyo3::pymodule]
//! fn demo(m: &Bound<PyModule>)      =>     fn demo(__pyo3_guard_arg0: &Bound<PyModule>) -> PyResult<()> {
//!     -> PyResult<()> { body }                 static RECORD: &[u8] = include_bytes!(env!("PYO3_GUARD_RECORD", ...));
//!                                              fn demo(m: &Bound<PyModule>) -> PyResult<()> { body }
//!                                              ::pyo3_guard::__private::install(__pyo3_guard_arg0, RECORD)?;
//!                                              demo(__pyo3_guard_arg0)
//!                                          }
//! ```
//! The user's function runs unchanged, after the guard is installed, under its own name (so
//! `return`, `?` and recursion inside it behave as written).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{spanned::Spanned, FnArg, Item, ItemFn};

const MISSING_BUILD_RS: &str = "pyo3-guard: no build record. Add `pyo3-guard-build` to \
`[build-dependencies]` and call it from build.rs: `fn main() { pyo3_guard_build::emit(); }`";

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(function)) => match expand_fn(args, function) {
            Ok(tokens) => tokens,
            Err(err) => error_with_item(err, item),
        },
        Ok(Item::Mod(module)) => error_with_item(
            syn::Error::new(
                module.mod_token.span,
                "#[guarded_pymodule] goes on a module function, not on a declarative `mod`: \
                 write `fn name(m: &Bound<'_, PyModule>) -> PyResult<()>`",
            ),
            item,
        ),
        Ok(other) => error_with_item(
            syn::Error::new(
                first_token_span(&other),
                "#[guarded_pymodule] goes on a module function: `fn name(m: &Bound<'_, PyModule>) -> PyResult<()>`",
            ),
            item,
        ),
        Err(err) => err.to_compile_error(),
    }
}

/// One mistake, one error: the item is still emitted so the rest of the crate type-checks.
fn error_with_item(err: syn::Error, item: TokenStream) -> TokenStream {
    let err = err.to_compile_error();
    quote!(#err #item)
}

fn first_token_span(item: &Item) -> Span {
    item.span()
}

fn expand_fn(args: TokenStream, function: ItemFn) -> syn::Result<TokenStream> {
    validate_signature(&function)?;
    let ItemFn { attrs, vis, sig, block } = &function;
    let name = &sig.ident;
    let forwarded: Vec<_> = (0..sig.inputs.len()).map(|i| format_ident!("__pyo3_guard_arg{}", i)).collect();
    let outer_inputs = sig.inputs.iter().zip(&forwarded).map(|(arg, ident)| match arg {
        FnArg::Typed(typed) => {
            let ty = &typed.ty;
            quote!(#ident: #ty)
        }
        FnArg::Receiver(_) => unreachable!("rejected by validate_signature"),
    });
    let module_arg = forwarded.last().expect("validate_signature requires a module argument");
    let output = &sig.output;
    let inner_attrs = attrs.iter().filter(|a| !a.path().is_ident("pyo3") && !a.path().is_ident("doc"));
    // Spanned at the function name, so a missing build.rs is reported there.
    let record = quote_spanned! {name.span()=>
        static __PYO3_GUARD_RECORD: &[u8] = ::core::include_bytes!(::core::env!("PYO3_GUARD_RECORD", #MISSING_BUILD_RS));
    };
    let args = (!args.is_empty()).then(|| quote!((#args)));
    Ok(quote! {
        #[::pyo3::pymodule #args]
        #(#attrs)*
        #vis fn #name(#(#outer_inputs),*) #output {
            #record
            #(#inner_attrs)*
            #sig #block
            ::pyo3_guard::__private::install(#module_arg, __PYO3_GUARD_RECORD)?;
            #name(#(#forwarded),*)
        }
    })
}

fn validate_signature(function: &ItemFn) -> syn::Result<()> {
    let sig = &function.sig;
    let expected = "a guarded module function takes `m: &Bound<'_, PyModule>`, optionally after `py: Python<'_>`";
    if let Some(receiver) = sig.inputs.iter().find(|a| matches!(a, FnArg::Receiver(_))) {
        return Err(syn::Error::new(receiver.span(), expected));
    }
    if sig.inputs.is_empty() || sig.inputs.len() > 2 {
        return Err(syn::Error::new(sig.paren_token.span.join(), expected));
    }
    if let Some(asyncness) = &sig.asyncness {
        return Err(syn::Error::new(asyncness.span, "a module function cannot be `async`"));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(sig.generics.span(), "a module function cannot be generic"));
    }
    Ok(())
}
