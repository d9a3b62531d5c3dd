//! The macros' expansions, pretty-printed and compared with the files in `tests/expand/`: a
//! change of what the macros generate shows as a diff in review. After an intended change,
//! `PYO3_GUARD_BLESS=1 cargo test -p pyo3-guard-macros` writes the new files.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

use crate::module_name::{ITEMS_MODULE_ENV, MODULE_NAME_ENV};

struct Case {
    name: &'static str,
    /// maturin's module name as the build script passes it, or `None` outside a maturin project.
    module_name: Option<&'static str>,
    expand: fn(TokenStream, TokenStream) -> TokenStream,
    args: TokenStream,
    item: TokenStream,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "module_function",
            module_name: Some("demo;demo (from the [lib] name in Cargo.toml)"),
            expand: crate::module::expand,
            args: quote!(),
            item: quote! {
                fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
                    m.add("VERSION", 1)?;
                    Ok(())
                }
            },
        },
        Case {
            name: "declarative_module",
            module_name: Some("demo;demo (from the [lib] name in Cargo.toml)"),
            expand: crate::module::expand,
            args: quote!(),
            item: quote! {
                mod demo {
                    use pyo3_guard::prelude::*;

                    #[pyfunction]
                    fn sum_as_string(a: usize, b: usize) -> String {
                        (a + b).to_string()
                    }

                    #[pymodule]
                    mod sub {
                        #[pymodule_export]
                        use super::sum_as_string;
                    }

                    #[pymodule_init]
                    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
                        m.add("VERSION", 1)
                    }
                }
            },
        },
        Case {
            name: "pyclass",
            module_name: Some("demo;demo (from the [lib] name in Cargo.toml)"),
            expand: crate::item::pyclass,
            args: quote!(frozen),
            item: quote! {
                #[guard(submodule = "geo")]
                struct Point {
                    x: f64,
                }
            },
        },
        Case {
            name: "pyclass_outside_maturin",
            module_name: None,
            expand: crate::item::pyclass,
            args: quote!(),
            item: quote! {
                struct Counter {
                    value: i64,
                }
            },
        },
        Case {
            name: "pyfunction",
            module_name: Some("demo;demo (from the [lib] name in Cargo.toml)"),
            expand: crate::item::pyfunction,
            args: quote!(signature = (a, b = 1)),
            item: quote! {
                fn add(a: i64, b: i64) -> i64 {
                    a + b
                }
            },
        },
    ]
}

#[test]
fn expansions_match_the_snapshots() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let bless = std::env::var_os("PYO3_GUARD_BLESS").is_some();
    let mut stale = Vec::new();
    // One test, cases in turn: the module name is read from the environment, which all of a
    // test binary's threads share.
    for case in cases() {
        // As pyo3-guard-build sets them for maturin's pure-Rust layout (items name `demo`).
        match case.module_name {
            Some(value) => {
                std::env::set_var(MODULE_NAME_ENV, value);
                std::env::set_var(ITEMS_MODULE_ENV, "demo");
            }
            None => {
                std::env::remove_var(MODULE_NAME_ENV);
                std::env::remove_var(ITEMS_MODULE_ENV);
            }
        }
        let tokens = (case.expand)(case.args, case.item);
        let file = syn::parse2::<syn::File>(tokens.clone()).unwrap_or_else(|e| {
            panic!(
                "{}: the expansion does not parse ({e}):\n{tokens}",
                case.name
            )
        });
        let text = prettyplease::unparse(&file);
        let path = dir.join(format!("{}.rs", case.name));
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!("--- {} (new expansion)\n{text}", path.display()));
        }
    }
    std::env::remove_var(MODULE_NAME_ENV);
    std::env::remove_var(ITEMS_MODULE_ENV);
    assert!(
        stale.is_empty(),
        "expansions differ from their snapshots; if the change is intended, run \
         `PYO3_GUARD_BLESS=1 cargo test -p pyo3-guard-macros` and commit tests/expand/:\n{}",
        stale.join("\n")
    );
}
