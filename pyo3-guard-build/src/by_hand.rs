//! What a function adds by hand: to a submodule (the submodules PyO3 does not place, so the
//! build script must), and to the top module itself. Two shapes of submodule are read, in any
//! function of the crate's module tree:
//!
//! ```text
//! #[pymodule]                                  let meta = PyModule::new(py, "meta")?;
//! fn sub(m: &Bound<'_, PyModule>) -> .. {      meta.add_function(wrap_pyfunction!(meta::is_valid, &meta)?)?;
//!     m.add_class::<Kept>()?;                  meta.add_class::<meta::Schema>()?;
//!     ..                                       m.add_submodule(&meta)?;
//! }
//! ```
//!
//! An item added to a `#[pymodule] fn` other than the guarded one (which the top module adds
//! with `wrap_pymodule!`), or to a module a function makes with `PyModule::new`, is that
//! submodule's: it does not register at the top as well, and the export check looks for it
//! there. An item the guarded module's own function (or a declarative module's
//! `#[pymodule_init]`) adds to its module is the top module's, added by the user's body in the
//! user's order: it does not register as well, so `__all__` keeps PyO3's order (submodule
//! `""` here). The body is read as tokens, line by line as a user writes it
//! (`recv.add_class::<T>()`, `recv.add_function(wrap_pyfunction!(path, ..)?)`,
//! `recv.add_wrapped(wrap_pyfunction!(path))`); what it does not recognise (a loop over items,
//! a macro) it leaves alone, so the item registers at the top as before, and the body adds it a
//! second time.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use pyo3_guard_engine::record::ExportKind;

/// One item a function adds by hand to a submodule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub kind: ExportKind,
    /// The path as written (`meta::is_valid`, `Kept`, `crate::geo::Point`).
    pub path: Vec<String>,
    /// The name of the submodule it goes to (the last part of a dotted `PyModule::new` name);
    /// `""` for the top module.
    pub submodule: String,
}

/// The items the body `tokens` of a function adds by hand to a module. `own` is the module the
/// function's own module parameters stand for (`Some("sub")` for `#[pymodule] fn sub`,
/// `Some("")` for the guarded module's function), `params` those parameters' names: additions
/// to them count only then.
pub fn additions(tokens: TokenStream, params: &[String], own: Option<&str>) -> Vec<Added> {
    let mut body = Body {
        params,
        own,
        locals: Vec::new(),
        added: Vec::new(),
    };
    body.read(tokens);
    body.added
}

struct Body<'a> {
    params: &'a [String],
    own: Option<&'a str>,
    /// `let meta = PyModule::new(py, "meta")`: (variable, submodule name).
    locals: Vec<(String, String)>,
    added: Vec<Added>,
}

impl Body<'_> {
    fn read(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Ident(id) if id == "let" => self.local(&tokens[i + 1..]),
                TokenTree::Punct(dot) if dot.as_char() == '.' && i > 0 => {
                    if let TokenTree::Ident(receiver) = &tokens[i - 1] {
                        self.call(&receiver.to_string(), &tokens[i + 1..]);
                    }
                }
                // Blocks, closures, `if`, `match`, call arguments: read at every depth.
                TokenTree::Group(group) => self.read(group.stream()),
                _ => {}
            }
        }
    }

    /// `let [mut] name [: Type] = PyModule::new(py, "name")...;`
    fn local(&mut self, rest: &[TokenTree]) {
        let mut rest = rest.iter().peekable();
        if matches!(rest.peek(), Some(TokenTree::Ident(id)) if id == "mut") {
            rest.next();
        }
        let Some(TokenTree::Ident(variable)) = rest.next() else {
            return;
        };
        let statement: Vec<&TokenTree> = rest
            .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
            .collect();
        // `PyModule :: new (..)`: the path separator is two `:` tokens.
        let made = statement.windows(5).find_map(|w| match w {
            [TokenTree::Ident(ty), TokenTree::Punct(_), TokenTree::Punct(_), TokenTree::Ident(new), TokenTree::Group(args)]
                if ty == "PyModule"
                    && (new == "new" || new == "new_bound")
                    && args.delimiter() == Delimiter::Parenthesis =>
            {
                last_string(args.stream())
            }
            _ => None,
        });
        if let Some(name) = made {
            let last = name.rsplit('.').next().unwrap_or(&name).to_owned();
            self.locals.push((variable.to_string(), last));
        }
    }

    /// `receiver.add_class::<Path>()`, `receiver.add_function(wrap_pyfunction!(path, ..)?)`,
    /// `receiver.add_wrapped(wrap_pyfunction!(path))`.
    fn call(&mut self, receiver: &str, rest: &[TokenTree]) {
        let submodule = match self.locals.iter().rev().find(|(v, _)| v == receiver) {
            Some((_, name)) => name.clone(),
            None if self.params.iter().any(|p| p == receiver) => match self.own {
                Some(own) => own.to_owned(),
                None => return,
            },
            None => return,
        };
        let Some(TokenTree::Ident(method)) = rest.first() else {
            return;
        };
        let (kind, path) = if method == "add_class" {
            // `::<` Path `>`
            let inside = rest[1..]
                .iter()
                .skip_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '<'))
                .skip(1)
                .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '>'));
            (ExportKind::Class, idents(inside))
        } else if method == "add_function" || method == "add_wrapped" {
            let Some(TokenTree::Group(args)) = rest.get(1) else {
                return;
            };
            let Some(path) = wrapped_function(args.stream()) else {
                return;
            };
            (ExportKind::Function, path)
        } else {
            return;
        };
        if !path.is_empty() {
            self.added.push(Added {
                kind,
                path,
                submodule,
            });
        }
    }
}

