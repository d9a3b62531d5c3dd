//! What an input file is, and the walk that finds them: every file of a source tree (a crate's
//! `src/`) that git does not ignore and that can reach the binary, plus single files a manifest
//! names. Which trees and files a build has is decided once, from the manifests, by the build
//! script (`discover`, feature `emit`); the record keeps that layout, and the run-time check
//! walks the same trees again with [`from_record`], so the two cannot disagree about what an
//! input is, and the extension needs no TOML parser.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::gitignore::IgnoreRules;
use crate::record::Record;

/// More input files than this is not a crate but a mistake (a `src/` symlinked to `/`, a
/// generated tree gone wild): stop with an error instead of walking for minutes.
pub const MAX_INPUT_FILES: usize = 50_000;

/// Directory names that never hold build inputs.
const SKIPPED_DIRS: [&str; 3] = ["target", "__pycache__", "node_modules"];
/// File endings that never reach the binary: Python sources, stubs and built extensions
/// (maturin copies the built library into a mixed-layout source tree).
const SKIPPED_EXTENSIONS: [&str; 9] = [
    "py", "pyi", "pyc", "pyo", "pyd", "so", "dylib", "dll", "typed",
];

/// One input file: its path relative to the root crate (`/`-separated, may start with `../`
/// for path dependencies outside the crate) and where it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Path relative to the root crate, `/`-separated.
    pub rel: String,
    /// Where the file is now (absolute).
    pub path: PathBuf,
    /// Size and modification time seen during discovery, so a check needs no second `stat`.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
}

/// One crate of the build: where it is, its name and its library root file.
#[derive(Debug, Clone)]
pub struct CrateSource {
    /// The crate's directory (the one holding its Cargo.toml).
    pub dir: PathBuf,
    /// The library's name (`[lib] name`, else the package name), as written.
    pub name: String,
    /// The package name.
    pub package: String,
    /// The library's root file (`[lib] path`, else `src/lib.rs`).
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
    /// Where the inputs are: what the build record keeps so the check can walk again.
    pub layout: SourceLayout,
    /// Entries passed over, each a sentence naming the path (non-UTF-8 names, unreadable entries).
    pub skipped: Vec<String>,
    /// The root crate's manifest facts.
    pub package_name: Option<String>,
    /// The root crate's package version.
    pub package_version: Option<String>,
    /// maturin's module name (dotted, as users import it) and where it came from, if this is a
    /// maturin project.
    pub module_name: Option<(String, String)>,
    /// The pyproject.toml that builds the crate (beside Cargo.toml, or above it naming it with
    /// `manifest-path`).
    pub pyproject: Option<PathBuf>,
}

/// The layout the manifests gave, as the build script found it and the build record keeps it:
/// with it the run-time check walks the same trees and looks at the same files without reading
/// a manifest. All paths are relative to the root crate, `/`-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceLayout {
    /// The source trees walked (each crate's `src/`).
    pub trees: Vec<String>,
    /// The single files the manifests name (manifests, build scripts, lock file, `[lib] path`,
    /// even a git-ignored one inside `src/`).
    pub named: Vec<String>,
    /// Each walked directory, and each `.gitignore` inside one, with its modification time (ns).
    /// While none of these and no input changed, the set of inputs cannot have changed either:
    /// the run-time check then skips the walk. Empty when file times are left out.
    pub walked: Vec<(String, u64)>,
    /// Python package directories (maturin's, found in a `src/` tree with `python-source =
    /// "src"`): only `.rs` files in them are inputs, not the package's data.
    pub python_dirs: Vec<String>,
    /// The root crate's renamed dependencies: (name in code, crate name), dashes as underscores.
    pub renames: Vec<(String, String)>,
}

/// The inputs under `root` (canonical) of a build whose layout `record` holds: its source trees
/// walked again, and the single files the manifests named, those that exist now. While no
/// manifest changed (a changed one is itself reported), this is what the manifests would give.
pub fn from_record(root: &Path, record: &Record) -> Result<Inputs> {
    let mut walker = Walker::new(root);
    let python_dirs: Vec<PathBuf> = record
        .source_layout
        .python_dirs
        .iter()
        .map(|dir| PathBuf::from(normalize(&root.join(dir))))
        .collect();
    walker.python_dirs(&python_dirs);
    for tree in &record.source_layout.trees {
        walker.tree(&PathBuf::from(normalize(&root.join(tree))))?;
    }
    // A record without `file` lines (an earlier format): its inputs outside the trees.
    let in_a_tree = |rel: &str| {
        record.source_layout.trees.iter().any(|tree| {
            rel.strip_prefix(tree.as_str())
                .is_some_and(|r| r.starts_with('/'))
        })
    };
    let earlier = record
        .inputs
        .iter()
        .map(|input| &input.rel)
        .filter(|rel| !in_a_tree(rel));
    let named: Vec<&String> = if record.source_layout.named.is_empty() {
        earlier.collect()
    } else {
        record.source_layout.named.iter().collect()
    };
    for file in named {
        walker.add_file(&PathBuf::from(normalize(&root.join(file))));
    }
    Ok(walker.finish())
}

/// Collects the inputs of a build: walks source trees with the gitignore rules and records
/// single files, the same way for the build script and for the run-time check.
pub struct Walker {
    root: PathBuf,
    /// What has been collected so far.
    pub inputs: Inputs,
    /// Directories already walked, by identity, so symlink loops end.
    /// Sorted, for `binary_search` (a hash set would link hashbrown's code for one type more).
    seen_dirs: Vec<DirId>,
    /// Python package directories (absolute), where only `.rs` files are inputs.
    python: Vec<PathBuf>,
}

