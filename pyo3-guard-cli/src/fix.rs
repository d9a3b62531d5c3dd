//! `doctor --fix`: adds the missing `[tool.uv] cache-keys` to pyproject.toml with toml_edit, so
//! every comment, blank line and key order of the file stays as it was.

use std::path::Path;

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// Adds each of `globs` missing from `[tool.uv] cache-keys` in the pyproject.toml at `path`.
/// Returns the entries added, as written (empty when nothing was missing: the file is untouched).
pub fn add_cache_keys(path: &Path, globs: &[String]) -> Result<Vec<String>, String> {
    let fail = |why: String| format!("{}: {why}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read ({e})")))?;
    let (edited, added) = edit(&text, globs).map_err(fail)?;
    if !added.is_empty() {
        std::fs::write(path, edited).map_err(|e| fail(format!("cannot write ({e})")))?;
    }
    Ok(added)
}

/// The cache keys already listed: `{ file = "..." }` entries and plain strings.
pub fn present_keys(doc: &DocumentMut) -> Vec<String> {
    let keys = doc
        .get("tool")
        .and_then(|t| t.get("uv"))
        .and_then(|u| u.get("cache-keys"))
        .and_then(Item::as_array);
    let file = |v: &Value| match v {
        Value::String(s) => Some(s.value().clone()),
        Value::InlineTable(t) => t.get("file").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    keys.map(|a| a.iter().filter_map(file).collect())
        .unwrap_or_default()
}

/// The edited text and the entries added.
pub fn edit(text: &str, globs: &[String]) -> Result<(String, Vec<String>), String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "malformed TOML: {}",
            e.message().lines().next().unwrap_or_default()
        )
    })?;
    let present = present_keys(&doc);
    let missing: Vec<&String> = globs.iter().filter(|g| !present.contains(g)).collect();
    if missing.is_empty() {
        return Ok((text.to_owned(), Vec::new()));
    }
    let uv = table_at(&mut doc, "tool")?;
    let uv = sub_table(uv, "uv", "[tool]")?;
    if !uv.contains_key("cache-keys") {
        let mut array = Array::new();
        array.set_trailing("\n");
        array.set_trailing_comma(true);
        uv.insert("cache-keys", Item::Value(Value::Array(array)));
    }
    let array = uv
        .get_mut("cache-keys")
        .and_then(Item::as_array_mut)
        .ok_or("[tool.uv] cache-keys is not an array; fix it by hand")?;
    let multiline = array.is_empty()
        || array.iter().any(|v| {
            v.decor()
                .prefix()
                .and_then(|p| p.as_str())
                .is_some_and(|p| p.contains('\n'))
        });
    let indent = array
        .iter()
        .last()
        .and_then(|v| {
            v.decor()
                .prefix()?
                .as_str()?
                .rsplit('\n')
                .next()
                .map(str::to_owned)
        })
        .filter(|_| multiline && !array.is_empty())
        .unwrap_or_else(|| "    ".to_owned());
    let mut added = Vec::new();
    for glob in missing {
        let mut entry = InlineTable::new();
        entry.insert("file", glob.as_str().into());
        entry.fmt();
        let mut value = Value::InlineTable(entry);
        let prefix = if multiline {
            format!("\n{indent}")
        } else {
            " ".to_owned()
        };
        value.decor_mut().set_prefix(prefix);
        value.decor_mut().set_suffix("");
        added.push(value.to_string().trim().to_owned());
        array.push_formatted(value);
    }
    if multiline {
        array.set_trailing_comma(true);
        array.set_trailing("\n");
    }
    Ok((doc.to_string(), added))
}

/// `doc[key]` as a table, created (implicit, so no empty `[tool]` header appears) when missing.
fn table_at<'a>(
    doc: &'a mut DocumentMut,
    key: &str,
) -> Result<&'a mut dyn toml_edit::TableLike, String> {
    if !doc.contains_key(key) {
        let mut table = Table::new();
        table.set_implicit(true);
        doc.insert(key, Item::Table(table));
    }
    doc.get_mut(key)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("`{key}` is not a table; fix it by hand"))
}

