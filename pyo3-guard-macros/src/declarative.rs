//! `#[guarded_pymodule] mod name { ... }`: a PyO3 declarative module that also carries its build
//! record and adds the registered items. PyO3 still builds the module; we only add an init
//! function and mark the items PyO3 adds itself, so they are not added a second time.
//!
//! ```text
//! #[guarded_pymodule(crates = [core])]   #[::pyo3::pymodule]
//! mod demo {                              mod demo {
//!     #[pyclass] struct A;          =>        #[pyclass] #[declared_inline(module = "", added)] struct A;
//!     #[pymodule] mod sub { .. }              #[pymodule] mod sub { /* the same, module = "sub" */ }
//!     #[pymodule_init]                        fn init(m: &Bound<PyModule>) -> PyResult<()> { .. }
//!     fn init(m: ..) -> .. { .. }             #[pymodule_init]
//! }                                           fn __pyo3_guard_init(m: &Bound<PyModule>) -> PyResult<()> {
//!                                                 static RECORD: &[u8] = include_bytes!(..);
//!                                                 use core as _;
//!                                                 install_declarative(m, RECORD, module_path!(), &["core"], &["sub"])?;
//!                                                 init(m).into_init_result()
//!                                             }
//!                                         }
//! ```
//! PyO3 runs the init after adding the items it sees, so the guard is installed and the other
//! registered items are added before the user's init runs (a function module's body runs
//! first instead: see module.rs).
//!
//! Which items PyO3 adds is PyO3's rule (pyo3-macros-backend `pymodule_module_impl`): a struct,
//! enum or fn written directly in the module whose attribute path is `pyclass`/`pyfunction`,
//! `pyo3::...` or `pyo3::prelude::...` (with `crate = "..."` in place of `pyo3`), and a mod
//! marked `pymodule` likewise, which becomes a submodule. Every other prelude item registers
//! as it does for a function module. The prelude's `#[pymodule]` ([`pymodule`]) marks the items
//! of a declarative module written outside the guarded one the same way.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Item, ItemMod};

use crate::args::{self, Pyo3Options};
use crate::module;
use crate::{module_name, options};

