//! Reading PyO3's own arguments without owning them: we look up the few keys registration
//! needs (`name`, `module`, `immutable_type`) and pass every token on to PyO3 untouched, so
//! PyO3 still reports its own mistakes.

use proc_macro2::{TokenStream, TokenTree};
use syn::{Attribute, Ident, LitStr};

/// The top-level comma-separated parts of an attribute's arguments.
pub fn split(args: TokenStream) -> Vec<TokenStream> {
    let mut parts = vec![TokenStream::new()];
    for tt in args {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(TokenStream::new()),
            _ => parts.last_mut().expect("never empty").extend([tt]),
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// The key of `key`, `key = value` or `key(...)`.
pub fn key(part: &TokenStream) -> Option<Ident> {
    match part.clone().into_iter().next() {
        Some(TokenTree::Ident(ident)) => Some(ident),
        _ => None,
    }
}

/// `key = "value"`: the string, when `part` has exactly that form. The value may come from a
/// `macro_rules!` fragment (`name = $name` with `$name:literal` or `:expr`), which reaches us
/// inside an invisible group: PyO3 reads through it, and so do we.
pub fn string_value(part: &TokenStream, key: &str) -> Option<LitStr> {
    let mut tokens = part.clone().into_iter();
    match (tokens.next(), tokens.next(), tokens.next(), tokens.next()) {
        (Some(TokenTree::Ident(k)), Some(TokenTree::Punct(eq)), Some(value), None)
            if k == key && eq.as_char() == '=' =>
        {
            // syn reads through the invisible group.
            syn::parse2::<LitStr>(value.into()).ok()
        }
        _ => None,
    }
}

/// PyO3's options of an item: the attribute's arguments plus every `#[pyo3(...)]` on the item
/// (PyO3 accepts most options in either place).
pub struct Pyo3Options {
    parts: Vec<TokenStream>,
}

impl Pyo3Options {
    pub fn new(args: &TokenStream, attrs: &[Attribute]) -> Self {
        let mut parts = split(args.clone());
        for attr in attrs.iter().filter(|a| a.path().is_ident("pyo3")) {
            if let syn::Meta::List(list) = &attr.meta {
                if matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) {
                    parts.extend(split(list.tokens.clone()));
                }
            }
        }
        Pyo3Options { parts }
    }

    /// The string of `key = "..."`, if given.
    pub fn string(&self, key: &str) -> Option<LitStr> {
        self.parts.iter().find_map(|p| string_value(p, key))
    }

    /// The whole `key`, `key = ...` or `key(...)` part, if given.
    pub fn part(&self, key: &str) -> Option<&TokenStream> {
        self.parts
            .iter()
            .find(|p| self::key(p).is_some_and(|k| k == key))
    }

    /// Whether `key` is given, in any form.
    pub fn has(&self, key: &str) -> bool {
        self.part(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Delimiter;
    use quote::quote;

    #[test]
    fn finds_string_keys_and_leaves_other_forms_alone() {
        let parts = split(quote!(
            frozen,
            name = "Point",
            extends = PyException,
            module = "m"
        ));
        assert_eq!(parts.len(), 4);
        assert_eq!(string_value(&parts[1], "name").unwrap().value(), "Point");
        assert!(string_value(&parts[2], "extends").is_none());
        assert_eq!(key(&parts[0]).unwrap(), "frozen");
    }

    #[test]
    fn reads_a_string_a_macro_rules_fragment_passes_in_an_invisible_group() {
        // `#[pyo3(name = $name)]` in a `macro_rules!` with `$name:literal` (fastcrc's shape).
        let literal = TokenTree::Literal(proc_macro2::Literal::string("autosar"));
        let fragment = proc_macro2::Group::new(Delimiter::None, literal.into());
        let part = quote!(name = #fragment);
        assert_eq!(string_value(&part, "name").unwrap().value(), "autosar");
        let nested = proc_macro2::Group::new(Delimiter::None, TokenTree::Group(fragment).into());
        assert_eq!(
            string_value(&quote!(name = #nested), "name")
                .unwrap()
                .value(),
            "autosar"
        );
        // Anything but one string in the group is not a name.
        let two = proc_macro2::Group::new(Delimiter::None, quote!("a" "b"));
        assert!(string_value(&quote!(name = #two), "name").is_none());
    }

    #[test]
    fn reads_pyo3_helper_attributes_too() {
        let attrs: Vec<Attribute> =
            vec![syn::parse_quote!(#[pyo3(name = "Other", immutable_type)])];
        let options = Pyo3Options::new(&quote!(frozen), &attrs);
        assert_eq!(options.string("name").unwrap().value(), "Other");
        assert!(options.has("immutable_type"));
        assert!(!options.has("module"));
    }
}
