//! Which files are inputs of a build: the crate's manifest, build script and `src/` tree, the
//! same for every path dependency (recursively, wherever it lives), the workspace manifest and
//! the lock file. The build script and the run-time check both call [`discover`], so they cannot
//! disagree about what an input is.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::gitignore::IgnoreRules;
use crate::manifest::CrateManifest;

/// More input files than this is not a crate but a mistake (a `src/` symlinked to `/`, a
/// generated tree gone wild): stop with an error instead of walking for minutes.
pub const MAX_INPUT_FILES: usize = 50_000;

/// Directory names that never hold build inputs.
const SKIPPED_DIRS: [&str; 3] = ["target", "__pycache__", "node_modules"];
/// File endings that never reach the binary: Python sources, stubs and built extensions
/// (maturin copies the built library into a mixed-layout source tree).
const SKIPPED_EXTENSIONS: [&str; 9] = ["py", "pyi", "pyc", "pyo", "pyd", "so", "dylib", "dll", "typed"];

/// One input file: its path relative to the root crate (`/`-separated, may start with `../`
/// for path dependencies outside the crate) and where it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub rel: String,
    pub path: PathBuf,
    /// Size and modification time seen during discovery, so a check needs no second `stat`.
    pub size: u64,
    pub mtime_ns: u64,
}

/// One crate of the build: where it is, its name and its library root file.
#[derive(Debug, Clone)]
pub struct CrateSource {
    pub dir: PathBuf,
    pub name: String,
    pub lib: PathBuf,
}

/// The inputs of one build.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Every input file, sorted by `rel`.
    pub files: Vec<InputFile>,
    /// Crates visited: the root crate first, then its path dependencies.
    pub crates: Vec<CrateSource>,
    /// Files and directories whose change must make cargo rerun the build script.
    pub watch: Vec<PathBuf>,
    /// Each walked directory, and each `.gitignore` inside one, with its modification time
    /// (relative path, ns). While none of these and no input changed, the set of inputs cannot
    /// have changed either: the run-time check then skips the walk.
    pub walked: Vec<(String, u64)>,
    /// Entries passed over, each a sentence naming the path (non-UTF-8 names, unreadable entries).
    pub skipped: Vec<String>,
    /// The root crate's manifest facts.
    pub package_name: Option<String>,
    pub package_version: Option<String>,
    /// maturin's module name (last component) and where it came from, if this is a maturin project.
    pub module_name: Option<(String, String)>,
}

/// Finds every input of the crate whose directory is `root` (canonical, absolute).
pub fn discover(root: &Path) -> Result<Inputs> {
    let mut walker = Walker { root: root.to_path_buf(), inputs: Inputs::default(), seen_dirs: HashSet::new() };
    let root_manifest_path = root.join("Cargo.toml");
    let root_manifest = CrateManifest::read(&root_manifest_path)?;
    walker.inputs.module_name = crate::manifest::maturin_module_name(root, &root_manifest)?;
    // Not an input of the binary, but the module-name check reads it: rerun when it changes.
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file() {
        walker.inputs.watch.push(pyproject);
    }
    walker.inputs.package_name = root_manifest.name.clone();
    walker.inputs.package_version = root_manifest.version.clone();

    let mut queue = vec![(root.to_path_buf(), root_manifest)];
    let mut seen_crates: HashSet<PathBuf> = HashSet::from([root.to_path_buf()]);
    let mut workspace_roots: Vec<PathBuf> = Vec::new();
    while let Some((dir, manifest)) = queue.pop() {
        walker.add_crate(&dir, &manifest)?;
        let workspace = find_workspace_root(&dir)?;
        let mut deps = manifest.path_deps.clone();
        if let Some((ws_dir, ws_manifest)) = &workspace {
            for name in &manifest.workspace_deps {
                if let Some((_, path)) = ws_manifest.workspace_path_deps.iter().find(|(n, _)| n == name) {
                    deps.push(path.clone());
                }
            }
            if !workspace_roots.contains(ws_dir) {
                workspace_roots.push(ws_dir.clone());
            }
        }
        for dep in deps {
            let dep = dep.canonicalize().map_err(|e| {
                Error::io(&dir.join("Cargo.toml"), &format!("path dependency `{}` cannot be read", dep.display()), e)
            })?;
            if seen_crates.insert(dep.clone()) {
                let manifest = CrateManifest::read(&dep.join("Cargo.toml"))?;
                queue.push((dep, manifest));
            }
        }
    }
    for ws in &workspace_roots {
        walker.add_file(&ws.join("Cargo.toml"));
    }
    if let Some(lock) = find_lock_file(root, workspace_roots.first()) {
        walker.add_file(&lock);
    }

    let mut inputs = walker.inputs;
    inputs.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    inputs.files.dedup_by(|a, b| a.rel == b.rel);
    Ok(inputs)
}

struct Walker {
    root: PathBuf,
    inputs: Inputs,
    /// Directories already walked, by identity, so symlink loops end.
    seen_dirs: HashSet<DirId>,
}

impl Walker {
    fn add_crate(&mut self, dir: &Path, manifest: &CrateManifest) -> Result<()> {
        self.inputs.crates.push(CrateSource {
            dir: dir.to_path_buf(),
            name: manifest.lib_name.clone().or_else(|| manifest.name.clone()).unwrap_or_default(),
            lib: manifest.lib_path.clone().unwrap_or_else(|| dir.join("src/lib.rs")),
        });
        self.add_file(&dir.join("Cargo.toml"));
        for file in manifest.build_script.iter().chain(&manifest.lib_path) {
            self.add_file(file);
        }
        let src = dir.join("src");
        if src.is_dir() {
            self.inputs.watch.push(src.clone());
            let rules = IgnoreRules::for_dir(&src);
            self.walk(&src, &rules)?;
        }
        Ok(())
    }