fn sub_table<'a>(
    parent: &'a mut dyn toml_edit::TableLike,
    key: &str,
    parent_name: &str,
) -> Result<&'a mut dyn toml_edit::TableLike, String> {
    if !parent.contains_key(key) {
        parent.insert(key, Item::Table(Table::new()));
    }
    parent
        .get_mut(key)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("`{key}` in {parent_name} is not a table; fix it by hand"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_engines_scan_reads_cache_keys_as_toml_edit_does() {
        let cases = [
            "[project]\nname = \"x\"\n",
            "[tool.uv]\ncache-keys = [\"a\", { file = \"b\" }, { git = { commit = true } }, { env = \"E\" }]\n",
            "[tool.uv]\ncache-keys = [\n  # a comment with \"quotes\"\n  { file = 'src/**/*.rs' },\n  { \"file\" = \"c\" },\n]\n",
            "[tool]\nuv.cache-keys = [{ file = \"Cargo.toml\" }]\n",
            "tool.uv.cache-keys = [\"top\"]\n",
            "[tool.\"uv\"]\n'cache-keys' = [\"quoted\", { file = \"esc\\\"aped\" }]\n",
            "[tool.other]\ncache-keys = [\"no\"]\n[tool.uv]\nreinstall-package = [\"x\"]\n",
            "[tool.uv]\ncache-keys = []\n[tool.other]\ncache-keys = [\"no\"]\n",
            // Found by review: an array of arrays before it, a quoted table name with a dot, a
            // header inside a multi-line string, escapes, multi-line strings, an inline table.
            "[tool.uv]\nother = [\n[\"a\"],\n]\ncache-keys = [\"k\"]\n",
            "[\"tool.uv\"]\ncache-keys = [\"k\"]\n",
            "[project]\ndescription = \"\"\"\n[tool.uv]\ncache-keys = [\"k\"]\n\"\"\"\n",
            "[tool.uv]\ncache-keys = [\"a\\u0062\", '''lit\\eral''', \"\"\"x\"\"\"]\n",
            "[tool]\nuv = { cache-keys = [\"k\", { file = \"f\" }] }\n",
            "[[tool.uv]]\ncache-keys = [\"k\"]\n",
            "[ tool . 'uv' ] # comment\r\ncache-keys = [ # comment\r\n  { file = \"crlf\" , env = \"x\" } ,\r\n]\r\n",
        ];
        for text in cases {
            let doc: DocumentMut = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                pyo3_guard_engine::cache_keys::listed(text),
                present_keys(&doc),
                "{text}"
            );
        }
    }

    use super::*;

    fn globs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn adds_a_table_at_the_end_keeping_everything_else() {
        let text = "# my project\n[project]\nname = \"demo\"  # the name\n\n[tool.maturin]\nfeatures = []\n";
        let (out, added) = edit(text, &globs(&["pyproject.toml", "src/**/*.rs"])).unwrap();
        assert_eq!(
            added,
            [
                "{ file = \"pyproject.toml\" }",
                "{ file = \"src/**/*.rs\" }"
            ]
        );
        assert_eq!(
            out,
            "# my project\n[project]\nname = \"demo\"  # the name\n\n[tool.maturin]\nfeatures = []\n\n\
             [tool.uv]\ncache-keys = [\n    { file = \"pyproject.toml\" },\n    { file = \"src/**/*.rs\" },\n]\n"
        );
        // Idempotent: a second run finds nothing to add and changes nothing.
        let (again, added) = edit(&out, &globs(&["pyproject.toml", "src/**/*.rs"])).unwrap();
        assert!(added.is_empty());
        assert_eq!(again, out);
    }

    #[test]
    fn extends_an_existing_list_in_its_own_style() {
        let text = "[tool.uv]\n# keys\ncache-keys = [\n  \"pyproject.toml\",  # default\n  { git = { commit = true } },\n]\nother = 1\n";
        let (out, added) = edit(text, &globs(&["pyproject.toml", "Cargo.toml"])).unwrap();
        assert_eq!(added, ["{ file = \"Cargo.toml\" }"]);
        assert_eq!(
            out,
            "[tool.uv]\n# keys\ncache-keys = [\n  \"pyproject.toml\",  # default\n  { git = { commit = true } },\n  { file = \"Cargo.toml\" },\n]\nother = 1\n"
        );
        let inline = "[tool.uv]\ncache-keys = [{ file = \"pyproject.toml\" }]\n";
        let (out, _) = edit(inline, &globs(&["pyproject.toml", "Cargo.toml"])).unwrap();
        assert_eq!(
            out,
            "[tool.uv]\ncache-keys = [{ file = \"pyproject.toml\" }, { file = \"Cargo.toml\" }]\n"
        );
    }

    #[test]
    fn refuses_what_it_cannot_edit_safely() {
        assert_eq!(
            edit("tool = 3\n", &globs(&["a"])).unwrap_err(),
            "`tool` is not a table; fix it by hand"
        );
        assert_eq!(
            edit("[tool.uv]\ncache-keys = \"x\"\n", &globs(&["a"])).unwrap_err(),
            "[tool.uv] cache-keys is not an array; fix it by hand"
        );
        assert!(edit("[tool\n", &globs(&["a"]))
            .unwrap_err()
            .starts_with("malformed TOML"));
    }
}
