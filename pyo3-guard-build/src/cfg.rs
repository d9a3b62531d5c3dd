//! Evaluating `#[cfg(...)]` and `#[cfg_attr(...)]` the way this build's compiler will, from the
//! `CARGO_CFG_*` variables cargo gives build scripts. What cannot be known (a dependency's
//! features, custom `--cfg` flags) is `Unknown`, and an item behind it is not expected.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::{Attribute, Meta};

/// The value of a cfg predicate in this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cfg {
    /// Compiled in.
    On,
    /// Compiled out.
    Off,
    /// Cannot tell from here.
    Unknown,
}

impl Cfg {
    fn not(self) -> Cfg {
        match self {
            Cfg::On => Cfg::Off,
            Cfg::Off => Cfg::On,
            Cfg::Unknown => Cfg::Unknown,
        }
    }

    fn from_bool(b: bool) -> Cfg {
        if b {
            Cfg::On
        } else {
            Cfg::Off
        }
    }
}

/// The configuration a crate is compiled under.
#[derive(Debug, Clone, Default)]
pub struct CfgEnv {
    /// `name` -> values (`unix` -> {}, `target_os` -> {"linux"}).
    pub values: BTreeMap<String, BTreeSet<String>>,
    /// Enabled features, or `None` when unknown (a path dependency's).
    pub features: Option<BTreeSet<String>>,
    /// When `features` is unknown: the features known to be on all the same (what the root
    /// package enables by name). The others stay unknown.
    pub known_on: BTreeSet<String>,
}

impl CfgEnv {
    /// From cargo's build-script environment (`CARGO_CFG_*`) and the crate's features.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
        features: Option<&[String]>,
    ) -> CfgEnv {
        let mut values = BTreeMap::new();
        for (key, value) in vars {
            let Some(name) = key.strip_prefix("CARGO_CFG_") else {
                continue;
            };
            if name == "FEATURE" {
                continue;
            }
            let set: BTreeSet<String> = value
                .split(',')
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            values.insert(name.to_lowercase(), set);
        }
        CfgEnv {
            values,
            features: features.map(|f| f.iter().cloned().collect()),
            known_on: BTreeSet::new(),
        }
    }

    /// The same target configuration with features unknown (for a path dependency).
    pub fn for_dependency(&self) -> CfgEnv {
        self.for_dependency_with(BTreeSet::new())
    }

    /// The same target configuration for a path dependency of which `known_on` are on for sure.
    pub fn for_dependency_with(&self, known_on: BTreeSet<String>) -> CfgEnv {
        CfgEnv {
            values: self.values.clone(),
            features: None,
            known_on,
        }
    }

    /// Whether an item with these attributes is compiled: every `#[cfg]` must hold.
    pub fn eval_attrs(&self, attrs: &[Attribute]) -> Cfg {
        let mut result = Cfg::On;
        for attr in attrs.iter().filter(|a| a.path().is_ident("cfg")) {
            let Meta::List(list) = &attr.meta else {
                return Cfg::Unknown;
            };
            match self.eval(&list.tokens) {
                Cfg::Off => return Cfg::Off,
                Cfg::Unknown => result = Cfg::Unknown,
                Cfg::On => {}
            }
        }
        result
    }

    /// Evaluates one predicate: `name`, `name = "value"`, `all(..)`, `any(..)`, `not(..)`.
    pub fn eval(&self, tokens: &TokenStream) -> Cfg {
        let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
        match tokens.as_slice() {
            [TokenTree::Ident(op), TokenTree::Group(g)]
                if g.delimiter() == Delimiter::Parenthesis =>
            {
                let args = split_commas(g.stream());
                match op.to_string().as_str() {
                    "all" => {
                        args.iter()
                            .map(|a| self.eval(a))
                            .fold(Cfg::On, |acc, c| match (acc, c) {
                                (Cfg::Off, _) | (_, Cfg::Off) => Cfg::Off,
                                (Cfg::Unknown, _) | (_, Cfg::Unknown) => Cfg::Unknown,
                                _ => Cfg::On,
                            })
                    }
                    "any" => {
                        args.iter()
                            .map(|a| self.eval(a))
                            .fold(Cfg::Off, |acc, c| match (acc, c) {
                                (Cfg::On, _) | (_, Cfg::On) => Cfg::On,
                                (Cfg::Unknown, _) | (_, Cfg::Unknown) => Cfg::Unknown,
                                _ => Cfg::Off,
                            })
                    }
                    "not" if args.len() == 1 => self.eval(&args[0]).not(),
                    _ => Cfg::Unknown,
                }
            }
            [TokenTree::Ident(name)] => self.name(&name.to_string(), None),
            [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
                if eq.as_char() == '=' =>
            {
                match syn::parse_str::<syn::LitStr>(&lit.to_string()) {
                    Ok(value) => self.name(&name.to_string(), Some(&value.value())),
                    Err(_) => Cfg::Unknown,
                }
            }
            _ => Cfg::Unknown,
        }
    }

    fn name(&self, name: &str, value: Option<&str>) -> Cfg {
        match (name, value) {
            // Never set when the cdylib is built; `doc` only under rustdoc.
            ("test" | "doc" | "doctest" | "miri", None) => Cfg::Off,
            ("feature", Some(feature)) => match &self.features {
                Some(features) => Cfg::from_bool(features.contains(feature)),
                None if self.known_on.contains(feature) => Cfg::On,
                None => Cfg::Unknown,
            },
            (name, None) => match self.values.get(name) {
                Some(_) => Cfg::On,
                // Cargo lists every target cfg it knows; an absent well-known one is off.
                None if WELL_KNOWN.contains(&name) => Cfg::Off,
                None => Cfg::Unknown,
            },
            (name, Some(value)) => match self.values.get(name) {
                Some(values) => Cfg::from_bool(values.contains(value)),
                None if WELL_KNOWN.contains(&name) => Cfg::Off,
                None => Cfg::Unknown,
            },
        }
    }
}