pub fn expand(args: TokenStream, module: ItemMod) -> TokenStream {
    let mut module = module;
    match expand_mod(args, &mut module) {
        Ok(tokens) => tokens,
        Err(err) => {
            // PyO3's helper attributes mean nothing without #[pymodule] around them.
            module.attrs.retain(|a| !a.path().is_ident("pyo3"));
            if let Some((_, items)) = &mut module.content {
                for item in items {
                    if let Some(attrs) = item_attrs(item) {
                        attrs.retain(|a| {
                            !a.path().is_ident("pymodule_init")
                                && !a.path().is_ident("pymodule_export")
                        });
                    }
                }
            }
            module::error_with_item(err, quote!(#module))
        }
    }
}

fn expand_mod(args: TokenStream, module: &mut ItemMod) -> syn::Result<TokenStream> {
    let module::ModuleArgs { crates, pyo3: args } = module::parse_args(args)?;
    let options = Pyo3Options::new(&args, &module.attrs);
    if let Some(submodule) = options.part("submodule") {
        return Err(syn::Error::new_spanned(
            submodule,
            "#[guarded_pymodule] goes on the top module only: a submodule is a `#[pymodule] mod` inside it",
        ));
    }
    let Some((_, items)) = &mut module.content else {
        return Err(syn::Error::new(
            module.semi.span(),
            "#[guarded_pymodule] needs the module's items inline (`mod name { ... }`): PyO3 reads them",
        ));
    };
    module_name::check(&args, &module.attrs, &module.ident, "module")?;
    let mut walk = Walk {
        pyo3_path: crate_path(&options),
        submodules: Vec::new(),
        init: None,
    };
    walk.module(items, "", true)?;

    let ident = &module.ident;
    let record = module::record_static(ident);
    let links = module::crate_links(&crates);
    let crate_names = module::own_crate_names(&crates);
    let submodules = &walk.submodules;
    let build_kind = module::build_kind();
    let user_init = walk
        .init
        .map(|call| quote!(::pyo3_guard::__private::InitResult::into_init_result(#call)));
    let user_init = user_init.unwrap_or_else(|| quote!(::core::result::Result::Ok(())));
    items.push(syn::parse_quote! {
        /// Not public API: pyo3-guard's init, run by PyO3 after it added the module's items.
        #[pymodule_init]
        fn __pyo3_guard_init(__pyo3_guard_module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
            #record
            #(#links)*
            #build_kind
            ::pyo3_guard::__private::install_declarative(
                __pyo3_guard_build_kind::install,
                __pyo3_guard_module, __PYO3_GUARD_RECORD, ::core::module_path!(), &[#(#crate_names),*], &[#(#submodules),*],
            )?;
            #user_init
        }
    });
    let args = (!args.is_empty()).then(|| quote!((#args)));
    let stub_gatherer = crate::stubs::module_items();
    Ok(quote! {
        #stub_gatherer
        #[::pyo3::pymodule #args]
        #module
    })
}

/// The prelude's `#[pymodule]`: PyO3's, unchanged, on a function module. On a declarative
/// `mod` outside the guarded module (`#[pymodule] pub mod codec { ... }` in a file of its own,
/// which the guarded module exports with `#[pymodule_export] use crate::codec::codec;`), the
/// items PyO3 adds to it are marked first, as `#[guarded_pymodule]` marks its own: they are
/// PyO3's to add there, and register nowhere else. Items marked already (a nested module the
/// guarded module walked) keep their marks.
pub fn pymodule(args: TokenStream, item: TokenStream) -> TokenStream {
    let pyo3_args = (!args.is_empty()).then(|| quote!((#args)));
    let Ok(mut module) = syn::parse2::<ItemMod>(item.clone()) else {
        return quote!(#[::pyo3::pymodule #pyo3_args] #item);
    };
    let options = Pyo3Options::new(&args, &module.attrs);
    let name = options
        .string("name")
        .map_or_else(|| module.ident.unraw().to_string(), |n| n.value());
    let mut walk = Walk {
        pyo3_path: crate_path(&options),
        submodules: Vec::new(),
        init: None,
    };
    let result = match &mut module.content {
        Some((_, items)) => walk.module(items, &name, false),
        None => Ok(()), // PyO3 reports it
    };
    let tokens = quote!(#[::pyo3::pymodule #pyo3_args] #module);
    match result {
        Ok(()) => tokens,
        Err(err) => module::error_with_item(err, tokens),
    }
}

/// What walking the module tree found: the dotted paths of the nested declarative modules, and
/// the call of the top module's own `#[pymodule_init]` function.
struct Walk {
    pyo3_path: Vec<String>,
    submodules: Vec<String>,
    init: Option<TokenStream>,
}

impl Walk {
    /// Marks the items of the declarative module at `path` ("" = the top module).
    fn module(&mut self, items: &mut [Item], path: &str, top: bool) -> syn::Result<()> {
        for item in items {
            match item {
                Item::Fn(f)
                    if top && f.attrs.iter().any(|a| a.path().is_ident("pymodule_init")) =>
                {
                    let attr = f
                        .attrs
                        .iter()
                        .find(|a| a.path().is_ident("pymodule_init"))
                        .expect("found above");
                    if self.init.is_some() {
                        return Err(syn::Error::new_spanned(
                            attr,
                            "only one `#[pymodule_init]` may be specified",
                        ));
                    }
                    if let Some(pyfunction) =
                        f.attrs.iter().find(|a| last_segment(a) == "pyfunction")
                    {
                        return Err(syn::Error::new_spanned(
                            pyfunction,
                            "`#[pyfunction]` cannot be used alongside `#[pymodule_init]`",
                        ));
                    }
                    self.init = Some(init_call(&f.sig)?);
                    f.attrs.retain(|a| !a.path().is_ident("pymodule_init"));
                }
                Item::Struct(s) => self.item(&mut s.attrs, "pyclass", path),
                Item::Enum(e) => self.item(&mut e.attrs, "pyclass", path),
                Item::Fn(f) => self.item(&mut f.attrs, "pyfunction", path),
                Item::Mod(m) => self.submodule(m, path)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// A struct, enum or fn written in the module at `path`: marked, so the prelude's macro
    /// knows where it is and whether PyO3 adds it.
    fn item(&self, attrs: &mut Vec<Attribute>, kind: &str, path: &str) {
        if attrs.iter().any(|a| last_segment(a) == "declared_inline") {
            return; // by the module around this one, which knows the whole path
        }
        let Some(index) = attrs.iter().position(|a| last_segment(a) == kind) else {
            return;
        };
        let seen_by_pyo3 = self.pyo3_sees(&attrs[index], kind);
        // Parsed again by the prelude's macro, which reports any mistake in them.
        let guard = options::take(&mut attrs.clone()).unwrap_or_default();
        let placed_by_us = guard.skip.is_some() || guard.submodule.is_some();
        let added = if seen_by_pyo3 && placed_by_us {
            // PyO3 would add it here regardless: hide it from PyO3 (the prelude's macro is PyO3's
            // plus a registration) and let the registration place it, or skip it.
            let span = attrs[index].path().span();
            let kind_ident = syn::Ident::new(kind, span);
            set_path(
                &mut attrs[index],
                syn::parse_quote_spanned!(span=> ::pyo3_guard::prelude::#kind_ident),
            );
            false
        } else {
            seen_by_pyo3
        };
        let added = added.then(|| quote!(, added));
        attrs.insert(
            index + 1,
            syn::parse_quote!(#[::pyo3_guard::__private::declared_inline(module = #path #added)]),
        );
    }

    /// A nested `#[pymodule] mod`: a submodule, walked in turn. Another mod is plain Rust: its
    /// prelude items register as anywhere else in the crate.
    fn submodule(&mut self, module: &mut ItemMod, parent: &str) -> syn::Result<()> {
        if let Some(attr) = module
            .attrs
            .iter_mut()
            .find(|a| last_segment(a) == "guarded_pymodule")
        {
            let err = syn::Error::new_spanned(
                &*attr,
                "a module inside a guarded module is a submodule: write `#[pymodule]` here \
                 (`#[guarded_pymodule]` goes on the top module only)",
            );
            // As PyO3's, it adds no error of its own while the first one is fixed.
            *attr = syn::parse_quote!(#[::pyo3::pymodule]);
            return Err(err);
        }
        let Some(index) = module
            .attrs
            .iter()
            .position(|a| self.pyo3_sees(a, "pymodule"))
        else {
            return Ok(());
        };
        let module_args = match &module.attrs[index].meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        };
        let (crates, rest): (Vec<_>, Vec<_>) = args::split(module_args.clone())
            .into_iter()
            .partition(|p| args::key(p).is_some_and(|k| k == "crates"));
        if let Some(crates) = crates.first() {
            let err = syn::Error::new_spanned(
                crates,
                "`crates = [...]` goes on the top module: move it to `#[guarded_pymodule(crates = [...])]`",
            );
            // Without it, PyO3 adds no error of its own.
            let path = module.attrs[index].path().clone();
            module.attrs[index] = if rest.is_empty() {
                syn::parse_quote!(#[#path])
            } else {
                syn::parse_quote!(#[#path(#(#rest),*)])
            };
            return Err(err);
        }
        let Some((_, items)) = &mut module.content else {
            return Ok(());
        }; // PyO3 reports it
        let name = Pyo3Options::new(&module_args, &module.attrs)
            .string("name")
            .map_or_else(|| module.ident.unraw().to_string(), |n| n.value());
        let path = if parent.is_empty() {
            name
        } else {
            format!("{parent}.{name}")
        };
        self.submodules.push(path.clone());
        self.module(items, &path, false)
    }

    /// PyO3's own test for an attribute it acts on inside a declarative module.
    fn pyo3_sees(&self, attr: &Attribute, kind: &str) -> bool {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let [namespace @ .., last] = segments.as_slice() else {
            return false;
        };
        last == kind
            && (namespace.is_empty()
                || namespace == self.pyo3_path.as_slice()
                || namespace.split_last().is_some_and(|(prelude, krate)| {
                    prelude == "prelude" && krate == self.pyo3_path.as_slice()
                }))
    }
}

/// The crate path PyO3 resolves against: `crate = "..."`, else `pyo3`.
fn crate_path(options: &Pyo3Options) -> Vec<String> {
    match options.string("crate") {
        Some(path) => path
            .value()
            .split("::")
            .filter(|s| !s.is_empty())
            .map(|s| s.trim().to_owned())
            .collect(),
        None => vec!["pyo3".to_owned()],
    }
}

/// How the guard's init calls the user's `#[pymodule_init]` function: PyO3's rule, an optional
/// `Python` argument followed by an optional module argument.
fn init_call(sig: &syn::Signature) -> syn::Result<TokenStream> {
    let ident = &sig.ident;
    let mut args = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(typed) = input else {
            return Err(syn::Error::new_spanned(
                input,
                "`#[pymodule_init]` cannot take `self`",
            ));
        };
        if i == 0 && is_python(&typed.ty) && sig.inputs.len() <= 2 {
            args.push(quote!(__pyo3_guard_module.py()));
        } else if args.len() == i && i + 1 == sig.inputs.len() {
            args.push(quote!(__pyo3_guard_module));
        } else {
            return Err(syn::Error::new_spanned(
                &sig.inputs,
                "`#[pymodule_init]` takes an optional `Python` argument followed by an optional module argument",
            ));
        }
    }
    Ok(quote!(#ident(#(#args),*)))
}

fn is_python(ty: &syn::Type) -> bool {
    let mut ty = ty;
    while let syn::Type::Group(group) = ty {
        ty = &group.elem;
    }
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Python"))
}

fn last_segment(attr: &Attribute) -> String {
    attr.path()
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn set_path(attr: &mut Attribute, path: syn::Path) {
    match &mut attr.meta {
        syn::Meta::Path(p) => *p = path,
        syn::Meta::List(list) => list.path = path,
        syn::Meta::NameValue(nv) => nv.path = path,
    }
}

fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    match item {
        Item::Fn(f) => Some(&mut f.attrs),
        Item::Use(u) => Some(&mut u.attrs),
        Item::Const(c) => Some(&mut c.attrs),
        _ => None,
    }
}
