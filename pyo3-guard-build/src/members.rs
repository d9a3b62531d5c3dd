//! Which members of a `#[pyclass]` Python sees, under which names: PyO3's rules, read from
//! pyo3-macros-backend for every supported version (0.27 to 0.30).
//!
//! - A `#[pymethods]` method becomes an attribute under its Python name (`#[pyo3(name)]`, else
//!   the identifier), except the protocol methods PyO3 turns into type slots
//!   ([`PROTOCOL_METHODS`]): those are not attributes of that name (`__richcmp__`,
//!   `__traverse__`, `__getbuffer__` have none at all), so they are not looked for.
//! - `#[getter]`/`#[setter]`: the given name, else the identifier without `get_`/`set_`.
//! - Fields: `#[pyo3(get)]`/`#[pyo3(set)]`, or every named field under `#[pyclass(get_all)]` /
//!   `set_all`; `#[pyo3(name)]` on the field, else its identifier.
//! - Enum variants are class attributes (simple enums) or nested classes (complex enums),
//!   under `#[pyo3(name)]` or the identifier.
//! - `rename_all = "..."` renames fields and variants by rules this scan does not model
//!   exactly: those without an explicit name are not checked.

use syn::{Attribute, Fields, ImplItem};

use crate::attrs::{
    attr_tokens, first_word, has_attr, has_word, key_value, name_value, python_name, unraw,
};

/// Every name `PyMethodKind::from_name` in pyo3-macros-backend's `pymethod.rs` maps to a
/// protocol (slot, slot fragment, `__call__`, GC), in any supported PyO3 version (`__new__` and
/// `__init__` since 0.28). A unit test compares it with the installed PyO3 sources.
pub const PROTOCOL_METHODS: [&str; 87] = [
    "__new__",
    "__init__",
    "__str__",
    "__repr__",
    "__hash__",
    "__richcmp__",
    "__get__",
    "__iter__",
    "__next__",
    "__await__",
    "__aiter__",
    "__anext__",
    "__len__",
    "__contains__",
    "__concat__",
    "__repeat__",
    "__inplace_concat__",
    "__inplace_repeat__",
    "__getitem__",
    "__pos__",
    "__neg__",
    "__abs__",
    "__invert__",
    "__index__",
    "__int__",
    "__float__",
    "__bool__",
    "__iadd__",
    "__isub__",
    "__imul__",
    "__imatmul__",
    "__itruediv__",
    "__ifloordiv__",
    "__imod__",
    "__ipow__",
    "__ilshift__",
    "__irshift__",
    "__iand__",
    "__ixor__",
    "__ior__",
    "__getbuffer__",
    "__releasebuffer__",
    "__getattribute__",
    "__getattr__",
    "__setattr__",
    "__delattr__",
    "__set__",
    "__delete__",
    "__setitem__",
    "__delitem__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__matmul__",
    "__rmatmul__",
    "__floordiv__",
    "__rfloordiv__",
    "__truediv__",
    "__rtruediv__",
    "__divmod__",
    "__rdivmod__",
    "__mod__",
    "__rmod__",
    "__lshift__",
    "__rlshift__",
    "__rshift__",
    "__rrshift__",
    "__and__",
    "__rand__",
    "__xor__",
    "__rxor__",
    "__or__",
    "__ror__",
    "__pow__",
    "__rpow__",
    "__lt__",
    "__le__",
    "__eq__",
    "__ne__",
    "__gt__",
    "__ge__",
    "__call__",
    "__traverse__",
    "__clear__",
];

/// A member Python should see on the class: its name, and whether its name is certain.
pub struct Member {
    pub name: String,
    pub certain: bool,
    pub opted_out: bool,
    pub span: proc_macro2::Span,
}

/// The attribute a `#[pymethods]` member becomes, if any (`None`: a constructor, a protocol
/// slot, or not for Python at all).
pub fn method(member: &ImplItem) -> Option<Member> {
    let (attrs, ident) = match member {
        ImplItem::Fn(f) => (&f.attrs, &f.sig.ident),
        ImplItem::Const(c) if has_attr(&c.attrs, "classattr") => (&c.attrs, &c.ident),
        _ => return None,
    };
    if has_attr(attrs, "new") {
        return None;
    }
    let rust = unraw(ident);
    let explicit = python_name(attrs, &["pyo3"]);
    let name = if let Some(tokens) = attr_tokens(attrs, "getter").first() {
        explicit
            .or_else(|| first_word(tokens))
            .unwrap_or_else(|| rust.strip_prefix("get_").unwrap_or(&rust).to_owned())
    } else if let Some(tokens) = attr_tokens(attrs, "setter").first() {
        explicit
            .or_else(|| first_word(tokens))
            .unwrap_or_else(|| rust.strip_prefix("set_").unwrap_or(&rust).to_owned())
    } else {
        explicit.unwrap_or(rust)
    };
    let is_property = has_attr(attrs, "getter") || has_attr(attrs, "setter");
    if !is_property && PROTOCOL_METHODS.contains(&name.as_str()) {
        return None;
    }
    Some(Member {
        name,
        certain: true,
        opted_out: opted_out(attrs),
        span: ident.span(),
    })
}

