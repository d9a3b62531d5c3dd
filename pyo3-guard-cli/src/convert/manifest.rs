//! The build side of `convert`: the two dependencies in Cargo.toml (toml_edit, so comments and
//! formatting stay), the call in build.rs, and the PyO3 version check.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::source::Source;
use super::Origin;

/// The oldest PyO3 pyo3-guard supports.
const OLDEST_PYO3: (u64, u64) = (0, 27);

pub fn parse(rel: &str, text: &str) -> Result<DocumentMut, String> {
    text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "{rel}: malformed TOML: {}",
            e.message().lines().next().unwrap_or_default()
        )
    })
}

/// Cargo.toml with `pyo3-guard` in `[dependencies]` and `pyo3-guard-build` in
/// `[build-dependencies]` (each only where it is missing), and the names of what was added.
pub fn add_dependencies(
    rel: &str,
    text: &str,
    origin: &Origin,
) -> Result<(String, Vec<String>), String> {
    let mut doc = parse(rel, text)?;
    let mut added = Vec::new();
    for (table, name) in [
        ("dependencies", "pyo3-guard"),
        ("build-dependencies", "pyo3-guard-build"),
    ] {
        if !doc.contains_key(table) {
            doc.insert(table, Item::Table(Table::new()));
        }
        let deps = doc[table]
            .as_table_like_mut()
            .ok_or_else(|| format!("{rel}: [{table}] is not a table; fix it by hand"))?;
        if deps.contains_key(name) || deps.contains_key(&name.replace('-', "_")) {
            continue;
        }
        let value = match origin {
            Origin::Version(version) => Value::from(version.as_str()),
            Origin::Path(dir) => {
                let mut t = InlineTable::new();
                t.insert("path", dir.join(name).to_string_lossy().as_ref().into());
                Value::InlineTable(t)
            }
            Origin::Git(url) => {
                let mut t = InlineTable::new();
                t.insert("git", url.as_str().into());
                Value::InlineTable(t)
            }
        };
        let mut value = value;
        if let Value::InlineTable(t) = &mut value {
            t.fmt();
        }
        deps.insert(name, Item::Value(value));
        added.push(format!("{name} in [{table}]"));
    }
    Ok((doc.to_string(), added))
}

/// Refuses a crate without PyO3, or with a PyO3 older than pyo3-guard supports: the locked
/// version when a lock file has one, else the version Cargo.toml asks for.
pub fn check_pyo3(rel: &str, doc: &DocumentMut, lock: Option<&Path>) -> Result<(), String> {
    let dependency = doc
        .get("dependencies")
        .and_then(|d| d.get("pyo3"))
        .or_else(|| {
            doc.get("target")?
                .as_table_like()?
                .iter()
                .find_map(|(_, t)| t.get("dependencies")?.get("pyo3"))
        })
        .ok_or_else(|| {
            format!("{rel}: no pyo3 in [dependencies]; pyo3-guard converts PyO3 extension modules")
        })?;
    let locked = lock.and_then(|lock| {
        let text = std::fs::read_to_string(lock).ok()?;
        let doc: DocumentMut = text.parse().ok()?;
        doc.get("package")?
            .as_array_of_tables()?
            .iter()
            .filter(|p| p.get("name").and_then(Item::as_str) == Some("pyo3"))
            .filter_map(|p| p.get("version")?.as_str().map(str::to_owned))
            .max_by_key(|v| major_minor(v))
    });
    let (version, whence) = match locked {
        Some(v) => (v, "locked in Cargo.lock"),
        None => match dependency
            .as_str()
            .or_else(|| dependency.get("version")?.as_str())
        {
            Some(v) => (v.to_owned(), "asked for in Cargo.toml"),
            None => return Ok(()), // a workspace or git dependency: cargo will tell
        },
    };
    match major_minor(&version) {
        Some(found) if found < OLDEST_PYO3 => Err(format!(
            "{rel}: the crate uses PyO3 {} ({whence}), and pyo3-guard needs PyO3 0.27 or later; \
             update pyo3 first (cargo's and PyO3's migration guide), then convert again",
            version.trim_start_matches(['^', '=', '~', ' '])
        )),
        _ => Ok(()),
    }
}

