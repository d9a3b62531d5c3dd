//! `#[guard(...)]`: pyo3-guard's own options, in a helper attribute of their own so they can
//! never clash with PyO3's. Read and removed by the prelude's `#[pyclass]` and `#[pyfunction]`:
//!
//! ```text
//! #[pyclass]
//! #[guard(skip)]                    not added to the module
//! #[guard(submodule = "sub")]       added to submodule `sub` ("sub.inner" nests)
//! ```

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, LitStr, Token};

const USAGE: &str = "`#[guard(skip)]` or `#[guard(submodule = \"name\")]`";

/// The options of every `#[guard]` on one item.
#[derive(Default)]
pub struct GuardOptions {
    pub skip: Option<Ident>,
    pub submodule: Option<LitStr>,
}

impl GuardOptions {
    /// The submodule path, `""` for the module itself.
    pub fn submodule_path(&self) -> String {
        self.submodule
            .as_ref()
            .map(LitStr::value)
            .unwrap_or_default()
    }
}

/// Whether `attr` is our helper: `#[guard(...)]` or `#[pyo3_guard::...::guard(...)]`.
pub fn is_guard(attr: &Attribute) -> bool {
    let path = attr.path();
    let last = path.segments.last().is_some_and(|s| s.ident == "guard");
    last && (path.segments.len() == 1
        || path
            .segments
            .first()
            .is_some_and(|s| s.ident == "pyo3_guard"))
}

/// Removes every `#[guard]` from `attrs` and returns their options combined.
pub fn take(attrs: &mut Vec<Attribute>) -> syn::Result<GuardOptions> {
    let mut options = GuardOptions::default();
    let mut result = Ok(());
    attrs.retain(|attr| {
        if !is_guard(attr) {
            return true;
        }
        if result.is_ok() {
            result = parse_into(attr, &mut options);
        }
        false
    });
    result.map(|()| options)
}

/// Removes every `#[guard]` from a member (a `#[pymethods]` method or a field), where only
/// `#[guard(skip)]` belongs: the export check then does not look for it. Anything else is an
/// error (`message`).
pub fn take_member(attrs: &mut Vec<Attribute>, message: &str) -> syn::Result<()> {
    let mut result = Ok(());
    attrs.retain(|attr| {
        if !is_guard(attr) {
            return true;
        }
        let mut options = GuardOptions::default();
        let parsed = parse_into(attr, &mut options);
        if result.is_ok() {
            result = match parsed {
                Ok(()) if options.submodule.is_none() => Ok(()),
                Ok(()) => Err(syn::Error::new_spanned(attr, message)),
                Err(err) => Err(err),
            };
        }
        false
    });
    result
}

/// Removes every `#[guard]` from `attrs` of a place where none belongs: an error (`message`)
/// at the first, if there was one.
pub fn take_misplaced(attrs: &mut Vec<Attribute>, message: &str) -> syn::Result<()> {
    let first = attrs.iter().find(|a| is_guard(a)).cloned();
    attrs.retain(|a| !is_guard(a));
    match first {
        Some(attr) => Err(syn::Error::new_spanned(attr, message)),
        None => Ok(()),
    }
}

fn parse_into(attr: &Attribute, options: &mut GuardOptions) -> syn::Result<()> {
    let syn::Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(
            attr,
            format!("`#[guard]` needs an option: write {USAGE}"),
        ));
    };
    if list.tokens.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            format!("`#[guard()]` is empty: write {USAGE}"),
        ));
    }
    list.parse_args_with(|input: ParseStream| loop {
        parse_option(input, options)?;
        if input.is_empty() {
            return Ok(());
        }
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            return Ok(());
        }
    })
}

