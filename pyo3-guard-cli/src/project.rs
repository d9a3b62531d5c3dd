//! The project doctor looks at: its inputs and source id (the build script's own engine), the
//! module and distribution names maturin gives it, and where its built wheels are.

use std::path::{Path, PathBuf};

use pyo3_guard_build::fingerprint;
use pyo3_guard_build::discover::discover;
use pyo3_guard_build::inputs::Inputs;
use pyo3_guard_build::record::{Record, RecordedInput};

/// A maturin project, read from its directory.
pub struct Project {
    /// Canonical path of the crate directory (where `Cargo.toml` and `pyproject.toml` are).
    pub root: PathBuf,
    pub inputs: Inputs,
    /// The current inputs, hashed as the build script hashes them.
    pub recorded: Vec<RecordedInput>,
    /// The source id a build of the sources on disk now would get.
    pub source_id: String,
    /// The module maturin builds, dotted (`demo`, or `pkg._native` for a mixed layout).
    pub module: Vec<String>,
    /// The distribution name (`[project] name`, else the Cargo package name).
    pub dist_name: String,
}

impl Project {
    /// Reads the project at `dir`. The error is one line naming the file that is wrong.
    pub fn read(dir: &Path) -> Result<Project, String> {
        let root = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
        if !root.join("Cargo.toml").is_file() {
            return Err(format!("{}: no Cargo.toml here; run doctor in a maturin project or name its directory", root.display()));
        }
        let inputs = discover(&root).map_err(|e| e.to_string())?;
        let mut skipped = Vec::new();
        let recorded = fingerprint::record_inputs(&inputs.files, &mut skipped);
        let source_id = fingerprint::source_id(&recorded);
        let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).ok();
        let doc = pyproject.as_deref().and_then(|text| text.parse::<toml_edit::DocumentMut>().ok());
        let string = |keys: &[&str]| {
            let mut item = doc.as_ref()?.as_item();
            for key in keys {
                item = item.get(key)?;
            }
            item.as_str().map(str::to_owned)
        };
        let package = inputs.package_name.clone().unwrap_or_default();
        let module = match (string(&["tool", "maturin", "module-name"]), &inputs.module_name) {
            (Some(dotted), _) => dotted.split('.').map(|p| p.replace('-', "_")).collect(),
            (None, Some((name, _))) => vec![name.clone()],
            (None, None) => vec![package.replace('-', "_")],
        };
        let dist_name = string(&["project", "name"]).unwrap_or(package);
        Ok(Project { root, inputs, recorded, source_id, module, dist_name })
    }

    /// The module's dotted name.
    pub fn module_name(&self) -> String {
        self.module.join(".")
    }

    /// A record of the sources on disk now (inputs and source root only): what the cache-key
    /// globs are computed from.
    pub fn current_record(&self) -> Record {
        Record {
            source_id: self.source_id.clone(),
            source_root: Some(self.root.to_string_lossy().into_owned()),
            inputs: self.recorded.clone(),
            ..Record::default()
        }
    }

    /// Target directories that may hold this project's wheels: `CARGO_TARGET_DIR`, the crate's
    /// own `target/` and its workspace root's `target/`.
    pub fn target_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
            dirs.push(PathBuf::from(dir));
        }
        dirs.push(self.root.join("target"));
        let workspace = self.root.ancestors().skip(1).find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|text| {
                text.parse::<toml_edit::DocumentMut>().is_ok_and(|doc| doc.contains_key("workspace"))
            })
        });
        if let Some(workspace) = workspace {
            dirs.push(workspace.join("target"));
        }
        let mut unique: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            let dir = dir.canonicalize().unwrap_or(dir);
            if !unique.contains(&dir) {
                unique.push(dir);
            }
        }
        unique
    }

    /// `target/wheels/*.whl` of this distribution, newest first.
    pub fn wheels(&self) -> Vec<PathBuf> {
        let wanted = normalize_dist(&self.dist_name);
        let mut wheels: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for dir in self.target_dirs() {
            let Ok(entries) = std::fs::read_dir(dir.join("wheels")) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(stem) = name.strip_suffix(".whl") else { continue };
                if normalize_dist(stem.split('-').next().unwrap_or_default()) == wanted {
                    let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                    wheels.push((modified, path));
                }
            }
        }
        wheels.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        wheels.into_iter().map(|(_, path)| path).collect()
    }
}

/// A distribution name as wheel file names spell it (PEP 503 normalization, `_` for runs).
pub fn normalize_dist(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dist_names_normalize_like_wheel_file_names() {
        assert_eq!(normalize_dist("My-Package.name"), "my_package_name");
        assert_eq!(normalize_dist("my__package"), "my_package");
        assert_eq!(normalize_dist("demo"), "demo");
    }
}
