//! What an interpreter would import, found without importing it: the interpreter is asked (in a
//! subprocess) only for `sys.path` and its import suffixes, and the search is done here, in
//! Python's own order. Calling `importlib.util.find_spec` on the package would run the package's
//! `__init__.py`, which in maturin's layout imports the extension itself.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the probe prints: `key NUL value NUL` pairs, lists as repeated keys, so any path (even
/// with newlines or undecodable bytes) comes through unchanged.
const PROBE: &str = r#"
import importlib.machinery as m, os, sys, sysconfig
def w(k, v):
    sys.stdout.buffer.write(k.encode() + b"\0" + os.fsencode(v) + b"\0")
w("version", "%d.%d.%d" % sys.version_info[:3])
w("executable", sys.executable)
w("cwd", os.getcwd())
for p in sys.path: w("path", p)
for s in m.EXTENSION_SUFFIXES: w("ext", s)
for s in m.SOURCE_SUFFIXES: w("source", s)
for s in m.BYTECODE_SUFFIXES: w("bytecode", s)
for k in ("purelib", "platlib"): w("site", sysconfig.get_paths()[k])
for f in sys.meta_path: w("finder", getattr(f, "__module__", "") + "." + getattr(f, "__qualname__", type(f).__qualname__))
"#;

/// Finders every CPython has (or that only defer to the others).
const STANDARD_FINDERS: [&str; 5] = [
    "_frozen_importlib.BuiltinImporter",
    "_frozen_importlib.FrozenImporter",
    "_frozen_importlib_external.PathFinder",
    "_distutils_hack.DistutilsMetaFinder",
    "_distutils_hack.DistutilsMetaFinder.DistutilsMetaFinder",
];

/// One interpreter's import settings.
#[derive(Debug, Clone, Default)]
pub struct Interpreter {
    /// The command it was run as.
    pub command: PathBuf,
    pub version: String,
    pub executable: PathBuf,
    /// The directory it was started in: what a `''` entry of `sys.path` means.
    pub cwd: PathBuf,
    /// `sys.path` as seen by `python -c` (so starting with `''` unless safe-path is on).
    pub sys_path: Vec<PathBuf>,
    pub extension_suffixes: Vec<String>,
    pub source_suffixes: Vec<String>,
    pub bytecode_suffixes: Vec<String>,
    /// The environment's site-packages directories.
    pub site: Vec<PathBuf>,
    /// `sys.meta_path` finders beyond the standard ones (an import hook may not follow sys.path).
    pub extra_finders: Vec<String>,
}

impl Interpreter {
    /// Runs `python` in `cwd` and reads its settings.
    pub fn probe(python: &Path, cwd: &Path) -> Result<Interpreter, String> {
        let output = Command::new(python)
            .arg("-c")
            .arg(PROBE)
            .current_dir(cwd)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().last().unwrap_or("no output");
            return Err(format!(
                "{} failed ({}): {last}",
                python.display(),
                output.status
            ));
        }
        let mut interp = Interpreter {
            command: python.to_path_buf(),
            ..Interpreter::default()
        };
        let mut fields = output.stdout.split(|&b| b == 0);
        while let (Some(key), Some(value)) = (fields.next(), fields.next()) {
            let text = || String::from_utf8_lossy(value).into_owned();
            let path = || PathBuf::from(os_string(value.to_vec()));
            match key {
                b"version" => interp.version = text(),
                b"executable" => interp.executable = path(),
                b"cwd" => interp.cwd = path(),
                b"path" => interp.sys_path.push(path()),
                b"ext" => interp.extension_suffixes.push(text()),
                b"source" => interp.source_suffixes.push(text()),
                b"bytecode" => interp.bytecode_suffixes.push(text()),
                b"site" => interp.site.push(path()),
                b"finder" if !STANDARD_FINDERS.contains(&text().as_str()) => {
                    interp.extra_finders.push(text())
                }
                _ => {}
            }
        }
        if interp.extension_suffixes.is_empty() {
            return Err(format!(
                "{} did not answer like a Python interpreter",
                python.display()
            ));
        }
        interp.site.dedup();
        Ok(interp)
    }

    /// The directory a `sys.path` entry stands for (`''` is the start directory).
    fn entry_dir(&self, entry: &Path) -> PathBuf {
        if entry.as_os_str().is_empty() {
            self.cwd.clone()
        } else {
            self.cwd.join(entry)
        }
    }
}

