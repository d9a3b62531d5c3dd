//! `#[guarded_pymodule]` on a function (a declarative `mod` is `declarative.rs`): a PyO3 function module that also carries its build record and adds
//! the registered items.
//!
//! ```text
//! #[guarded_pymodule(crates = [core])]     #[::pyo3::pymodule]
//! fn demo(m: &Bound<PyModule>)      =>     fn demo(__pyo3_guard_arg0: &Bound<PyModule>) -> PyResult<()> {
//!     -> PyResult<()> { body }                 static RECORD: &[u8] = include_bytes!(env!("PYO3_GUARD_RECORD", ...));
//!                                              use core as _; // links `core`, so its entries exist
//!                                              fn demo(m: &Bound<PyModule>) -> PyResult<()> { body }
//!                                              let body = demo(__pyo3_guard_arg0);
//!                                              if body.is_ok() {
//!                                                  ::pyo3_guard::__private::install(__pyo3_guard_arg0, RECORD,
//!                                                      module_path!(), &["core"], Some(drop_placed_by_body))?;
//!                                              }
//!                                              body
//!                                          }
//! ```
//! The user's function runs unchanged, under its own name (so `return`, `?` and recursion
//! inside it behave as written), and first: then the guard is installed and the registered items
//! are added, except those the body placed itself, anywhere in the module (found by identity:
//! what a loop, a macro or a helper function added counts too). A body that fails fails the
//! import as it would in PyO3, with no guard installed. Options:
//! `crates = [name, ...]` is ours; every other argument goes to `#[pyo3::pymodule]` as written.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::{spanned::Spanned, FnArg, Ident, Item, ItemFn};

use crate::{args, module_name};

const MISSING_BUILD_RS: &str = "pyo3-guard: no build record. Add `pyo3-guard-build` to \
`[build-dependencies]` and call it from build.rs: `fn main() { pyo3_guard_build::emit(); }`";

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(mut function)) => match expand_fn(args, function.clone()) {
            Ok(tokens) => tokens,
            Err(err) => {
                // Without #[pymodule] around it, a `#[pyo3(...)]` would be an error of its own.
                function.attrs.retain(|a| !a.path().is_ident("pyo3"));
                error_with_item(err, quote!(#function))
            }
        },
        Ok(Item::Mod(module)) => crate::declarative::expand(args, module),
        Ok(other) => error_with_item(
            syn::Error::new(
                first_token_span(&other),
                "#[guarded_pymodule] goes on a module function (`fn name(m: &Bound<'_, PyModule>) -> PyResult<()>`) \
                 or a declarative module (`mod name { ... }`)",
            ),
            item,
        ),
        Err(err) => err.to_compile_error(),
    }
}

