//! The compile-time module name check. maturin looks for `PyInit_<last component of its module
//! name>`; a `#[pymodule]` under another name builds fine and fails only at import (maturin
//! merely warns). pyo3-guard-build resolves maturin's name (`module-name` in pyproject.toml
//! [tool.maturin] > Cargo `[lib] name` > `[project] name` > Cargo package name) and passes it
//! as the rustc env var `PYO3_GUARD_MODULE_NAME=<last component>;<full name> (<where from>)`,
//! set only when a pyproject.toml sits beside Cargo.toml. No variable, no check. It also passes
//! the module registered classes name at compile time (`PYO3_GUARD_ITEMS_MODULE`, decided from
//! maturin's layout) and the classes the sources add by hand to a submodule.

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::{Attribute, Ident};

use crate::args::Pyo3Options;

pub const MODULE_NAME_ENV: &str = "PYO3_GUARD_MODULE_NAME";

/// Set by pyo3-guard-build in a maturin project: the module registered items name as theirs,
/// decided from maturin's layout (`demo` in the pure-Rust layout, the extension's full name
/// `pkg.pkg` / `pkg._native` in the mixed one).
pub const ITEMS_MODULE_ENV: &str = "PYO3_GUARD_ITEMS_MODULE";
/// Set by pyo3-guard-build: the classes the sources add by hand to a submodule.
pub const BY_HAND_CLASSES_ENV: &str = "PYO3_GUARD_BY_HAND_CLASSES";

/// The `module = "..."` the prelude gives the class `ident` at compile time: the module
/// registered items name as theirs (see [`ITEMS_MODULE_ENV`]), where the class really is.
/// `None` outside a maturin project, and for a class the sources add by hand to a submodule
/// (which keeps PyO3's name: it is not at the top).
pub fn class_module(ident: &str) -> Option<String> {
    let by_hand = std::env::var(BY_HAND_CLASSES_ENV).unwrap_or_default();
    if by_hand.split(',').any(|class| class == ident) {
        return None;
    }
    items_module()
}

/// The module registered items name as theirs (see [`ITEMS_MODULE_ENV`]); `None` outside a
/// maturin project.
pub fn items_module() -> Option<String> {
    std::env::var(ITEMS_MODULE_ENV)
        .ok()
        .filter(|module| !module.is_empty())
}

/// An error at the function name when the module's Python name is not the one maturin builds.
/// `what` is the item the name comes from: "function" or "module".
pub fn check(
    args: &TokenStream,
    attrs: &[Attribute],
    ident: &Ident,
    what: &str,
) -> syn::Result<()> {
    let Ok(value) = std::env::var(MODULE_NAME_ENV) else {
        return Ok(());
    };
    match mismatch(&value, args, attrs, ident, what) {
        Some(message) => Err(syn::Error::new(ident.span(), message)),
        None => Ok(()),
    }
}

fn mismatch(
    value: &str,
    args: &TokenStream,
    attrs: &[Attribute],
    ident: &Ident,
    what: &str,
) -> Option<String> {
    let (expected, origin) = value.split_once(';').unwrap_or((value, ""));
    let explicit = Pyo3Options::new(args, attrs)
        .string("name")
        .map(|n| n.value());
    let actual = explicit
        .clone()
        .unwrap_or_else(|| ident.unraw().to_string());
    if expected.is_empty() || actual == expected {
        return None;
    }
    let from = match origin.split_once(" (") {
        Some((full, source)) if full != expected => format!(" (from `{full}`, {}", source),
        Some((_, source)) => format!(" (from {source}"),
        None if origin.is_empty() => String::new(),
        None => format!(" (from {origin})"),
    };
    let fix = match explicit {
        None => {
            format!("rename the {what} to `{expected}` or add `#[pyo3(name = \"{expected}\")]`")
        }
        Some(given) => format!("write `name = \"{expected}\"` instead of `name = \"{given}\"`"),
    };
    Some(format!(
        "module is named `{actual}` here but maturin builds `{expected}`{from}, so its import \
         would fail (no `PyInit_{expected}`); {fix}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn message(
        value: &str,
        args: TokenStream,
        attrs: Vec<Attribute>,
        ident: Ident,
    ) -> Option<String> {
        mismatch(value, &args, &attrs, &ident, "function")
    }

    #[test]
    fn quotes_both_names_the_origin_and_the_fix() {
        let m = message(
            "bar;bar (`module-name` in pyproject.toml [tool.maturin])",
            quote!(),
            vec![],
            syn::parse_quote!(foo),
        );
        assert_eq!(
            m.unwrap(),
            "module is named `foo` here but maturin builds `bar` (from `module-name` in pyproject.toml \
             [tool.maturin]), so its import would fail (no `PyInit_bar`); rename the function to `bar` \
             or add `#[pyo3(name = \"bar\")]`"
        );
        let dotted = message(
            "bar;pkg.bar (`module-name` in pyproject.toml [tool.maturin])",
            quote!(),
            vec![],
            syn::parse_quote!(foo),
        );
        assert!(dotted
            .unwrap()
            .contains("(from `pkg.bar`, `module-name` in pyproject.toml [tool.maturin])"));
    }

    #[test]
    fn explicit_names_count_and_matching_names_pass() {
        let renamed = vec![syn::parse_quote!(#[pyo3(name = "bar")])];
        assert_eq!(
            message("bar;bar (x)", quote!(), renamed, syn::parse_quote!(foo)),
            None
        );
        assert_eq!(
            message(
                "bar;bar (x)",
                quote!(name = "bar"),
                vec![],
                syn::parse_quote!(foo)
            ),
            None
        );
        assert_eq!(
            message("bar;bar (x)", quote!(), vec![], syn::parse_quote!(r#bar)),
            None
        );
        let wrong = message(
            "bar;bar (x)",
            quote!(name = "baz"),
            vec![],
            syn::parse_quote!(bar),
        )
        .unwrap();
        assert!(wrong.starts_with("module is named `baz` here"));
        assert!(wrong.ends_with("; write `name = \"bar\"` instead of `name = \"baz\"`"));
    }
}
