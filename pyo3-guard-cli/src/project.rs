//! The project doctor looks at: which crate and pyproject.toml a directory stands for (maturin's
//! rules), its inputs and source id (the build script's own engine), the module and
//! distribution names maturin gives it, and where its built wheels are.

use std::path::{Path, PathBuf};

use pyo3_guard_build::discover::discover;
use pyo3_guard_engine::diagnose::shell_quote;
use pyo3_guard_engine::fingerprint;
use pyo3_guard_engine::inputs::{relative_path, Inputs};
use pyo3_guard_engine::layout::{pyproject_for, Pyproject};
use pyo3_guard_engine::record::{Record, RecordedInput};

/// A maturin project, read from its directory.
pub struct Project {
    /// Canonical path of the crate directory (where `Cargo.toml` is): the source root.
    pub root: PathBuf,
    /// The pyproject.toml that builds the crate (beside it, or above it with `manifest-path`).
    pub pyproject: Option<PathBuf>,
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
    /// Reads the project at `dir`: the directory of its pyproject.toml, of its crate, or of the
    /// Cargo workspace holding it (when that holds one maturin project). The error is one line
    /// naming the directory and what to give doctor instead.
    pub fn read(dir: &Path) -> Result<Project, String> {
        Project::read_for(dir, "doctor")
    }

    /// [`Project::read`] for `command`, which its errors name.
    pub fn read_for(dir: &Path, command: &str) -> Result<Project, String> {
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let root = crate_dir(&dir, command)?;
        let inputs = discover(&root).map_err(|e| e.to_string())?;
        let mut skipped = Vec::new();
        let recorded = fingerprint::record_inputs(&inputs.files, &mut skipped);
        let source_id = fingerprint::source_id(&recorded);
        let package = inputs.package_name.clone().unwrap_or_default();
        let module = match &inputs.module_name {
            Some((dotted, _)) => dotted.split('.').map(str::to_owned).collect(),
            None => vec![package.replace('-', "_")],
        };
        let pyproject = inputs.pyproject.clone();
        let project_name = pyproject
            .as_deref()
            .and_then(Pyproject::read)
            .and_then(|p| p.string(&["project", "name"]));
        let dist_name = project_name.unwrap_or(package);
        Ok(Project {
            root,
            pyproject,
            inputs,
            recorded,
            source_id,
            module,
            dist_name,
        })
    }

    /// Where maturin and uv run for this project: pyproject.toml's directory.
    pub fn dir(&self) -> &Path {
        self.pyproject
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(&self.root)
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
            pyproject: self
                .pyproject
                .as_deref()
                .map(|p| relative_path(&self.root, p)),
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
                text.parse::<toml_edit::DocumentMut>()
                    .is_ok_and(|doc| doc.contains_key("workspace"))
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
            let Ok(entries) = std::fs::read_dir(dir.join("wheels")) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(stem) = name.strip_suffix(".whl") else {
                    continue;
                };
                if normalize_dist(stem.split('-').next().unwrap_or_default()) == wanted {
                    let modified = entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    wheels.push((modified, path));
                }
            }
        }
        wheels.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        wheels.into_iter().map(|(_, path)| path).collect()
    }
}

