//! maturin's view of a crate, by maturin's own rules (its `ProjectResolver`): which
//! pyproject.toml builds the crate, where the Python sources are, and which directories hold
//! Python packages. Read with the small TOML reader of [`crate::cache_keys`], so the run-time
//! check and the stub writer link no TOML crate.

use std::path::{Path, PathBuf};

use crate::cache_keys::strings_at;

/// A pyproject.toml and its text.
#[derive(Debug, Clone)]
pub struct Pyproject {
    /// Where the file is.
    pub path: PathBuf,
    /// Its whole text (read once; the engine scans it without a TOML parser).
    pub text: String,
}

impl Pyproject {
    /// The pyproject.toml at `path`, or `None` when it cannot be read.
    pub fn read(path: &Path) -> Option<Pyproject> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(Pyproject {
            path: path.to_path_buf(),
            text,
        })
    }

    /// The project directory: every path maturin reads from pyproject.toml is relative to it.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The first string at the dotted `key`.
    pub fn string(&self, key: &[&str]) -> Option<String> {
        strings_at(&self.text, key).into_iter().next()
    }

    /// `[project] name` as Python imports it (`my-project` → `my_project`).
    fn import_name(&self) -> Option<String> {
        self.string(&["project", "name"])
            .map(|name| name.replace('-', "_"))
    }

    /// The Cargo.toml maturin builds when it runs here: `[tool.maturin] manifest-path`, else
    /// `rust/Cargo.toml` when it exists and the Python sources are named (`python-source`, or
    /// a `src/<import name>/` directory), else the Cargo.toml beside pyproject.toml.
    pub fn cargo_manifest(&self) -> PathBuf {
        if let Some(path) = self.string(&["tool", "maturin", "manifest-path"]) {
            return self.dir().join(path);
        }
        let rust = self.dir().join("rust/Cargo.toml");
        let python_named = self.string(&["tool", "maturin", "python-source"]).is_some()
            || self
                .import_name()
                .is_some_and(|name| self.dir().join("src").join(name).is_dir());
        if rust.is_file() && python_named {
            return rust;
        }
        self.dir().join("Cargo.toml")
    }

    /// Where maturin looks for Python packages: `python-source`, else `src/` when it holds a
    /// package named like the project (maturin's src layout), else the project directory.
    pub fn python_root(&self) -> PathBuf {
        if let Some(source) = self.string(&["tool", "maturin", "python-source"]) {
            return self.dir().join(source);
        }
        match self.import_name() {
            Some(name) if self.dir().join("src").join(&name).is_dir() => self.dir().join("src"),
            _ => self.dir().to_path_buf(),
        }
    }

    /// The Python package directories maturin packs for the module `module` (dotted): the
    /// module's top-level package when it is a directory (the mixed layout), and each
    /// `python-packages` entry.
    pub fn python_packages(&self, module: &str) -> Vec<PathBuf> {
        let root = self.python_root();
        let top = module.split('.').next().unwrap_or(module);
        let extra = strings_at(&self.text, &["tool", "maturin", "python-packages", "[]"]);
        let mut dirs: Vec<PathBuf> = Vec::new();
        for dir in std::iter::once(top.to_owned())
            .chain(extra)
            .map(|p| root.join(p))
        {
            if dir.is_dir() && !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs
    }
}

/// maturin's layout for the module `module` (dotted, as maturin resolves it): mixed when the
/// Python root holds a folder named like the module's top package (the user's package, with
/// the extension inside it), pure Rust otherwise (maturin generates the package and its
/// `__init__.py`, which star-imports the extension). maturin's `ProjectLayout::determine`.
pub fn is_mixed(pyproject: &Pyproject, module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    !top.is_empty() && pyproject.python_root().join(top).is_dir()
}

/// The module a registered item names as its own (its `__module__`, the type name of a class
/// PyO3 would call `builtins.X`), for maturin's module `module`: where the item really is.
/// In the pure-Rust layout that is the generated package (`demo` around `demo.demo`), which
/// star-imports the extension; in the mixed layout the extension itself, by its full name
/// (`pkg.pkg` for a package folder named like it without `module-name`, else `pkg._native`),
/// never the user's package.
pub fn items_module(mixed: bool, module: &str) -> String {
    let last = module.rsplit('.').next().unwrap_or(module);
    match (mixed, module.contains('.')) {
        (false, _) => last.to_owned(),
        (true, true) => module.to_owned(),
        (true, false) => format!("{module}.{module}"),
    }
}

