//! Reading attributes as PyO3 and pyo3-guard spell them, without owning their syntax: by the
//! last path segment (`#[pyclass]`, `#[pyo3::pyclass]`, `#[pyo3_guard::prelude::pyclass]`), and
//! only the `key = "value"` pairs and bare words the scan needs. Shared by the export scan, the
//! member rules and the `pyo3-guard convert` command.

use proc_macro2::{TokenStream, TokenTree};
use syn::{Attribute, Item, Meta};

pub(crate) fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

pub(crate) fn outer_attribute(meta: Meta) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta,
    }
}

/// pyo3-guard's own options on an item: `#[guard(skip)]` keeps it out of the module,
/// `#[guard(submodule = "name")]` places it in a submodule.
pub(crate) fn guard_options(attrs: &[Attribute]) -> (bool, Option<String>) {
    let tokens = attr_tokens(attrs, "guard");
    let skipped = tokens.iter().any(|t| has_word(t, "skip"));
    let submodule = tokens.iter().find_map(|t| key_value(t, "submodule"));
    (skipped, submodule)
}

pub(crate) fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Mod(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

pub fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

/// Whether an attribute whose last path segment is `name` is present (`#[pyclass]`,
/// `#[pyo3::pyclass]`, `#[pyo3_guard::prelude::pyclass]` all count).
pub fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| last_segment_is(a, name))
}

pub(crate) fn last_segment_is(attr: &Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

/// The argument tokens of every attribute named `name` (empty for a bare `#[name]`).
pub fn attr_tokens(attrs: &[Attribute], name: &str) -> Vec<TokenStream> {
    attrs
        .iter()
        .filter(|a| last_segment_is(a, name))
        .map(|a| match &a.meta {
            Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        })
        .collect()
}

/// `#[path = "..."]`.
pub(crate) fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("path"))
        .find_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
}

/// `name = "..."` inside the first of the named attributes that has it.
pub fn python_name(attrs: &[Attribute], in_attrs: &[&str]) -> Option<String> {
    in_attrs
        .iter()
        .flat_map(|name| attr_tokens(attrs, name))
        .find_map(|t| name_value(&t))
}

pub(crate) fn name_value(tokens: &TokenStream) -> Option<String> {
    key_value(tokens, "name")
}

/// The string after `key =` at the top level of `tokens` (PyO3's syntax varies too much
/// between versions to parse in full; this reads only what it needs).
pub fn key_value(tokens: &TokenStream, key: &str) -> Option<String> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    tokens.windows(3).find_map(|w| match w {
        [TokenTree::Ident(k), TokenTree::Punct(eq), TokenTree::Literal(lit)]
            if k == key && eq.as_char() == '=' =>
        {
            let lit: syn::LitStr = syn::parse_str(&lit.to_string()).ok()?;
            Some(lit.value())
        }
        _ => None,
    })
}

/// Whether the bare word `word` stands at the top level of `tokens` (not as `word = ...`).
pub(crate) fn has_word(tokens: &TokenStream, word: &str) -> bool {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    tokens.iter().enumerate().any(|(i, t)| {
        matches!(t, TokenTree::Ident(id) if id == word)
            && !matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=')
    })
}

/// `#[getter(name)]` / `#[getter("name")]` (`#[getter(r#type)]` names `type`).
pub(crate) fn first_word(tokens: &TokenStream) -> Option<String> {
    match tokens.clone().into_iter().next()? {
        TokenTree::Ident(id) => Some(unraw(&id)),
        TokenTree::Literal(lit) => syn::parse_str::<syn::LitStr>(&lit.to_string())
            .ok()
            .map(|s| s.value()),
        _ => None,
    }
}