/// Target cfgs cargo always passes to build scripts when they apply.
const WELL_KNOWN: [&str; 11] = [
    "unix",
    "windows",
    "debug_assertions",
    "target_os",
    "target_family",
    "target_arch",
    "target_env",
    "target_pointer_width",
    "target_endian",
    "target_vendor",
    "panic",
];

pub fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    let mut parts = vec![TokenStream::new()];
    for token in tokens {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => parts.push(TokenStream::new()),
            _ => parts.last_mut().expect("never empty").extend([token]),
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> CfgEnv {
        let vars = [
            ("CARGO_CFG_UNIX", ""),
            ("CARGO_CFG_TARGET_OS", "linux"),
            ("CARGO_CFG_FEATURE", "a"),
        ];
        let features = ["a".to_owned()];
        CfgEnv::from_vars(
            vars.map(|(k, v)| (k.to_owned(), v.to_owned())),
            Some(&features),
        )
    }

    fn eval(src: &str) -> Cfg {
        env().eval(&src.parse().unwrap())
    }

    #[test]
    fn evaluates_predicates() {
        assert_eq!(eval("unix"), Cfg::On);
        assert_eq!(eval("windows"), Cfg::Off);
        assert_eq!(eval("target_os = \"linux\""), Cfg::On);
        assert_eq!(eval("feature = \"a\""), Cfg::On);
        assert_eq!(eval("feature = \"b\""), Cfg::Off);
        assert_eq!(eval("not(feature = \"b\")"), Cfg::On);
        assert_eq!(eval("all(unix, feature = \"a\")"), Cfg::On);
        assert_eq!(eval("any(windows, test)"), Cfg::Off);
        assert_eq!(eval("my_custom_flag"), Cfg::Unknown);
        assert_eq!(eval("all(unix, my_custom_flag)"), Cfg::Unknown);
        assert_eq!(eval("any(unix, my_custom_flag)"), Cfg::On);
        assert_eq!(
            env()
                .for_dependency()
                .eval(&"feature = \"a\"".parse().unwrap()),
            Cfg::Unknown
        );
    }
}
