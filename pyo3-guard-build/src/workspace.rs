//! Which workspace a package belongs to, by cargo's own rules (`Workspace::find_root` in cargo):
//! its workspace root decides the lock file of a build and what `workspace = true` inherits.
//! cargo gives a build script no variable for it, and running `cargo metadata` from a build
//! script can wait on the lock of the build that runs it, so the rules are followed here.

use std::path::{Path, PathBuf};

use crate::manifest::CrateManifest;
use pyo3_guard_engine::error::{Error, Result};

/// The workspace root of the package in `dir` whose manifest is `manifest`, with its manifest,
/// or `None` when the package is a workspace of its own:
/// - its manifest has a `[workspace]` table: the package itself;
/// - `package.workspace = "path"`: that directory;
/// - else the nearest directory above it whose manifest is a workspace root that does not
///   exclude it, or a package with `package.workspace` (whose root is then the one it names).
///
/// A root whose `members` do not include the package makes cargo refuse the build, so a
/// package that builds is a member of the root found here.
pub(crate) fn workspace_root(
    dir: &Path,
    manifest: &CrateManifest,
) -> Result<Option<(PathBuf, CrateManifest)>> {
    if manifest.is_workspace_root {
        return Ok(None); // its own root: the caller has the manifest already
    }
    if let Some(pointer) = &manifest.package_workspace {
        return pointed_root(dir, pointer).map(Some);
    }
    let package_manifest = dir.join("Cargo.toml");
    for ancestor in dir.ancestors().skip(1) {
        let path = ancestor.join("Cargo.toml");
        if !path.is_file() {
            continue;
        }
        let candidate = CrateManifest::read(&path)?;
        if candidate.is_workspace_root {
            if !excludes(ancestor, &candidate, &package_manifest) {
                return Ok(Some((ancestor.to_path_buf(), candidate)));
            }
        } else if let Some(pointer) = &candidate.package_workspace {
            return pointed_root(ancestor, pointer).map(Some);
        }
    }
    Ok(None)
}

/// The root `package.workspace = "pointer"` names, from the package in `dir`.
fn pointed_root(dir: &Path, pointer: &str) -> Result<(PathBuf, CrateManifest)> {
    let root = dir.join(pointer);
    let manifest_path = root.join("Cargo.toml");
    if !manifest_path.is_file() {
        return Err(Error::at(
            &dir.join("Cargo.toml"),
            format!("`package.workspace = \"{pointer}\"` names a directory without a Cargo.toml"),
        ));
    }
    let manifest = CrateManifest::read(&manifest_path)?;
    let root = root
        .canonicalize()
        .map_err(|e| Error::io(&root, "cannot resolve the workspace root", e))?;
    Ok((root, manifest))
}

/// cargo's `is_excluded`: an `exclude` entry that is a prefix of the package's manifest path,
/// unless a `members` entry is one too. Both are plain path prefixes here, not globs.
fn excludes(root: &Path, workspace: &CrateManifest, package_manifest: &Path) -> bool {
    let prefix_of = |entries: &[String]| {
        entries
            .iter()
            .any(|entry| package_manifest.starts_with(root.join(entry)))
    };
    prefix_of(&workspace.workspace_exclude)
        && !workspace
            .workspace_members
            .as_deref()
            .is_some_and(prefix_of)
}

/// The member packages of the workspace whose root manifest is in `dir`: each `members` entry
/// expanded as cargo does (a glob per path segment), less `exclude`, those with a Cargo.toml,
/// sorted.
pub fn members(dir: &Path) -> Result<Vec<PathBuf>> {
    let manifest = CrateManifest::read(&dir.join("Cargo.toml"))?;
    let mut found = Vec::new();
    for entry in manifest.workspace_members.iter().flatten() {
        let mut dirs = vec![dir.to_path_buf()];
        for segment in entry.split('/').filter(|s| !s.is_empty() && *s != ".") {
            dirs = dirs.iter().flat_map(|d| expand(d, segment)).collect();
        }
        found.extend(dirs.into_iter().filter(|d| d.join("Cargo.toml").is_file()));
    }
    found.retain(|member| !excludes(dir, &manifest, &member.join("Cargo.toml")));
    found.sort();
    found.dedup();
    Ok(found)
}

