//! The prelude's `#[pymethods]`: PyO3's attribute, unchanged, after taking off a method's
//! `#[guard(skip)]` (read by the export check) and refusing any other `#[guard]`. The methods need no registry entry: they reach Python with their class, and the
//! export check learns their names from the build record (pyo3-guard-build parses the block).
//! A load-time entry per block cost about 3.5% of the import of a 200-class module.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ImplItem, ItemImpl};

use crate::{options, stubs};

const ON_METHOD: &str = "only `#[guard(skip)]` goes on a method (the export check then does not look for it): \
methods reach Python with their class. To keep a method out of Python, move it to an `impl` block without \
`#[pymethods]`";
const ON_IMPL: &str =
    "`#[guard]` does not go on a `#[pymethods]` block: put it below `#[pyclass]` \
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
        error = error.and(options::take_member(attrs, ON_METHOD));
    }
    let error = error.err().map(|e| e.to_compile_error());
    let stub = stubs::methods_attribute();
    quote! {
        #error
        #stub
        #[::pyo3::pymethods #pyo3_args]
        #block
    }
}