/// The properties a `#[pyclass]` struct's fields become.
pub fn fields(
    class_attrs: &[Attribute],
    fields: &Fields,
    field_on: impl Fn(&[Attribute]) -> bool,
) -> Vec<Member> {
    let class = class_options(class_attrs);
    let all = class
        .iter()
        .any(|t| has_word(t, "get_all") || has_word(t, "set_all"));
    let renamed = class.iter().any(|t| key_value(t, "rename_all").is_some());
    let mut members = Vec::new();
    for field in fields {
        if !field_on(&field.attrs) {
            continue;
        }
        let pyo3 = attr_tokens(&field.attrs, "pyo3");
        let own = pyo3
            .iter()
            .any(|t| has_word(t, "get") || has_word(t, "set"));
        // A field is an attribute by its own `#[pyo3(get/set)]`, or by the class's
        // `get_all`/`set_all` when it has a name (a tuple struct's fields have none).
        let by_class = all && field.ident.is_some();
        if !(own || by_class) {
            continue;
        }
        let explicit = pyo3.iter().find_map(name_value);
        let Some(name) = explicit.clone().or_else(|| field.ident.as_ref().map(unraw)) else {
            continue;
        };
        let span = field
            .ident
            .as_ref()
            .map_or_else(proc_macro2::Span::call_site, |i| i.span());
        members.push(Member {
            name,
            certain: explicit.is_some() || !renamed,
            opted_out: opted_out(&field.attrs),
            span,
        });
    }
    members
}

/// The class attributes (simple enum) or nested classes (complex enum) its variants become.
pub fn variants(
    class_attrs: &[Attribute],
    variants: &syn::punctuated::Punctuated<syn::Variant, syn::Token![,]>,
) -> Vec<Member> {
    let renamed = class_options(class_attrs)
        .iter()
        .any(|t| key_value(t, "rename_all").is_some());
    variants
        .iter()
        .map(|v| {
            let explicit = python_name(&v.attrs, &["pyo3"]);
            Member {
                certain: explicit.is_some() || !renamed,
                name: explicit.unwrap_or_else(|| unraw(&v.ident)),
                opted_out: false,
                span: v.ident.span(),
            }
        })
        .collect()
}

/// The options of `#[pyclass(...)]` and every `#[pyo3(...)]` on the item.
fn class_options(attrs: &[Attribute]) -> Vec<proc_macro2::TokenStream> {
    let mut options = attr_tokens(attrs, "pyclass");
    options.extend(attr_tokens(attrs, "pyo3"));
    options
}

/// `#[guard(skip)]` on a member: declared for Python on purpose without being exported.
fn opted_out(attrs: &[Attribute]) -> bool {
    attr_tokens(attrs, "guard")
        .iter()
        .any(|t| has_word(t, "skip"))
}

#[cfg(test)]
mod tests {
    use super::PROTOCOL_METHODS;

    /// The table against the PyO3 sources cargo has fetched (every version found): each name
    /// `from_name` maps to a protocol is in the table.
    #[test]
    fn the_protocol_table_covers_every_fetched_pyo3() {
        let Some(home) = std::env::var_os("CARGO_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo"))
            })
        else {
            return;
        };
        let Ok(registries) = std::fs::read_dir(home.join("registry/src")) else {
            return;
        };
        let mut checked = 0;
        for registry in registries.flatten() {
            for package in std::fs::read_dir(registry.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = package.file_name().to_string_lossy().into_owned();
                if !name.starts_with("pyo3-macros-backend-") {
                    continue;
                }
                let Ok(source) = std::fs::read_to_string(package.path().join("src/pymethod.rs"))
                else {
                    continue;
                };
                let start = source
                    .find("fn from_name")
                    .expect("pyo3-macros-backend has PyMethodKind::from_name");
                let body =
                    &source[start..start + source[start..].find("_ =>").expect("a default arm")];
                for quoted in body.split('"').skip(1).step_by(2) {
                    assert!(
                        PROTOCOL_METHODS.contains(&quoted),
                        "{name}: `{quoted}` is a protocol method missing from the table"
                    );
                }
                checked += 1;
            }
        }
        // The workspace builds against PyO3, so its macros' sources are there.
        assert!(
            checked > 0,
            "no pyo3-macros-backend sources under {}",
            home.display()
        );
    }
}