/// The pyproject.toml that builds the crate in `crate_dir` (canonical): the nearest one, in the
/// crate's directory or above it, whose [`Pyproject::cargo_manifest`] is this crate's
/// Cargo.toml. maturin started with `-m` may take any pyproject.toml above the crate; only one
/// that names the crate is sure, and a wrong one would fail the build (the module-name check).
pub fn pyproject_for(crate_dir: &Path) -> Option<Pyproject> {
    let manifest = crate_dir.join("Cargo.toml").canonicalize().ok()?;
    crate_dir
        .ancestors()
        .filter_map(|dir| Pyproject::read(&dir.join("pyproject.toml")))
        .find(|pyproject| {
            pyproject
                .cargo_manifest()
                .canonicalize()
                .is_ok_and(|m| m == manifest)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn finds_the_pyproject_that_builds_the_crate() {
        let tmp = std::env::temp_dir().join(format!("pyo3-guard-layout-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        // Beside Cargo.toml.
        write(&tmp.join("pure/Cargo.toml"), "");
        write(
            &tmp.join("pure/pyproject.toml"),
            "[project]\nname = \"pure\"\n",
        );
        // manifest-path, the crate in a subfolder; an unrelated pyproject.toml above both.
        write(&tmp.join("pyproject.toml"), "[project]\nname = \"other\"\n");
        write(
            &tmp.join("proj/pyproject.toml"),
            "[tool.maturin]\nmanifest-path = \"crates/py/Cargo.toml\"\n",
        );
        write(&tmp.join("proj/crates/py/Cargo.toml"), "");
        write(&tmp.join("proj/crates/other/Cargo.toml"), "");
        // maturin's `rust/` folder, found because src/<import name> holds the Python package.
        write(
            &tmp.join("srcl/pyproject.toml"),
            "[project]\nname = \"my-pkg\"\n",
        );
        write(&tmp.join("srcl/rust/Cargo.toml"), "");
        write(&tmp.join("srcl/src/my_pkg/__init__.py"), "");
        let tmp = tmp.canonicalize().unwrap();
        let found = |rel: &str| {
            pyproject_for(&tmp.join(rel)).map(|p| p.path.strip_prefix(&tmp).unwrap().to_owned())
        };
        assert_eq!(found("pure"), Some("pure/pyproject.toml".into()));
        assert_eq!(found("proj/crates/py"), Some("proj/pyproject.toml".into()));
        assert_eq!(found("proj/crates/other"), None);
        assert_eq!(found("srcl/rust"), Some("srcl/pyproject.toml".into()));
        let srcl = Pyproject::read(&tmp.join("srcl/pyproject.toml")).unwrap();
        assert_eq!(srcl.python_root(), tmp.join("srcl/src"));
        assert_eq!(
            srcl.python_packages("my_pkg._native"),
            [tmp.join("srcl/src/my_pkg")]
        );
        assert!(srcl.python_packages("other").is_empty());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn items_name_the_package_only_in_the_pure_layout() {
        let tmp = std::env::temp_dir().join(format!("pyo3-guard-layout-mx-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        write(&tmp.join("pyproject.toml"), "[project]\nname = \"pkg\"\n");
        let pyproject = Pyproject::read(&tmp.join("pyproject.toml")).unwrap();
        assert!(!is_mixed(&pyproject, "pkg"));
        write(&tmp.join("pkg/__init__.py"), "from .pkg import *\n");
        assert!(is_mixed(&pyproject, "pkg"));
        assert!(is_mixed(&pyproject, "pkg._native"));
        assert!(!is_mixed(&pyproject, "other._native"));
        assert_eq!(items_module(false, "demo"), "demo");
        assert_eq!(items_module(true, "pkg"), "pkg.pkg");
        assert_eq!(items_module(true, "pkg._native"), "pkg._native");
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn python_source_and_python_packages_are_relative_to_the_project() {
        let tmp = std::env::temp_dir().join(format!("pyo3-guard-layout-py-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let text = "[tool.maturin]\npython-source = \"src\"\nmodule-name = \"pkg._native\"\npython-packages = [\"helpers\", \"absent\"]\n";
        write(&tmp.join("pyproject.toml"), text);
        write(&tmp.join("src/pkg/__init__.py"), "");
        write(&tmp.join("src/helpers/__init__.py"), "");
        let pyproject = Pyproject::read(&tmp.join("pyproject.toml")).unwrap();
        assert_eq!(pyproject.python_root(), tmp.join("src"));
        assert_eq!(
            pyproject.python_packages("pkg._native"),
            [tmp.join("src/pkg"), tmp.join("src/helpers")]
        );
        assert_eq!(pyproject.cargo_manifest(), tmp.join("Cargo.toml"));
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