/// The crate directory of the maturin project doctor is pointed at with `dir`, by maturin's
/// rules: the Cargo.toml a pyproject.toml there names; the crate there, when a pyproject.toml
/// builds it; the one maturin project among a workspace's members. Otherwise an error that says
/// what `dir` is and which directory to name instead.
fn crate_dir(dir: &Path, command: &str) -> Result<PathBuf, String> {
    let shown = dir.display();
    if let Some(pyproject) = Pyproject::read(&dir.join("pyproject.toml")) {
        let manifest = pyproject.cargo_manifest();
        return match manifest.parent().map(Path::canonicalize) {
            Some(Ok(crate_dir)) if manifest.is_file() => Ok(crate_dir),
            _ => Err(format!(
                "{shown}/pyproject.toml: maturin would build {}, which does not exist (set [tool.maturin] manifest-path to the crate's Cargo.toml)",
                manifest.display()
            )),
        };
    }
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|_| {
        format!("{shown}: no pyproject.toml or Cargo.toml here; run {command} in a maturin project (where its pyproject.toml is) or name that directory")
    })?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: malformed TOML: {e}", manifest.display()))?;
    if doc.contains_key("package") && pyproject_for(dir).is_some() {
        return Ok(dir.to_path_buf());
    }
    let projects: Vec<PathBuf> = if doc.contains_key("workspace") {
        let members = pyo3_guard_build::workspace::members(dir).map_err(|e| e.to_string())?;
        members
            .into_iter()
            .filter(|m| m != dir && pyproject_for(m).is_some())
            .collect()
    } else {
        Vec::new()
    };
    // Name the directory of each project's pyproject.toml: that is where maturin runs.
    let project_dirs: Vec<String> = projects
        .iter()
        .filter_map(|m| pyproject_for(m))
        .map(|p| p.dir().to_string_lossy().into_owned())
        .collect();
    match (projects.as_slice(), doc.contains_key("package")) {
        ([only], _) => Ok(only.clone()),
        ([], true) => {
            let name = doc.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()).unwrap_or("?");
            Err(format!(
                "{shown}: the Rust crate `{name}` is not a maturin project: no pyproject.toml beside it, and none above it \
                 names it with [tool.maturin] manifest-path; run {command} where the pyproject.toml that builds your extension is"
            ))
        }
        ([], false) => Err(format!(
            "{shown}: a Cargo workspace without a maturin project among its members (none has a pyproject.toml that builds it); \
             run {command} where the pyproject.toml that builds your extension is"
        )),
        _ => Err(format!(
            "{shown}: a Cargo workspace with {} maturin projects; name one: {}",
            projects.len(),
            project_dirs.iter().map(|d| format!("`pyo3-guard {command} {}`", shell_quote(d))).collect::<Vec<_>>().join(", ")
        )),
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

    fn crate_dir_of(dir: &Path) -> Result<PathBuf, String> {
        crate_dir(dir, "doctor")
    }

    #[test]
    fn doctor_finds_the_crate_from_the_pyproject_the_crate_or_the_workspace_or_says_where_to_go() {
        let tmp =
            std::env::temp_dir().join(format!("pyo3-guard-cli-project-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let write = |rel: &str, text: &str| {
            let path = tmp.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let package = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
        write("ws/Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
        write("ws/crates/foo-python/Cargo.toml", &package("foo-python"));
        write(
            "ws/crates/foo-python/pyproject.toml",
            "[project]\nname = \"foo\"\n",
        );
        write("ws/crates/core/Cargo.toml", &package("core"));
        write(
            "top/pyproject.toml",
            "[tool.maturin]\nmanifest-path = \"rust/Cargo.toml\"\n",
        );
        write("top/rust/Cargo.toml", &package("top"));
        write("plain/Cargo.toml", &package("plain"));
        let tmp = tmp.canonicalize().unwrap();

        assert_eq!(
            crate_dir_of(&tmp.join("ws")),
            Ok(tmp.join("ws/crates/foo-python"))
        );
        assert_eq!(
            crate_dir_of(&tmp.join("ws/crates/foo-python")),
            Ok(tmp.join("ws/crates/foo-python"))
        );
        assert_eq!(crate_dir_of(&tmp.join("top")), Ok(tmp.join("top/rust")));
        assert_eq!(
            crate_dir_of(&tmp.join("top/rust")),
            Ok(tmp.join("top/rust"))
        );
        let project = Project::read(&tmp.join("top/rust")).unwrap();
        assert_eq!(
            (project.dir(), project.module_name()),
            (tmp.join("top").as_path(), "top".to_owned())
        );
        let core = crate_dir_of(&tmp.join("ws/crates/core")).unwrap_err();
        assert!(
            core.contains("the Rust crate `core` is not a maturin project"),
            "{core}"
        );
        let plain = crate_dir_of(&tmp.join("plain")).unwrap_err();
        assert!(
            plain.contains("`plain` is not a maturin project"),
            "{plain}"
        );

        write("ws/crates/bar/Cargo.toml", &package("bar"));
        write(
            "ws/crates/bar/pyproject.toml",
            "[project]\nname = \"bar\"\n",
        );
        let two = crate_dir_of(&tmp.join("ws")).unwrap_err();
        let (bar, foo) = (tmp.join("ws/crates/bar"), tmp.join("ws/crates/foo-python"));
        assert!(
            two.contains(&format!(
                "2 maturin projects; name one: `pyo3-guard doctor {}`, `pyo3-guard doctor {}`",
                bar.display(),
                foo.display()
            )),
            "{two}"
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