/// `0.26.1`, `^0.26`, `=0.26.0` -> (0, 26).
fn major_minor(version: &str) -> Option<(u64, u64)> {
    let mut parts = version
        .trim_start_matches(['^', '=', '~', '>', '<', ' '])
        .split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    Some((major, minor))
}

/// The build script with `pyo3_guard_build::emit()` called first in its `fn main`: `(path,
/// text before, text after)`, or `None` when it calls it already.
pub fn build_script(
    crate_dir: &Path,
    doc: &DocumentMut,
) -> Result<Option<(PathBuf, Option<String>, String)>, String> {
    let path = match doc.get("package").and_then(|p| p.get("build")) {
        Some(build) => match (build.as_str(), build.as_bool()) {
            (Some(file), _) => crate_dir.join(file),
            (_, Some(false)) => {
                return Err("Cargo.toml: `build = false` turns the build script off, and \
                            pyo3-guard needs one (`pyo3_guard_build::emit()`); remove it, then convert again"
                    .to_owned())
            }
            _ => crate_dir.join("build.rs"),
        },
        None => crate_dir.join("build.rs"),
    };
    let rel = pyo3_guard_engine::inputs::relative_path(crate_dir, &path);
    if !path.exists() {
        let text = "fn main() {\n    pyo3_guard_build::emit();\n}\n".to_owned();
        return Ok(Some((path, None, text)));
    }
    let mut source = Source::read(path.clone(), rel.clone())?;
    if source.text.contains("pyo3_guard_build") {
        return Ok(None);
    }
    let main = source.file.items.iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == "main" => Some(f.block.clone()),
        _ => None,
    });
    let Some(block) = main else {
        return Err(format!(
            "{rel}: no `fn main` in the build script; add `pyo3_guard_build::emit();` to it by hand"
        ));
    };
    let open = source.range(block.brace_token.span.open()).end;
    let indent = block
        .stmts
        .first()
        .map(|s| {
            source
                .indent(source.range(syn::spanned::Spanned::span(s)).start)
                .to_owned()
        })
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| "    ".to_owned());
    source.insert(open, format!("\n{indent}pyo3_guard_build::emit();"));
    let old = source.text.clone();
    Ok(Some((path, Some(old), source.edited())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_go_at_the_end_of_their_tables_keeping_comments() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\n# PyO3\npyo3 = \"0.30\"  # bindings\n\n[features]\n";
        let (out, added) =
            add_dependencies("Cargo.toml", text, &Origin::Path("/src/pyo3-guard".into())).unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"x\"\n\n[dependencies]\n# PyO3\npyo3 = \"0.30\"  # bindings\n\
             pyo3-guard = { path = \"/src/pyo3-guard/pyo3-guard\" }\n\n[features]\n\n\
             [build-dependencies]\npyo3-guard-build = { path = \"/src/pyo3-guard/pyo3-guard-build\" }\n"
        );
        assert_eq!(added.len(), 2);
        let (again, added) =
            add_dependencies("Cargo.toml", &out, &Origin::Version("0.1.0".into())).unwrap();
        assert!(added.is_empty() && again == out);
    }

    #[test]
    fn pyo3_older_than_0_27_is_named() {
        let doc = parse(
            "Cargo.toml",
            "[dependencies]\npyo3 = { version = \"0.26.0\" }\n",
        )
        .unwrap();
        let e = check_pyo3("Cargo.toml", &doc, None).unwrap_err();
        assert!(
            e.contains("uses PyO3 0.26.0 (asked for in Cargo.toml)"),
            "{e}"
        );
        let doc = parse("Cargo.toml", "[dependencies]\npyo3 = \"0.27\"\n").unwrap();
        assert_eq!(check_pyo3("Cargo.toml", &doc, None), Ok(()));
        let none = parse("Cargo.toml", "[dependencies]\nserde = \"1\"\n").unwrap();
        assert!(check_pyo3("Cargo.toml", &none, None)
            .unwrap_err()
            .contains("no pyo3"));
    }
}
