//! Which crates and files a build has, read from the manifests (build script and CLI only): the
//! crate's manifest, build script and `src/` tree, the same for every path dependency
//! (recursively, wherever it lives, `workspace = true` included), the workspace manifests and the
//! root package's lock file. The record keeps the result, so the run-time check needs no manifest.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::manifest::CrateManifest;
use crate::workspace::{lock_file, workspace_root};
use pyo3_guard_engine::error::{Error, Result};
use pyo3_guard_engine::inputs::{CrateSource, Inputs, Walker};

/// Finds every input of the crate whose directory is `root` (canonical, absolute).
pub fn discover(root: &Path) -> Result<Inputs> {
    let mut walker = Walker::new(root);
    let root_manifest = CrateManifest::read(&root.join("Cargo.toml"))?;
    let pyproject = pyo3_guard_engine::layout::pyproject_for(root);
    let module_name = crate::manifest::maturin_module_name(
        pyproject.as_ref().map(|p| p.path.as_path()),
        &root_manifest,
    )?;
    if let Some(pyproject) = &pyproject {
        // Not an input of the binary, but the module-name check reads it: rerun when it changes.
        walker.inputs.watch.push(pyproject.path.clone());
        walker.inputs.pyproject = Some(pyproject.path.clone());
        // Python packages inside a crate's `src/` (`python-source = "src"`) hold Python files
        // and package data, not Rust inputs.
        let module = module_name.as_ref().map_or("", |(name, _)| name.as_str());
        walker.python_dirs(&pyproject.python_packages(module));
    }
    walker.inputs.module_name = module_name;
    walker.inputs.package_name = root_manifest.name.clone();
    walker.inputs.package_version = root_manifest.version.clone();

    let mut renames = root_manifest.renames.clone();
    // The root package's workspace decides the lock file (cargo's rule, not the first
    // workspace a path dependency happens to be in).
    let root_workspace = workspace_root(root, &root_manifest)?;
    let lock = lock_file(root, root_workspace.as_ref().map(|(dir, _)| dir.as_path()));
    let mut queue = vec![(root.to_path_buf(), root_manifest)];
    let mut seen_crates: HashSet<PathBuf> = HashSet::from([root.to_path_buf()]);
    let mut workspace_roots: Vec<PathBuf> = Vec::new();
    while let Some((dir, manifest)) = queue.pop() {
        add_crate(&mut walker, &dir, &manifest)?;
        // Each crate inherits `workspace = true` entries from its own workspace root.
        let workspace = if manifest.is_workspace_root {
            None
        } else {
            workspace_root(&dir, &manifest)?
        };
        let (ws_dir, ws_manifest) = match &workspace {
            Some((ws_dir, ws_manifest)) => (ws_dir.as_path(), ws_manifest),
            None => (dir.as_path(), &manifest),
        };
        let mut deps = manifest.path_deps.clone();
        if dir == root {
            // Renames the root crate inherits with `workspace = true`.
            let inherited = ws_manifest
                .workspace_renames
                .iter()
                .filter(|(key, _)| manifest.inherited.contains(key));
            renames.extend(inherited.cloned());
        }
        for name in &manifest.workspace_deps {
            if let Some((_, path)) = ws_manifest
                .workspace_path_deps
                .iter()
                .find(|(n, _)| n == name)
            {
                deps.push(path.clone());
            }
        }
        if ws_manifest.is_workspace_root && !workspace_roots.iter().any(|w| w == ws_dir) {
            workspace_roots.push(ws_dir.to_path_buf());
        }
        for dep in deps {
            let dep = dep.canonicalize().map_err(|e| {
                Error::io(
                    &dir.join("Cargo.toml"),
                    &format!("path dependency `{}` cannot be read", dep.display()),
                    e,
                )
            })?;
            if seen_crates.insert(dep.clone()) {
                let manifest = CrateManifest::read(&dep.join("Cargo.toml"))?;
                queue.push((dep, manifest));
            }
        }
    }
    walker.inputs.layout.renames = crate_names(&renames, &walker.inputs.crates);
    for ws in &workspace_roots {
        walker.add_file(&ws.join("Cargo.toml"));
    }
    if let Some(lock) = lock {
        walker.add_file(&lock);
    }
    Ok(walker.finish())
}

/// The renamed dependencies as (name in code, crate name), dashes as underscores. The crate name
/// is what its items register under: the `[lib] name` for a path dependency that sets one. A
/// name renamed to two crates (in two `[target.*]` tables) is left out: which one applies
/// depends on the target.
fn crate_names(renames: &[(String, String)], crates: &[CrateSource]) -> Vec<(String, String)> {
    let crate_name = |package: &str| {
        let source = crates.iter().find(|c| c.package == package);
        source
            .map_or(package, |c| c.name.as_str())
            .replace('-', "_")
    };
    let mut names: Vec<(String, String)> = Vec::new();
    for (key, package) in renames {
        let (used, own) = (key.replace('-', "_"), crate_name(package));
        if used != own && !names.contains(&(used.clone(), own.clone())) {
            names.push((used, own));
        }
    }
    let ambiguous: Vec<String> = names
        .iter()
        .filter(|(used, _)| names.iter().filter(|(u, _)| u == used).count() > 1)
        .map(|(u, _)| u.clone())
        .collect();
    names.retain(|(used, _)| !ambiguous.contains(used));
    names
}

/// One crate's inputs: its manifest, build script, `[lib] path` and `src/` tree.
fn add_crate(walker: &mut Walker, dir: &Path, manifest: &CrateManifest) -> Result<()> {
    walker.inputs.crates.push(CrateSource {
        dir: dir.to_path_buf(),
        name: manifest
            .lib_name
            .clone()
            .or_else(|| manifest.name.clone())
            .unwrap_or_default(),
        package: manifest.name.clone().unwrap_or_default(),
        lib: manifest
            .lib_path
            .clone()
            .unwrap_or_else(|| dir.join("src/lib.rs")),
    });
    walker.add_file(&dir.join("Cargo.toml"));
    for file in manifest.build_script.iter().chain(&manifest.lib_path) {
        walker.add_file(file);
    }
    walker.tree(&dir.join("src"))
}