fn parse_option(input: ParseStream, options: &mut GuardOptions) -> syn::Result<()> {
    let key = input
        .call(Ident::parse_any)
        .map_err(|e| syn::Error::new(e.span(), format!("expected {USAGE}")))?;
    if key == "skip" {
        if options.skip.is_some() {
            return Err(syn::Error::new(
                key.span(),
                "duplicate `skip`: write it once",
            ));
        }
        if options.submodule.is_some() {
            return Err(skip_with_submodule(key.span()));
        }
        options.skip = Some(key);
        Ok(())
    } else if key == "submodule" {
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                "expected `submodule = \"name\"`",
            ));
        }
        input.parse::<Token![=]>()?;
        let name: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the submodule name as a string: `submodule = \"name\"`",
            )
        })?;
        if options.submodule.is_some() {
            return Err(syn::Error::new_spanned(
                key.into_token_stream().into_iter().chain(name.to_token_stream()).collect::<TokenStream>(),
                "duplicate `submodule`: an item goes in one submodule; keep one `submodule = \"...\"`",
            ));
        }
        if options.skip.is_some() {
            return Err(skip_with_submodule(key.span()));
        }
        validate_submodule(&name)?;
        options.submodule = Some(name);
        Ok(())
    } else {
        Err(syn::Error::new(
            key.span(),
            format!("unknown option `{key}`: write {USAGE}"),
        ))
    }
}

fn skip_with_submodule(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "`skip` and `submodule` contradict each other: a skipped item is in no module; remove one of them",
    )
}

fn validate_submodule(name: &LitStr) -> syn::Result<()> {
    let value = name.value();
    let valid = !value.is_empty() && value.split('.').all(is_python_identifier);
    if valid {
        Ok(())
    } else {
        Err(syn::Error::new(
            name.span(),
            format!(
                "`{value}` is not a submodule name: use a Python identifier such as \"sub\", \
                 or dotted identifiers such as \"sub.inner\" to nest"
            ),
        ))
    }
}

fn is_python_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// `#[guard]` met on its own: either written above `#[pyclass]`/`#[pyfunction]` (then move it
/// below, where they read it), or on an item they do not mark (an error).
pub fn expand_standalone(args: TokenStream, item: TokenStream) -> TokenStream {
    let Ok(mut parsed) = syn::parse2::<syn::Item>(item.clone()) else {
        return standalone_error(item);
    };
    let Some(attrs) = item_attrs(&mut parsed) else {
        return standalone_error(item);
    };
    let marker = attrs.iter().position(|a| {
        let last = a.path().segments.last().map(|s| s.ident.to_string());
        matches!(last.as_deref(), Some("pyclass" | "pyfunction"))
    });
    match marker {
        Some(index) => {
            let args = (!args.is_empty()).then(|| quote::quote!((#args)));
            attrs.insert(index + 1, syn::parse_quote!(#[guard #args]));
            parsed.into_token_stream()
        }
        None => standalone_error(item),
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<Attribute>> {
    match item {
        syn::Item::Struct(s) => Some(&mut s.attrs),
        syn::Item::Enum(e) => Some(&mut e.attrs),
        syn::Item::Fn(f) => Some(&mut f.attrs),
        _ => None,
    }
}

fn standalone_error(item: TokenStream) -> TokenStream {
    let err = syn::Error::new(
        Span::call_site(),
        "`#[guard]` only works on an item marked `#[pyclass]` or `#[pyfunction]` from `pyo3_guard::prelude`; \
         use the prelude's macros, or remove `#[guard]`",
    )
    .to_compile_error();
    quote::quote!(#err #item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(attr: Attribute) -> syn::Result<GuardOptions> {
        take(&mut vec![attr])
    }

    #[test]
    fn reads_skip_and_submodule() {
        assert!(options(syn::parse_quote!(#[guard(skip)]))
            .unwrap()
            .skip
            .is_some());
        let sub = options(syn::parse_quote!(#[guard(submodule = "geo.shapes")])).unwrap();
        assert_eq!(sub.submodule_path(), "geo.shapes");
    }

    #[test]
    fn rejects_bad_names_and_contradictions() {
        for attr in [
            syn::parse_quote!(#[guard(submodule = "a-b")]),
            syn::parse_quote!(#[guard(submodule = "")]),
            syn::parse_quote!(#[guard(submodule = "a..b")]),
            syn::parse_quote!(#[guard(skip, submodule = "a")]),
            syn::parse_quote!(#[guard(hide)]),
            syn::parse_quote!(#[guard]),
        ] {
            assert!(options(attr).is_err());
        }
    }
}