/// The entries of `dir` that `segment` names (a glob, or a plain name).
fn expand(dir: &Path, segment: &str) -> Vec<PathBuf> {
    if !segment.contains(['*', '?', '[']) {
        return vec![dir.join(segment)];
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|name| pyo3_guard_engine::matches_segment(segment, name))
        })
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect()
}

/// The lock file cargo uses for a build of the package in `dir`: the one beside its workspace
/// root's manifest (the package's own, when it is its own root), if it exists.
pub(crate) fn lock_file(dir: &Path, workspace_root: Option<&Path>) -> Option<PathBuf> {
    Some(workspace_root.unwrap_or(dir).join("Cargo.lock")).filter(|lock| lock.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn root_of(tmp: &Path, rel: &str) -> Option<String> {
        let dir = tmp.join(rel);
        let manifest = CrateManifest::read(&dir.join("Cargo.toml")).unwrap();
        let root = workspace_root(&dir, &manifest).unwrap();
        root.map(|(dir, _)| pyo3_guard_engine::inputs::relative_path(tmp, &dir))
    }

    #[test]
    fn follows_cargos_rules_for_the_workspace_root() {
        let tmp = std::env::temp_dir().join(format!("pyo3-guard-ws-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let package = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
        write(&tmp.join("ws/Cargo.toml"), "[workspace]\nmembers = [\"crates/*\", \"kept/inner\"]\nexclude = [\"crates/skipped\", \"kept\"]\n");
        write(&tmp.join("ws/crates/a/Cargo.toml"), &package("a"));
        write(
            &tmp.join("ws/crates/skipped/Cargo.toml"),
            &package("skipped"),
        );
        write(&tmp.join("ws/kept/inner/Cargo.toml"), &package("inner"));
        write(
            &tmp.join("ws/own/Cargo.toml"),
            &(package("own") + "[workspace]\n"),
        );
        write(&tmp.join("ws/own/sub/Cargo.toml"), &package("sub"));
        write(
            &tmp.join("ws/pointing/Cargo.toml"),
            &(package("pointing")
                .replace("[package]\n", "[package]\nworkspace = \"../../other\"\n")),
        );
        write(&tmp.join("ws/pointing/below/Cargo.toml"), &package("below"));
        write(&tmp.join("other/Cargo.toml"), "[workspace]\n");
        write(&tmp.join("alone/Cargo.toml"), &package("alone"));
        let tmp = tmp.canonicalize().unwrap();

        assert_eq!(root_of(&tmp, "ws/crates/a").as_deref(), Some("ws"));
        // Excluded: cargo looks further up and finds nothing.
        assert_eq!(root_of(&tmp, "ws/crates/skipped"), None);
        // An explicit `members` entry beats an `exclude` prefix.
        assert_eq!(root_of(&tmp, "ws/kept/inner").as_deref(), Some("ws"));
        // A package that is its own root, and the nearest root above another package wins.
        assert_eq!(root_of(&tmp, "ws/own"), None);
        assert_eq!(root_of(&tmp, "ws/own/sub").as_deref(), Some("ws/own"));
        // `package.workspace`, on the package and on a package above it.
        assert_eq!(root_of(&tmp, "ws/pointing").as_deref(), Some("other"));
        assert_eq!(root_of(&tmp, "ws/pointing/below").as_deref(), Some("other"));
        assert_eq!(root_of(&tmp, "alone"), None);
        let members: Vec<String> = members(&tmp.join("ws"))
            .unwrap()
            .iter()
            .map(|m| pyo3_guard_engine::inputs::relative_path(&tmp, m))
            .collect();
        assert_eq!(members, ["ws/crates/a", "ws/kept/inner"]);

        assert_eq!(lock_file(&tmp.join("alone"), None), None);
        write(&tmp.join("alone/Cargo.lock"), "");
        write(&tmp.join("ws/Cargo.lock"), "");
        assert_eq!(
            lock_file(&tmp.join("alone"), None),
            Some(tmp.join("alone/Cargo.lock"))
        );
        // A member uses its root's lock file, never one of its own.
        write(&tmp.join("ws/crates/a/Cargo.lock"), "");
        assert_eq!(
            lock_file(&tmp.join("ws/crates/a"), Some(&tmp.join("ws"))),
            Some(tmp.join("ws/Cargo.lock"))
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