    /// Adds a file named by a manifest (always an input, even if git ignores it: a git-ignored
    /// `Cargo.lock` still decides which dependencies are built).
    fn add_file(&mut self, path: &Path) {
        if self.inputs.watch.iter().any(|p| p == path) {
            return;
        }
        if let Some(meta) = std::fs::metadata(path).ok().filter(|m| m.is_file()) {
            self.inputs.watch.push(path.to_path_buf());
            self.push(path.to_path_buf(), &meta);
        }
    }

    fn push(&mut self, path: PathBuf, meta: &std::fs::Metadata) {
        let rel = relative_path(&self.root, &path);
        let (size, mtime_ns) = (meta.len(), crate::fingerprint::mtime_ns(meta));
        self.inputs.files.push(InputFile { rel, path, size, mtime_ns });
    }

    fn walk(&mut self, dir: &Path, rules: &IgnoreRules) -> Result<()> {
        let id = match std::fs::metadata(dir).and_then(|meta| Ok((dir_id(dir, &meta)?, meta))) {
            Ok(id) => id,
            Err(e) => return self.skip(dir, &e.to_string()),
        };
        if !self.seen_dirs.insert(id.0) {
            return self.skip(dir, "directory already walked (symlink loop or second link)");
        }
        self.inputs.walked.push((relative_path(&self.root, dir), crate::fingerprint::mtime_ns(&id.1)));
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.skip(dir, &e.to_string()),
        };
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                self.skip(&path, "file name is not valid UTF-8")?;
                continue;
            };
            if name == ".gitignore" {
                if let Ok(meta) = std::fs::metadata(&path) {
                    self.inputs.walked.push((relative_path(&self.root, &path), crate::fingerprint::mtime_ns(&meta)));
                }
            }
            if name.starts_with('.') || name.ends_with('~') {
                continue;
            }
            // `metadata` follows symlinks; a file that vanished since `read_dir` is simply gone.
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_symlink(&path) => continue,
                Err(e) => {
                    self.skip(&path, &e.to_string())?;
                    continue;
                }
            };
            if meta.is_dir() {
                if SKIPPED_DIRS.contains(&name.as_str())
                    || path.join("pyvenv.cfg").exists()
                    || rules.is_ignored(&path, true)
                {
                    continue;
                }
                self.walk(&path, &rules.enter(&path))?;
            } else if meta.is_file() {
                let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
                if SKIPPED_EXTENSIONS.contains(&ext) || rules.is_ignored(&path, false) {
                    continue;
                }
                if self.inputs.files.len() >= MAX_INPUT_FILES {
                    return Err(Error::at(dir, format!(
                        "more than {MAX_INPUT_FILES} input files; pyo3-guard stops here. \
                         Move generated or vendored trees out of `src/`, or git-ignore them"
                    )));
                }
                self.push(path, &meta);
            }
        }
        Ok(())
    }

    fn skip(&mut self, path: &Path, why: &str) -> Result<()> {
        self.inputs.skipped.push(format!("skipped {}: {why}", path.display()));
        Ok(())
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(unix)]
type DirId = (u64, u64);
#[cfg(unix)]
fn dir_id(_: &Path, meta: &std::fs::Metadata) -> std::io::Result<DirId> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}
#[cfg(not(unix))]
type DirId = PathBuf;
#[cfg(not(unix))]
fn dir_id(dir: &Path, _: &std::fs::Metadata) -> std::io::Result<DirId> {
    dir.canonicalize()
}

/// The nearest ancestor of `dir` (itself included) whose `Cargo.toml` has a `[workspace]` table.
fn find_workspace_root(dir: &Path) -> Result<Option<(PathBuf, CrateManifest)>> {
    for ancestor in dir.ancestors() {
        let manifest_path = ancestor.join("Cargo.toml");
        if manifest_path.is_file() {
            let manifest = CrateManifest::read(&manifest_path)?;
            if manifest.is_workspace_root {
                return Ok(Some((ancestor.to_path_buf(), manifest)));
            }
        }
    }
    Ok(None)
}

/// The lock file cargo uses: the workspace root's, else the nearest one above the crate.
fn find_lock_file(root: &Path, workspace_root: Option<&PathBuf>) -> Option<PathBuf> {
    let preferred = workspace_root.map(|ws| ws.join("Cargo.lock")).filter(|p| p.is_file());
    preferred.or_else(|| root.ancestors().map(|a| a.join("Cargo.lock")).find(|p| p.is_file()))
}

/// `path` relative to `base`, `/`-separated, going up with `..` when it is not below `base`.
pub(crate) fn relative_path(base: &Path, path: &Path) -> String {
    let base: Vec<_> = base.components().collect();
    let path: Vec<_> = path.components().collect();
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - common];
    parts.extend(path[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// `path` with `.` and `..` components resolved lexically, `/`-separated.
pub(crate) fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                if parts.last().is_some_and(|p| !p.is_empty()) {
                    parts.pop();
                }
            }
            std::path::Component::CurDir => {}
            std::path::Component::RootDir => parts.push(String::new()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    if parts == [""] { "/".into() } else { parts.join("/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_go_up_and_down() {
        assert_eq!(relative_path(Path::new("/a/b"), Path::new("/a/b/src/lib.rs")), "src/lib.rs");
        assert_eq!(relative_path(Path::new("/a/b"), Path::new("/a/core/src/lib.rs")), "../core/src/lib.rs");
        assert_eq!(relative_path(Path::new("/a/b"), Path::new("/x/y.rs")), "../../x/y.rs");
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("/a/b/../../../x/y.rs")), "/x/y.rs");
        assert_eq!(normalize(Path::new("/a/./b/../c")), "/a/c");
    }
}