/// One mistake, one error: the item is still emitted so the rest of the crate type-checks.
pub(crate) fn error_with_item(err: syn::Error, item: TokenStream) -> TokenStream {
    let err = err.to_compile_error();
    quote!(#err #item)
}

fn first_token_span(item: &Item) -> Span {
    item.span()
}

/// `crates = [...]` taken out of the arguments; the rest is PyO3's.
pub(crate) struct ModuleArgs {
    pub crates: Vec<Ident>,
    pub pyo3: TokenStream,
}

const CRATES_USAGE: &str = "expected `crates = [name, ...]`: the path-dependency crates whose \
#[pyclass] and #[pyfunction] items this module adds";

pub(crate) fn parse_args(args: TokenStream) -> syn::Result<ModuleArgs> {
    let mut crates: Option<Vec<Ident>> = None;
    let mut pyo3 = Vec::new();
    for part in args::split(args) {
        if args::key(&part).is_none_or(|k| k != "crates") {
            pyo3.push(part);
            continue;
        }
        let list = parse_crates(&part)?;
        if crates.is_some() {
            return Err(syn::Error::new_spanned(
                &part,
                "duplicate `crates`: list every crate in one `crates = [...]`",
            ));
        }
        crates = Some(list);
    }
    let pyo3 = pyo3
        .iter()
        .enumerate()
        .map(|(i, p)| if i == 0 { quote!(#p) } else { quote!(, #p) })
        .collect();
    Ok(ModuleArgs {
        crates: crates.unwrap_or_default(),
        pyo3,
    })
}

fn parse_crates(part: &TokenStream) -> syn::Result<Vec<Ident>> {
    let tokens: Vec<TokenTree> = part.clone().into_iter().collect();
    let list = match tokens.as_slice() {
        [_, TokenTree::Punct(eq), TokenTree::Group(group)]
            if eq.as_char() == '=' && group.delimiter() == proc_macro2::Delimiter::Bracket =>
        {
            group.stream()
        }
        _ => return Err(syn::Error::new_spanned(part, CRATES_USAGE)),
    };
    let mut crates: Vec<Ident> = Vec::new();
    for entry in args::split(list) {
        let ident = match syn::parse2::<Ident>(entry.clone()) {
            Ok(ident) => ident,
            Err(_) => return Err(syn::Error::new_spanned(
                &entry,
                "expected a crate name, as in `use name;` (`core_types` for package `core-types`)",
            )),
        };
        if crates.contains(&ident) {
            return Err(syn::Error::new(
                ident.span(),
                format!("`{ident}` is named twice in `crates`"),
            ));
        }
        crates.push(ident);
    }
    Ok(crates)
}

/// Set by pyo3-guard-build: `used=own,...` for dependencies renamed with `package = "..."`.
const CRATE_RENAMES_ENV: &str = "PYO3_GUARD_CRATE_RENAMES";

/// The crate's own name (what its items register under) for the name code uses.
fn own_crate_name(used: &str, renames: &str) -> String {
    let own = renames
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .find(|(u, _)| *u == used);
    own.map_or(used, |(_, own)| own).to_owned()
}

fn expand_fn(args: TokenStream, function: ItemFn) -> syn::Result<TokenStream> {
    let ModuleArgs { crates, pyo3: args } = parse_args(args)?;
    validate_signature(&function)?;
    module_name::check(&args, &function.attrs, &function.sig.ident, "function")?;
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = &function;
    let name = &sig.ident;
    let forwarded: Vec<_> = (0..sig.inputs.len())
        .map(|i| format_ident!("__pyo3_guard_arg{}", i))
        .collect();
    let outer_inputs = sig
        .inputs
        .iter()
        .zip(&forwarded)
        .map(|(arg, ident)| match arg {
            FnArg::Typed(typed) => {
                let ty = &typed.ty;
                quote!(#ident: #ty)
            }
            FnArg::Receiver(_) => unreachable!("rejected by validate_signature"),
        });
    let module_arg = forwarded
        .last()
        .expect("validate_signature requires a module argument");
    let output = &sig.output;
    // Lifetime parameters only (validate_signature): the outer function's inputs name them too.
    let (generics, where_clause) = (&sig.generics, &sig.generics.where_clause);
    let inner_attrs = attrs
        .iter()
        .filter(|a| !a.path().is_ident("pyo3") && !a.path().is_ident("doc"));
    let record = record_static(name);
    let args = (!args.is_empty()).then(|| quote!((#args)));
    let links = crate_links(&crates);
    let crate_names = own_crate_names(&crates);
    let stub_gatherer = crate::stubs::module_items();
    let build_kind = build_kind();
    // Only a body that may place items the build script cannot read needs the filter; the
    // others do not link it (it is code in every published wheel). The build script reads the
    // additions of the module's own crate only: with `crates = [...]` a line may add one of
    // theirs.
    let filter = if crates.is_empty() && places_only_what_the_build_script_reads(block) {
        quote!(::core::option::Option::None)
    } else {
        quote!(::core::option::Option::Some(
            ::pyo3_guard::__private::drop_placed_by_body
        ))
    };
    Ok(quote! {
        #stub_gatherer
        #[::pyo3::pymodule #args]
        #(#attrs)*
        #vis fn #name #generics (#(#outer_inputs),*) #output #where_clause {
            #record
            #(#links)*
            #(#inner_attrs)*
            #sig #block
            #build_kind
            let __pyo3_guard_body = #name(#(#forwarded),*);
            if __pyo3_guard_body.is_ok() {
                __pyo3_guard_build_kind::install(
                    #module_arg, __PYO3_GUARD_RECORD, ::core::module_path!(), &[#(#crate_names),*], #filter,
                )?;
            }
            __pyo3_guard_body
        }
    })
}

/// Whether every statement of the body is one whose additions the build script reads exactly
/// (its `by_hand_top`): `m.add_class::<T>()?;`, `m.add_function(wrap_pyfunction!(f, m)?)?;`,
/// `m.add_wrapped(wrap_pyfunction!(f))?;`, `m.add("NAME", value)?;` with a literal or an `env!`
/// / `concat!` value, `let _ = m;` and a final `Ok(())`. Such a body makes no submodule and adds
/// nothing the record does not list, so registration needs no look at what it placed.
fn places_only_what_the_build_script_reads(block: &syn::Block) -> bool {
    use syn::{Expr, Stmt};
    let is_call = |expr: &Expr, name: &str| matches!(expr, Expr::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == name));
    let is_value = |expr: &Expr| {
        matches!(expr, Expr::Lit(_)) || is_call(expr, "env") || is_call(expr, "concat")
    };
    // `m.method(args)?`
    let add_line = |expr: &Expr| {
        let Expr::Try(tried) = expr else { return false };
        let Expr::MethodCall(call) = &*tried.expr else {
            return false;
        };
        if !matches!(&*call.receiver, Expr::Path(p) if p.path.get_ident().is_some()) {
            return false;
        }
        let args: Vec<&Expr> = call.args.iter().collect();
        let wrapped = |arg: &Expr| match arg {
            Expr::Try(t) => is_call(&t.expr, "wrap_pyfunction"),
            other => is_call(other, "wrap_pyfunction"),
        };
        match (call.method.to_string().as_str(), args.as_slice()) {
            ("add_class", []) => call.turbofish.is_some(),
            ("add_function" | "add_wrapped", [arg]) => wrapped(arg),
            ("add", [Expr::Lit(_), value]) => is_value(value),
            _ => false,
        }
    };
    let ok_unit = |expr: &Expr| matches!(expr, Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Ok")) && matches!(c.args.first(), Some(Expr::Tuple(t)) if t.elems.is_empty()) && c.args.len() == 1);
    let last = block.stmts.len().saturating_sub(1);
    block.stmts.iter().enumerate().all(|(i, stmt)| match stmt {
        Stmt::Expr(expr, Some(_)) => add_line(expr),
        Stmt::Expr(expr, None) => i == last && ok_unit(expr),
        Stmt::Local(local) => {
            matches!(local.pat, syn::Pat::Wild(_))
                && matches!(&local.init, Some(init) if matches!(&*init.expr, Expr::Path(p) if p.path.get_ident().is_some()) && init.diverge.is_none())
        }
        _ => false,
    })
}

/// `static __PYO3_GUARD_RECORD`: the build record, embedded. Spanned at the module's name, so a
/// missing build.rs is reported there.
pub(crate) fn record_static(name: &Ident) -> TokenStream {
    quote_spanned! {name.span()=>
        static __PYO3_GUARD_RECORD: &[u8] = ::core::include_bytes!(::core::env!("PYO3_GUARD_RECORD", #MISSING_BUILD_RS));
    }
}

/// `mod __pyo3_guard_build_kind { pub use ...install; }`: the install this build links.
/// PYO3_GUARD_DIST=1 has the build script set cfg `pyo3_guard_dist`: only the lean install is
/// named, so the linker drops the check code. A crate of 400 inputs or more gets cfg
/// `pyo3_guard_threads`, and only then the install whose check may start threads. (Allowed:
/// without a build script the cfgs are undeclared, and the missing record is the one error to
/// report.)
pub(crate) fn build_kind() -> TokenStream {
    quote! {
        #[allow(unexpected_cfgs)]
        mod __pyo3_guard_build_kind {
            #[cfg(all(not(pyo3_guard_dist), not(pyo3_guard_threads)))]
            pub use ::pyo3_guard::__private::install;
            #[cfg(all(not(pyo3_guard_dist), pyo3_guard_threads))]
            pub use ::pyo3_guard::__private::install_threaded as install;
            #[cfg(pyo3_guard_dist)]
            pub use dist::install;

            // The distribution guard's functions, made here: their argument parsing is PyO3's
            // generic code, which a crate with functions of its own has already.
            #[cfg(pyo3_guard_dist)]
            mod dist {
                use ::pyo3::prelude::*;

                pub fn install(
                    module: &Bound<'_, ::pyo3::types::PyModule>,
                    raw: &'static [u8],
                    module_path: &str,
                    named_crates: &[&str],
                    filter: ::core::option::Option<::pyo3_guard::__private::Filter>,
                ) -> PyResult<()> {
                    ::pyo3_guard::__private::install_dist(
                        module,
                        raw,
                        module_path,
                        named_crates,
                        filter,
                        &[
                            &verify::_PYO3_DEF,
                            &check::_PYO3_DEF,
                            &pytest_sessionstart::_PYO3_DEF,
                            &pytest_addoption::_PYO3_DEF,
                        ],
                    )
                }

                /// Returns None: a distribution build cannot check itself (see `check()["message"]`).
                #[pyfunction]
                #[pyo3(signature = (source_root=None, rebuild=None))]
                fn verify(source_root: Option<Bound<'_, PyAny>>, rebuild: Option<Bound<'_, PyAny>>) {
                    let _ = (source_root, rebuild);
                }

                /// The keys of a full build's `check()`, with verdict "unverifiable", the reason in
                /// `notes` and `message`, and the commands that check the installed file from
                /// outside in `fixes`.
                #[pyfunction]
                #[pyo3(pass_module, signature = (source_root=None))]
                fn check<'py>(
                    guard: &Bound<'py, ::pyo3::types::PyModule>,
                    source_root: Option<Bound<'py, PyAny>>,
                ) -> PyResult<Bound<'py, ::pyo3::types::PyDict>> {
                    let _ = source_root;
                    ::pyo3_guard::__private::dist_check(guard)
                }

                /// The pytest hook of a full build; here it lets the session run.
                #[pyfunction]
                #[pyo3(signature = (session))]
                fn pytest_sessionstart(session: Bound<'_, PyAny>) {
                    let _ = session;
                }

                /// The pytest hook of a full build that adds `--pyo3-guard-rebuild`; here the option
                /// is accepted and does nothing, so the same command line works.
                #[pyfunction]
                #[pyo3(signature = (parser))]
                fn pytest_addoption(parser: Bound<'_, PyAny>) -> PyResult<()> {
                    ::pyo3_guard::__private::dist_pytest_addoption(&parser)
                }
            }
        }
    }
}

/// `use name as _;` for each crate of `crates = [...]`: naming a crate links it, so its
/// registrations survive the linker; a typo is an unresolved import at the name.
pub(crate) fn crate_links(crates: &[Ident]) -> Vec<TokenStream> {
    crates
        .iter()
        .map(|krate| quote_spanned!(krate.span()=> #[allow(unused_imports)] use #krate as _;))
        .collect()
}

/// The names the items of `crates` register under (a renamed dependency's own name).
pub(crate) fn own_crate_names(crates: &[Ident]) -> Vec<String> {
    let renames = std::env::var(CRATE_RENAMES_ENV).unwrap_or_default();
    crates
        .iter()
        .map(|krate| own_crate_name(&krate.to_string(), &renames))
        .collect()
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
        return Err(syn::Error::new(
            asyncness.span,
            "a module function cannot be `async`: remove `async`",
        ));
    }
    // Lifetimes are PyO3's too (`fn init<'py>(py: Python<'py>, m: &Bound<'py, PyModule>)`).
    if sig
        .generics
        .params
        .iter()
        .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)))
    {
        return Err(syn::Error::new(
            sig.generics.span(),
            "a module function cannot have type or const parameters: remove them (lifetime parameters are fine)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{own_crate_name, places_only_what_the_build_script_reads};

    fn readable(body: &str) -> bool {
        places_only_what_the_build_script_reads(&syn::parse_str(body).unwrap())
    }

    #[test]
    fn only_bodies_of_lines_the_build_script_reads_skip_the_filter() {
        assert!(readable("{ let _ = m; Ok(()) }"));
        assert!(readable("{}"));
        assert!(readable(
            r#"{
                m.add_class::<Counter>()?;
                m.add_function(wrap_pyfunction!(greet, m)?)?;
                m.add_function(pyo3::wrap_pyfunction!(crate::a::b, m)?)?;
                m.add_wrapped(wrap_pyfunction!(other))?;
                m.add("__version__", env!("CARGO_PKG_VERSION"))?;
                m.add("ANSWER", 42)?;
                Ok(())
            }"#
        ));
        // Anything that may place an item elsewhere, or that the build script does not read.
        for body in [
            "{ m.add_wrapped(wrap_pymodule!(sub))?; Ok(()) }",
            "{ fill(py, m)?; Ok(()) }",
            "{ let sub = PyModule::new(py, \"sub\")?; m.add_submodule(&sub)?; Ok(()) }",
            "{ m.add(\"sub\", make(py)?)?; Ok(()) }",
            "{ for f in [a, b] { m.add_function(f)?; } Ok(()) }",
            "{ my_macro!(m); Ok(()) }",
            "{ m.add_class::<Counter>(); Ok(()) }",
            "{ Ok(())?; m.add_class::<Counter>()?; Ok(()) }",
        ] {
            assert!(!readable(body), "{body}");
        }
    }

    #[test]
    fn a_renamed_crate_is_selected_by_its_own_name() {
        assert_eq!(
            own_crate_name("types", "shared=shared_types,types=core_lib"),
            "core_lib"
        );
        assert_eq!(own_crate_name("core_types", "types=core_lib"), "core_types");
        assert_eq!(own_crate_name("x", ""), "x");
    }
}