#[cfg(unix)]
fn os_string(bytes: Vec<u8>) -> OsString {
    std::os::unix::ffi::OsStringExt::from_vec(bytes)
}
#[cfg(not(unix))]
fn os_string(bytes: Vec<u8>) -> OsString {
    String::from_utf8_lossy(&bytes).into_owned().into()
}

/// What Python would find for the module at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The extension module itself.
    Extension,
    /// A Python file of the same name (`NAME.py`, `NAME.pyc`): imports instead of the extension.
    PythonModule,
    /// A package of the module's name with no extension module inside (`NAME/__init__.py`):
    /// imports instead of the extension, which is then missing.
    Package,
}

/// One thing that `import NAME` could load, in search order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: Kind,
    /// The file: the extension, the Python file, or the package's `__init__`.
    pub path: PathBuf,
    /// The `sys.path` entry it was found through, as written there.
    pub entry: PathBuf,
}

/// Everything `import` of the dotted `module` could load through `interp`'s `sys.path`, in the
/// order Python searches: entries in order; within one entry a package directory with an
/// `__init__` before module files; module files in `EXTENSION_SUFFIXES`, then source, then
/// bytecode order. A single-component name also finds maturin's pure-Rust layout, the package
/// `NAME/` holding `NAME/NAME.<suffix>`. The first candidate is what Python loads. The same
/// file reached through two entries is listed once.
pub fn candidates(interp: &Interpreter, module: &[String]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for entry in &interp.sys_path {
        let dir = interp.entry_dir(entry);
        if !dir.is_dir() {
            continue;
        }
        for (kind, path) in in_dir(interp, &dir, module, true) {
            let key = path.canonicalize().unwrap_or_else(|_| path.clone());
            if seen.insert(key) {
                out.push(Candidate {
                    kind,
                    path,
                    entry: entry.clone(),
                });
            }
        }
    }
    out
}

/// What `dir` holds for the dotted name `parts`, in the order Python's FileFinder tries.
fn in_dir(interp: &Interpreter, dir: &Path, parts: &[String], top: bool) -> Vec<(Kind, PathBuf)> {
    let Some((first, rest)) = parts.split_first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let package = dir.join(first);
    if let Some(init) = package_init(interp, &package) {
        let inside = if !rest.is_empty() {
            in_dir(interp, &package, rest, false)
        } else if top {
            // maturin's pure-Rust layout: the package's __init__.py imports `.NAME`.
            module_files(interp, &package, first)
                .into_iter()
                .filter(|(k, _)| *k == Kind::Extension)
                .collect()
        } else {
            Vec::new()
        };
        if inside.is_empty() {
            out.push((Kind::Package, init));
        } else {
            out.extend(inside);
        }
    }
    for (kind, path) in module_files(interp, dir, first) {
        // A module file stands for the extension only when it has the extension's full name.
        let kind = if rest.is_empty() {
            kind
        } else {
            Kind::PythonModule
        };
        out.push((kind, path));
    }
    out
}

/// `dir/NAME/__init__<suffix>`, the first that exists in loader order.
fn package_init(interp: &Interpreter, package: &Path) -> Option<PathBuf> {
    if !package.is_dir() {
        return None;
    }
    suffixes(interp)
        .map(|(_, s)| package.join(format!("__init__{s}")))
        .find(|p| p.is_file())
}

/// `dir/NAME<suffix>` files that exist, in loader order.
fn module_files(interp: &Interpreter, dir: &Path, name: &str) -> Vec<(Kind, PathBuf)> {
    suffixes(interp)
        .map(|(k, s)| (k, dir.join(format!("{name}{s}"))))
        .filter(|(_, p)| p.is_file())
        .collect()
}

