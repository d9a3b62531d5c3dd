//! The prelude's `#[pymethods]`: PyO3's attribute, unchanged, plus one registry entry per
//! block listing the names Python sees (for the export check), each under its method's `#[cfg]`s.
//!
//! Names follow PyO3's rules: `#[pyo3(name = "...")]` wins; `#[new]` is `__new__`; a getter
//! named `get_x` (setter `set_x`, deleter `delete_x`) is property `x` unless
//! `#[getter(name)]` says otherwise; `r#type` is `type`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Attribute, ImplItem, ItemImpl, LitStr};

use crate::args::Pyo3Options;
use crate::item::submission;
use crate::options;

const ON_METHOD: &str = "`#[guard]` does not go on a method: methods reach Python with their class. \
To keep a method out of Python, move it to an `impl` block without `#[pymethods]`";
const ON_IMPL: &str = "`#[guard]` does not go on a `#[pymethods]` block: put it below `#[pyclass]` \
on the class (`#[guard(skip)]` keeps the class, and so its methods, out of the module)";

pub fn pymethods(args: TokenStream, item: TokenStream) -> TokenStream {
    let pyo3_args = (!args.is_empty()).then(|| quote!((#args)));
    let Ok(mut block) = syn::parse2::<ItemImpl>(item.clone()) else {
        return quote!(#[::pyo3::pymethods #pyo3_args] #item);
    };
    let mut error = options::take_misplaced(&mut block.attrs, ON_IMPL);
    for member in &mut block.items {
        let attrs = match member {
            ImplItem::Fn(f) => &mut f.attrs,
            ImplItem::Const(c) => &mut c.attrs,
            _ => continue,
        };
        error = error.and(options::take_misplaced(attrs, ON_METHOD));
    }
    let entry = match &error {
        Ok(()) => entry(&block),
        Err(_) => None,
    };
    let error = error.err().map(|e| e.to_compile_error());
    quote! {
        #error
        #[::pyo3::pymethods #pyo3_args]
        #block
        #entry
    }
}

/// The block's registry entry, or none for a block PyO3 will reject (generic, a trait impl).
fn entry(block: &ItemImpl) -> Option<TokenStream> {
    if !block.generics.params.is_empty() || block.trait_.is_some() {
        return None;
    }
    let class_ty = &block.self_ty;
    let class = quote!(#class_ty).to_string().replace(' ', "");
    let methods = block.items.iter().filter_map(|member| {
        let (attrs, ident, is_const) = match member {
            ImplItem::Fn(f) => (&f.attrs, &f.sig.ident, false),
            ImplItem::Const(c) if c.attrs.iter().any(|a| a.path().is_ident("classattr")) => (&c.attrs, &c.ident, true),
            _ => return None,
        };
        let (name, kind) = python_name(attrs, ident, is_const);
        // `#[cfg]` on an array element: listed exactly when the method is compiled.
        let cfgs = attrs.iter().filter(|a| a.path().is_ident("cfg"));
        Some(quote!(#(#cfgs)* ::pyo3_guard::__private::Method { name: #name, kind: #kind }))
    });
    Some(submission(
        &[],
        quote! {
            ::pyo3_guard::__private::Methods {
                module_path: ::core::module_path!(),
                class: #class,
                methods: &[#(#methods),*],
            }
        },
    ))
}

fn python_name(attrs: &[Attribute], ident: &syn::Ident, is_const: bool) -> (String, &'static str) {
    let rust = ident.unraw().to_string();
    let explicit = Pyo3Options::new(&TokenStream::new(), attrs).string("name").map(|n| n.value());
    let marker = |name: &str| attrs.iter().find(|a| a.path().is_ident(name));
    if is_const || marker("classattr").is_some() {
        return (explicit.unwrap_or(rust), "classattr");
    }
    if marker("new").is_some() {
        return ("__new__".to_owned(), "new");
    }
    for (attr, prefix, kind) in [("getter", "get_", "getter"), ("setter", "set_", "setter"), ("deleter", "delete_", "deleter")] {
        if let Some(found) = marker(attr) {
            let name = explicit
                .or_else(|| property_name(found))
                .unwrap_or_else(|| rust.strip_prefix(prefix).unwrap_or(&rust).to_owned());
            return (name, kind);
        }
    }
    let kind = if marker("staticmethod").is_some() {
        "staticmethod"
    } else if marker("classmethod").is_some() {
        "classmethod"
    } else {
        "method"
    };
    (explicit.unwrap_or(rust), kind)
}

/// `#[getter(name)]` or `#[getter("name")]`.
fn property_name(attr: &Attribute) -> Option<String> {
    let syn::Meta::List(list) = &attr.meta else { return None };
    if let Ok(ident) = list.parse_args::<syn::Ident>() {
        return Some(ident.unraw().to_string());
    }
    list.parse_args::<LitStr>().ok().map(|s| s.value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn name_of(f: syn::ImplItemFn) -> (String, &'static str) {
        python_name(&f.attrs, &f.sig.ident, false)
    }

    #[test]
    fn names_follow_pyo3() {
        assert_eq!(name_of(parse_quote!(#[new] fn new() -> Self {})), ("__new__".into(), "new"));
        assert_eq!(name_of(parse_quote!(#[getter] fn get_value(&self) {})), ("value".into(), "getter"));
        assert_eq!(name_of(parse_quote!(#[getter(v)] fn get_value(&self) {})), ("v".into(), "getter"));
        assert_eq!(name_of(parse_quote!(#[setter] fn set_value(&mut self) {})), ("value".into(), "setter"));
        assert_eq!(name_of(parse_quote!(#[pyo3(name = "go")] fn r#move(&self) {})), ("go".into(), "method"));
        assert_eq!(name_of(parse_quote!(fn r#type(&self) {})), ("type".into(), "method"));
        assert_eq!(name_of(parse_quote!(#[staticmethod] fn make() {})), ("make".into(), "staticmethod"));
    }
}