/// The path of `wrap_pyfunction!(path, ..)` (or `pyo3::wrap_pyfunction!`) in `tokens`.
fn wrapped_function(tokens: TokenStream) -> Option<Vec<String>> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens.windows(3).find_map(|w| match w {
        [TokenTree::Ident(wrap), TokenTree::Punct(bang), TokenTree::Group(args)]
            if wrap == "wrap_pyfunction" && bang.as_char() == '!' =>
        {
            let args: Vec<TokenTree> = args.stream().into_iter().collect();
            let first = args
                .iter()
                .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','));
            Some(idents(first))
        }
        _ => None,
    })
}

/// The identifiers of a path (`crate :: geo :: Point` -> `crate`, `geo`, `Point`), raw ones
/// unraw'd; empty when the tokens are anything else (generics, an expression).
fn idents<'t>(tokens: impl Iterator<Item = &'t TokenTree>) -> Vec<String> {
    let mut path = Vec::new();
    for token in tokens {
        match token {
            TokenTree::Ident(id) => {
                let id = id.to_string();
                path.push(id.strip_prefix("r#").map(str::to_owned).unwrap_or(id));
            }
            TokenTree::Punct(p) if p.as_char() == ':' => {}
            _ => return Vec::new(),
        }
    }
    path
}

/// The last plain string literal in `tokens` (`PyModule::new(py, "meta")` -> `meta`).
fn last_string(tokens: TokenStream) -> Option<String> {
    tokens
        .into_iter()
        .filter_map(|t| match t {
            TokenTree::Literal(lit) => syn::parse_str::<syn::LitStr>(&lit.to_string()).ok(),
            _ => None,
        })
        .last()
        .map(|s| s.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str, own: Option<&str>) -> Vec<(ExportKind, String, String)> {
        additions(body.parse().unwrap(), &["m".to_owned()], own)
            .into_iter()
            .map(|a| (a.kind, a.path.join("::"), a.submodule))
            .collect()
    }

    #[test]
    fn items_added_to_a_module_made_with_pymodule_new_are_its_own() {
        let body = r#"{
            m.add_class::<Top>()?;
            let meta = PyModule::new(py, "pkg.meta")?;
            meta.add_function(wrap_pyfunction!(meta::is_valid, &meta)?)?;
            meta.add_class::<crate::meta::Schema>()?;
            if true { let mut inner: Bound<'_, PyModule> = PyModule::new_bound(py, "inner")?; inner.add_wrapped(pyo3::wrap_pyfunction!(r#type))?; }
            m.add_submodule(&meta)?;
            other.add_class::<Unknown>()?;
        }"#;
        assert_eq!(
            read(body, None),
            [
                (ExportKind::Function, "meta::is_valid".into(), "meta".into()),
                (
                    ExportKind::Class,
                    "crate::meta::Schema".into(),
                    "meta".into()
                ),
                (ExportKind::Function, "type".into(), "inner".into()),
            ]
        );
    }

    #[test]
    fn a_pymodule_fn_adds_to_its_own_submodule() {
        let body = "{ m.add_class::<Kept>()?; m.add_function(wrap_pyfunction!(f, m)?)?; Ok(()) }";
        assert_eq!(
            read(body, Some("sub")),
            [
                (ExportKind::Class, "Kept".into(), "sub".into()),
                (ExportKind::Function, "f".into(), "sub".into()),
            ]
        );
        // A plain function's parameters are no module's.
        assert_eq!(read(body, None), []);
    }

    #[test]
    fn the_guarded_function_adds_to_the_top_module_in_its_own_order() {
        let body = r#"{
            m.add_function(wrap_pyfunction!(zeta, m)?)?;
            m.add_class::<crate::geo::Point>()?;
            m.add_wrapped(wrap_pyfunction!(alpha))?;
            let sub = PyModule::new(py, "sub")?;
            sub.add_class::<crate::geo::Point>()?;
            m.add_submodule(&sub)?;
            for f in [wrap_pyfunction!(looped, m)?] { m.add_function(f)?; }
            add_all!(m, Macro);
            m.add("Alias", py.get_type::<Aliased>())?;
        }"#;
        assert_eq!(
            read(body, Some("")),
            [
                (ExportKind::Function, "zeta".into(), "".into()),
                (ExportKind::Class, "crate::geo::Point".into(), "".into()),
                (ExportKind::Function, "alpha".into(), "".into()),
                // The same class in a submodule as well.
                (ExportKind::Class, "crate::geo::Point".into(), "sub".into()),
                // Not `looped`, `Macro` or `Aliased`: not a line the reader recognises.
            ]
        );
    }
}