/// Suffixes in the order of `importlib._bootstrap_external._get_supported_file_loaders`.
fn suffixes(interp: &Interpreter) -> impl Iterator<Item = (Kind, &String)> {
    let ext = interp
        .extension_suffixes
        .iter()
        .map(|s| (Kind::Extension, s));
    let py = interp
        .source_suffixes
        .iter()
        .chain(&interp.bytecode_suffixes)
        .map(|s| (Kind::PythonModule, s));
    ext.chain(py)
}

/// The interpreter doctor asks when none is named: the `.venv` of the project directory (where
/// pyproject.toml is) or of the nearest directory above it (a uv workspace keeps one at its
/// root), else `python3`.
pub fn default_python(project_dir: &Path) -> PathBuf {
    let inside = |dir: &Path| {
        let venv = dir.join(".venv");
        if cfg!(windows) {
            venv.join("Scripts").join("python.exe")
        } else {
            venv.join("bin").join("python")
        }
    };
    let found = project_dir
        .ancestors()
        .map(inside)
        .find(|python| python.is_file());
    found.unwrap_or_else(|| PathBuf::from(if cfg!(windows) { "python" } else { "python3" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interp(cwd: &Path, sys_path: &[&str]) -> Interpreter {
        Interpreter {
            cwd: cwd.to_path_buf(),
            sys_path: sys_path.iter().map(PathBuf::from).collect(),
            extension_suffixes: vec![
                ".cpython-311-x86_64-linux-gnu.so".into(),
                ".abi3.so".into(),
                ".so".into(),
            ],
            source_suffixes: vec![".py".into()],
            bytecode_suffixes: vec![".pyc".into()],
            ..Interpreter::default()
        }
    }

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"").unwrap();
    }

    fn found(list: &[Candidate], root: &Path) -> Vec<String> {
        list.iter()
            .map(|c| {
                format!(
                    "{:?} {}",
                    c.kind,
                    c.path.strip_prefix(root).unwrap().display()
                )
            })
            .collect()
    }

    #[test]
    fn search_order_follows_python() {
        let root = std::env::temp_dir().join(format!("pyo3-guard-cli-py-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        // The current directory: a leftover interpreter-specific build and a source tree.
        touch(&root, "cwd/demo.abi3.so");
        touch(&root, "cwd/demo.cpython-311-x86_64-linux-gnu.so");
        touch(&root, "cwd/src/lib.rs");
        // site-packages: maturin's pure-Rust layout, with a stray abi3 build beside the real one.
        touch(&root, "site/demo/__init__.py");
        touch(&root, "site/demo/demo.abi3.so");
        touch(&root, "site/demo/demo.cpython-311-x86_64-linux-gnu.so");
        // A namespace-only directory and a package without the extension, later on the path.
        std::fs::create_dir_all(root.join("ns/demo")).unwrap();
        touch(&root, "other/demo/__init__.py");
        let i = interp(
            &root.join("cwd"),
            &["", "../site", "../ns", "../site", "../other", "../missing"],
        );
        assert_eq!(
            found(&candidates(&i, &["demo".into()]), &root),
            [
                "Extension cwd/demo.cpython-311-x86_64-linux-gnu.so",
                "Extension cwd/demo.abi3.so",
                "Extension cwd/../site/demo/demo.cpython-311-x86_64-linux-gnu.so",
                "Extension cwd/../site/demo/demo.abi3.so",
                "Package cwd/../other/demo/__init__.py",
            ]
        );
        // Dotted names (mixed layout): the package first, a same-named module file is a shadow.
        touch(&root, "mixed/pkg/__init__.py");
        touch(&root, "mixed/pkg/_native.abi3.so");
        touch(&root, "early/pkg.py");
        let i = interp(&root, &["early", "mixed"]);
        assert_eq!(
            found(&candidates(&i, &["pkg".into(), "_native".into()]), &root),
            [
                "PythonModule early/pkg.py",
                "Extension mixed/pkg/_native.abi3.so"
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
