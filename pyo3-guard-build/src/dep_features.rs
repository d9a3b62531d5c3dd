//! Features of a path dependency that are on in this build for sure, from the manifests alone:
//! what the root package enables by name. Cargo unifies features (it only ever adds), so these
//! are a lower bound, exact as far as it goes: a `#[cfg(feature = "python")]` in the dependency
//! is known to hold when the extension writes `core = { path = "..", features = ["python"] }`.
//! Every other feature stays unknown (the export check then relies on the item's registration).
//!
//! Counted: the root's `[dependencies]` entry for the dependency (`features`, and `default`
//! unless `default-features = false`), when the entry is not optional or the root's enabled
//! features activate it; `dep/feature` (and `dep?/feature`) in the root's enabled features; then
//! every feature those enable in the dependency's own `[features]` table.

use std::collections::BTreeSet;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::manifest::{get, get_path, TomlFile};
use pyo3_guard_engine::inputs::CrateSource;

/// The features of `dep` the root package (manifest `root_dir/Cargo.toml`, built with
/// `root_features`) enables for sure. Empty when a manifest cannot be read.
pub fn known_on(root_dir: &Path, root_features: &[String], dep: &CrateSource) -> BTreeSet<String> {
    let (Ok(root), Ok(own)) = (
        TomlFile::read(&root_dir.join("Cargo.toml")),
        TomlFile::read(&dep.dir.join("Cargo.toml")),
    ) else {
        return BTreeSet::new();
    };
    let (Ok(root), Ok(own)) = (root.parse(), own.parse()) else {
        return BTreeSet::new();
    };
    let mut on = BTreeSet::new();
    let Some((key, entry)) = root_entry(&root, root_dir, dep) else {
        return on;
    };
    let active = |feature: &str| root_features.iter().any(|f| f == feature);
    let root_table = get(&root, "features").and_then(DeValue::as_table);
    let enabled_entries = |f: &String| strings(root_table.and_then(|t| get(t, f)));
    let activated = !is_true(entry.and_then(|e| get(e, "optional")))
        || active(&key)
        || root_features
            .iter()
            .flat_map(enabled_entries)
            .any(|e| e == format!("dep:{key}") || e.starts_with(&format!("{key}/")));
    if !activated {
        return on;
    }
    if let Some(entry) = entry {
        on.extend(strings(get(entry, "features")));
        let default = get(entry, "default-features").or_else(|| get(entry, "default_features"));
        if default.and_then(DeValue::as_bool) != Some(false) {
            on.insert("default".to_owned());
        }
    } else {
        on.insert("default".to_owned()); // `dep = "1"` or `dep = { path = ".." }` without a table
    }
    for entry in root_features.iter().flat_map(enabled_entries) {
        if let Some(feature) = entry
            .strip_prefix(&format!("{key}/"))
            .or_else(|| entry.strip_prefix(&format!("{key}?/")))
        {
            on.insert(feature.to_owned());
        }
    }
    close_over(&own, on)
}

/// The root's `[dependencies]` key and table for `dep`: the entry whose `path` is the
/// dependency's directory, or whose key or `package` is its package name.
fn root_entry<'a, 'i>(
    root: &'a DeTable<'i>,
    root_dir: &Path,
    dep: &CrateSource,
) -> Option<(String, Option<&'a DeTable<'i>>)> {
    let dependencies = get(root, "dependencies")?.as_table()?;
    let dep_dir = dep.dir.canonicalize().ok();
    dependencies.iter().find_map(|(key, value)| {
        let key = key.get_ref().as_ref().to_owned();
        let table = value.get_ref().as_table();
        let path = table.and_then(|t| get(t, "path")).and_then(DeValue::as_str);
        let package = table
            .and_then(|t| get(t, "package"))
            .and_then(DeValue::as_str)
            .unwrap_or(&key);
        let same_dir = path.is_some_and(|p| root_dir.join(p).canonicalize().ok() == dep_dir);
        (same_dir || package == dep.package).then(|| (key.clone(), table))
    })
}

/// `on` with every feature they enable in `manifest`'s `[features]` table, transitively (the
/// `dep:x` and `x/y` entries name dependencies, not features of this crate).
fn close_over(manifest: &DeTable<'_>, mut on: BTreeSet<String>) -> BTreeSet<String> {
    let Some(table) = get_path(manifest, &["features"]).and_then(DeValue::as_table) else {
        on.remove("default");
        return on;
    };
    let mut pending: Vec<String> = on.iter().cloned().collect();
    while let Some(feature) = pending.pop() {
        for entry in strings(get(table, &feature)) {
            if !entry.contains(':') && !entry.contains('/') && on.insert(entry.clone()) {
                pending.push(entry);
            }
        }
    }
    on
}

fn strings(value: Option<&DeValue<'_>>) -> Vec<String> {
    value
        .and_then(DeValue::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(|v| v.get_ref().as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn is_true(value: Option<&DeValue<'_>>) -> bool {
    value.and_then(DeValue::as_bool) == Some(true)
}
