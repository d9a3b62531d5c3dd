//! The prelude's `#[pyclass]` and `#[pyfunction]`: PyO3's attribute, unchanged, plus one
//! registry entry that `#[guarded_pymodule]` reads.
//!
//! ```text
//! #[pyclass(frozen)]                    #[::pyo3::pyclass(frozen)]
//! #[guard(submodule = "geo")]     =>    struct Point { .. }
//! struct Point { .. }                   const _: () = { inventory::submit! { Item::new(
//!                                           concat!(module_path!(), "Point", "Point", "geo"),
//!                                           [module_path!().len(), 5, 5, 3], Class, ..,
//!                                           class::<Point>) } };
//! ```
//! Anything that is not ours (another item kind, malformed PyO3 arguments) goes to PyO3 as
//! written and without an entry, so PyO3 reports it, once.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Attribute, Ident, Item};

use crate::args::Pyo3Options;
use crate::options::{self, GuardOptions};
use crate::stubs;

#[derive(Clone, Copy)]
enum Kind {
    Class,
    Function,
}

pub fn pyclass(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Class, args, item)
}

pub fn pyfunction(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Function, args, item)
}

fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let pyo3_attr = match kind {
        Kind::Class => quote!(::pyo3::pyclass),
        Kind::Function => quote!(::pyo3::pyfunction),
    };
    let Ok(mut parsed) = syn::parse2::<Item>(item.clone()) else {
        let pyo3_args = (!args.is_empty()).then(|| quote!((#args)));
        return quote!(#[#pyo3_attr #pyo3_args] #item);
    };
    let mut args = args;
    let (entry, stub, error) = match registration(kind, &args, &mut parsed) {
        Ok(Some(Registration {
            entry,
            submodule,
            module,
        })) => {
            if let Some(module) = module {
                // Fixed when the type is made: `tp_name`, reprs, pickling and a complex enum's
                // variant classes say `demo.Color`, not `builtins.Color`, and import sets nothing.
                args = if args.is_empty() {
                    quote!(module = #module)
                } else {
                    quote!(#args, module = #module)
                };
            }
            (entry, stubs::item_attribute(&parsed, &submodule), None)
        }
        Ok(None) => (None, None, None),
        Err(err) => (None, None, Some(err.to_compile_error())),
    };
    let pyo3_args = (!args.is_empty()).then(|| quote!((#args)));
    quote! {
        #error
        #stub
        #[#pyo3_attr #pyo3_args]
        #parsed
        #entry
    }
}

/// What the prelude adds to an item PyO3 accepts.
struct Registration {
    /// The registry entry (`None` when skipped, or added by PyO3 in a declarative module).
    entry: Option<TokenStream>,
    /// The dotted submodule below the module, `""` for the module itself.
    submodule: String,
    /// The `module = "..."` to give PyO3's `#[pyclass]`: the module the class really is in,
    /// known at compile time from maturin's layout (see `module_name::class_module`).
    module: Option<String>,
}

/// Takes our `#[guard]` options off the item and returns what registering it takes; `None` for
/// an item PyO3 will reject.
fn registration(
    kind: Kind,
    args: &TokenStream,
    item: &mut Item,
) -> syn::Result<Option<Registration>> {
    let mut misplaced = Ok(());
    let (attrs, ident) = match (kind, &mut *item) {
        (Kind::Class, Item::Struct(s)) => {
            for field in &mut s.fields {
                misplaced = misplaced.and(options::take_member(&mut field.attrs, FIELD));
            }
            (&mut s.attrs, s.ident.clone())
        }
        (Kind::Class, Item::Enum(e)) => {
            for variant in &mut e.variants {
                misplaced = misplaced.and(options::take_misplaced(&mut variant.attrs, VARIANT));
                for field in &mut variant.fields {
                    misplaced = misplaced.and(options::take_misplaced(&mut field.attrs, FIELD));
                }
            }
            (&mut e.attrs, e.ident.clone())
        }
        // Lifetimes are fine (`fn f<'py>(py: Python<'py>)`); PyO3 rejects type and const parameters.
        (Kind::Function, Item::Fn(f))
            if f.sig
                .generics
                .params
                .iter()
                .all(|p| matches!(p, syn::GenericParam::Lifetime(_))) =>
        {
            (&mut f.attrs, f.sig.ident.clone())
        }
        // Not ours to judge: PyO3 reports the wrong item kind or the generic function. Our
        // options still go, so that they do not add an error of their own.
        (_, other) => {
            if let Some(attrs) = attrs_of(other) {
                let _ = options::take(attrs);
            }
            return Ok(None);
        }
    };
    let inline = Inline::take(attrs);
    let guard = options::take(attrs);
    misplaced?;
    let guard = guard?;
    let submodule = join(&inline.module, &guard.submodule_path());
    // PyO3 names the module of the items it adds to a declarative module itself.
    let options = Pyo3Options::new(args, attrs);
    let module = match (kind, inline.added || options.has("module")) {
        (Kind::Class, false) => crate::module_name::class_module(&ident.unraw().to_string())
            .map(|items| join(&items, &submodule)),
        _ => None,
    };
    // An item PyO3 adds to its declarative module itself needs no entry.
    let entry = if inline.added {
        None
    } else {
        entry(
            kind,
            args,
            attrs,
            &ident,
            &guard,
            &submodule,
            module.is_none(),
        )
    };
    Ok(Some(Registration {
        entry,
        submodule,
        module,
    }))
}

/// Where an item written inside a `#[guarded_pymodule] mod` is: the dotted path of its
/// declarative module below the top one, and whether PyO3 adds it there (the marker
/// `#[declared_inline(module = "...", added)]` that module's macro put on it).
#[derive(Default)]
struct Inline {
    module: String,
    added: bool,
}

impl Inline {
    fn take(attrs: &mut Vec<Attribute>) -> Inline {
        let mut inline = Inline::default();
        attrs.retain(|attr| {
            if attr
                .path()
                .segments
                .last()
                .is_none_or(|s| s.ident != "declared_inline")
            {
                return true;
            }
            if let syn::Meta::List(list) = &attr.meta {
                for part in crate::args::split(list.tokens.clone()) {
                    if let Some(module) = crate::args::string_value(&part, "module") {
                        inline.module = module.value();
                    }
                    inline.added |= crate::args::key(&part).is_some_and(|k| k == "added");
                }
            }
            false
        });
        inline
    }
}

fn join(parent: &str, child: &str) -> String {
    match (parent, child) {
        ("", path) | (path, "") => path.to_owned(),
        (parent, child) => format!("{parent}.{child}"),
    }
}

const FIELD: &str =
    "only `#[guard(skip)]` goes on a field (the export check then does not look for it); \
put other options below `#[pyclass]`";
const VARIANT: &str = "`#[guard]` goes on the enum, not on a variant: put it below `#[pyclass]`";

fn attrs_of(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    match item {
        Item::Struct(s) => Some(&mut s.attrs),
        Item::Enum(e) => Some(&mut e.attrs),
        Item::Fn(f) => Some(&mut f.attrs),
        Item::Impl(i) => Some(&mut i.attrs),
        Item::Mod(m) => Some(&mut m.attrs),
        _ => None,
    }
}

/// `needs_module`: whether registration still has to set `__module__` at import.
fn entry(
    kind: Kind,
    args: &TokenStream,
    attrs: &[Attribute],
    ident: &Ident,
    guard: &GuardOptions,
    submodule: &str,
    needs_module: bool,
) -> Option<TokenStream> {
    if guard.skip.is_some() {
        return None;
    }
    let options = Pyo3Options::new(args, attrs);
    let rust_name = ident.unraw().to_string();
    let name = options
        .string("name")
        .map_or_else(|| rust_name.clone(), |n| n.value());
    // The registered item's `__module__` is where users import it from, unless the class names
    // its own module, or is an immutable type (whose attributes are fixed at creation).
    let set_module = needs_module && !(options.has("module") || options.has("immutable_type"));
    // Only what differs per item: registration makes and adds the object (see `Make`).
    let (kind_tokens, make) = match kind {
        Kind::Class => (
            quote!(::pyo3_guard::__private::Kind::Class),
            quote!(::pyo3_guard::__private::Make::Class(
                ::pyo3_guard::__private::class::<#ident>
            )),
        ),
        Kind::Function => (
            quote!(::pyo3_guard::__private::Kind::Function),
            // What `wrap_pyfunction!(#ident, m)` reads: the definition PyO3 generates in a
            // module named as the function.
            quote!(::pyo3_guard::__private::Make::Function({
                use #ident as wrapped_pyfunction;
                &wrapped_pyfunction::_PYO3_DEF
            })),
        ),
    };
    let (rust_len, name_len, submodule_len) = (rust_name.len(), name.len(), submodule.len());
    Some(submission(
        attrs,
        quote! {
            // One string for the loader to relocate, not four (see `Item`).
            ::pyo3_guard::__private::Item::new(
                ::core::concat!(::core::module_path!(), #rust_name, #name, #submodule),
                [::core::module_path!().len(), #rust_len, #name_len, #submodule_len],
                #kind_tokens,
                #set_module,
                #make,
            )
        },
    ))
}

/// `inventory::submit!` of `value`, under the `#[cfg]`s of the item it describes, so the entry
/// exists exactly when the item does.
pub(crate) fn submission(attrs: &[Attribute], value: TokenStream) -> TokenStream {
    let cfgs = attrs.iter().filter(|a| a.path().is_ident("cfg"));
    quote! {
        #(#cfgs)*
        const _: () = {
            ::pyo3_guard::__private::inventory::submit! { #value }
        };
    }
}