impl Walker {
    /// A walker for a build whose root crate is at `root` (canonical).
    pub fn new(root: &Path) -> Walker {
        Walker {
            root: root.to_path_buf(),
            inputs: Inputs::default(),
            seen_dirs: Vec::new(),
            python: Vec::new(),
        }
    }

    /// Marks Python package directories: below them only `.rs` files are inputs.
    pub fn python_dirs(&mut self, dirs: &[PathBuf]) {
        for dir in dirs.iter().map(|dir| PathBuf::from(normalize(dir))) {
            self.inputs
                .layout
                .python_dirs
                .push(relative_path(&self.root, &dir));
            self.python.push(dir);
        }
    }

    /// The inputs, sorted by relative path, each once.
    pub fn finish(self) -> Inputs {
        let mut inputs = self.inputs;
        crate::order::sort_by(&mut inputs.files, |a, b| a.rel < b.rel);
        inputs.files.dedup_by(|a, b| a.rel == b.rel);
        inputs
    }

    /// Walks the source tree `dir` (a crate's `src/`) if it is a directory.
    pub fn tree(&mut self, dir: &Path) -> Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        self.inputs.watch.push(dir.to_path_buf());
        self.inputs
            .layout
            .trees
            .push(relative_path(&self.root, dir));
        let rules = IgnoreRules::for_dir(dir);
        let python = self.python.iter().any(|p| dir.starts_with(p));
        self.walk(dir, &rules, python)
    }

    /// Adds a file named by a manifest (always an input when it exists, even if git ignores it:
    /// a git-ignored `Cargo.lock` still decides which dependencies are built).
    pub fn add_file(&mut self, path: &Path) {
        let rel = relative_path(&self.root, path);
        if self.inputs.layout.named.contains(&rel) {
            return;
        }
        // Only files that exist: cargo reruns a build script on every build while a
        // `rerun-if-changed` path is missing.
        if let Some(meta) = std::fs::metadata(path).ok().filter(|m| m.is_file()) {
            self.inputs.layout.named.push(rel);
            self.inputs.watch.push(path.to_path_buf());
            self.push(path.to_path_buf(), &meta);
        }
    }

    fn push(&mut self, path: PathBuf, meta: &std::fs::Metadata) {
        let rel = relative_path(&self.root, &path);
        let (size, mtime_ns) = (meta.len(), crate::fingerprint::mtime_ns(meta));
        self.inputs.files.push(InputFile {
            rel,
            path,
            size,
            mtime_ns,
        });
    }

    /// Walks `dir`; inside a Python package (`python`), only `.rs` files count.
    fn walk(&mut self, dir: &Path, rules: &IgnoreRules, python: bool) -> Result<()> {
        let id = match std::fs::metadata(dir).and_then(|meta| Ok((dir_id(dir, &meta)?, meta))) {
            Ok(id) => id,
            Err(e) => return self.skip(dir, &e.to_string()),
        };
        match self.seen_dirs.binary_search(&id.0) {
            Ok(_) => {
                return self.skip(
                    dir,
                    "directory already walked (symlink loop or second link)",
                )
            }
            Err(at) => self.seen_dirs.insert(at, id.0),
        }
        self.inputs.layout.walked.push((
            relative_path(&self.root, dir),
            crate::fingerprint::mtime_ns(&id.1),
        ));
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.skip(dir, &e.to_string()),
        };
        let mut entries: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name(), e.path()))
            .collect();
        crate::order::sort_by(&mut entries, |a, b| a.0 < b.0);
        for (name, path) in entries {
            let Some(name) = name.to_str().map(str::to_owned) else {
                self.skip(&path, "file name is not valid UTF-8")?;
                continue;
            };
            if name == ".gitignore" {
                if let Ok(meta) = std::fs::metadata(&path) {
                    self.inputs.layout.walked.push((
                        relative_path(&self.root, &path),
                        crate::fingerprint::mtime_ns(&meta),
                    ));
                }
            }
            if name.starts_with('.') || name.ends_with('~') {
                continue;
            }
            // `metadata` follows symlinks; a file that vanished since `read_dir` is simply gone.
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !is_symlink(&path) => {
                    continue
                }
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
                let python = python || self.python.contains(&path);
                self.walk(&path, &rules.enter(&path), python)?;
            } else if meta.is_file() {
                let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
                if SKIPPED_EXTENSIONS.contains(&ext)
                    || (python && ext != "rs")
                    || rules.is_ignored(&path, false)
                {
                    continue;
                }
                if self.inputs.files.len() >= MAX_INPUT_FILES {
                    return Err(Error::at(
                        dir,
                        format!(
                            "more than {MAX_INPUT_FILES} input files; pyo3-guard stops here. \
                         Move generated or vendored trees out of `src/`, or git-ignore them"
                        ),
                    ));
                }
                self.push(path, &meta);
            }
        }
        Ok(())
    }

    fn skip(&mut self, path: &Path, why: &str) -> Result<()> {
        self.inputs
            .skipped
            .push(format!("skipped {}: {why}", path.display()));
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

/// `path` relative to `base`, `/`-separated, going up with `..` when it is not below `base`.
pub fn relative_path(base: &Path, path: &Path) -> String {
    let base: Vec<_> = base.components().collect();
    let path: Vec<_> = path.components().collect();
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// `path` with `.` and `..` components resolved lexically, `/`-separated.
pub fn normalize(path: &Path) -> String {
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
    if parts == [""] {
        "/".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_go_up_and_down() {
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/a/b/src/lib.rs")),
            "src/lib.rs"
        );
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/a/core/src/lib.rs")),
            "../core/src/lib.rs"
        );
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/x/y.rs")),
            "../../x/y.rs"
        );
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("/a/b/../../../x/y.rs")), "/x/y.rs");
        assert_eq!(normalize(Path::new("/a/./b/../c")), "/a/c");
    }
}
