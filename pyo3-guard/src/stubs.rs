//! Type stubs (feature `stub-gen`): writes the `.pyi` files where maturin packs them, or checks
//! that the committed ones match the sources. Run through the user's one-line binary
//! `src/bin/stub_gen.rs` ([`stub_gen_main!`](crate::stub_gen_main)):
//!
//! ```text
//! cargo run --features stub-gen --bin stub_gen              # writes the stubs
//! cargo run --features stub-gen --bin stub_gen -- --check   # exit 1 and a diff when they differ
//! ```
//!
//! Where the stubs go, as maturin packs them:
//!
//! - the module name is maturin's (`[tool.maturin] module-name` > Cargo `[lib] name` >
//!   `[project] name` > package name, resolved by pyo3-guard-build), not only pyo3-stub-gen's
//!   own reading of pyproject.toml, which skips `[lib] name`;
//! - the pyproject.toml beside Cargo.toml, or the one above it whose `manifest-path` names it;
//! - pure Rust layout: `<module>.pyi` beside pyproject.toml (maturin installs it as
//!   `<module>/__init__.pyi` and adds `py.typed`); submodule stubs need the mixed layout;
//! - mixed layout (the module's package in `python-source`, or in `src/` as maturin finds it):
//!   `<python-source>/<pkg>/.../<module>/__init__.pyi`, one per registered submodule below it.
//!
//! The module's stub also declares `__build_id__`, `__build_info__` and `__guard__`, so typed
//! code may use them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use pyo3_stub_gen::pyproject::PyProject;
use pyo3_stub_gen::StubInfo;

/// What went wrong, said once.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The stubs of one module, gathered in the user's library crate (where the annotations'
/// registrations are linked).
pub type Gathered = Result<Stubs, Error>;

/// Every stub file of a module: path (absolute) to contents.
#[derive(Debug)]
pub struct Stubs {
    /// The crate directory (where Cargo.toml and pyproject.toml are).
    pub manifest_dir: PathBuf,
    /// Each file to write, with its contents.
    pub files: BTreeMap<PathBuf, String>,
}

/// Gathers the stubs of the crate in `manifest_dir`; `module_env` is pyo3-guard-build's
/// `PYO3_GUARD_MODULE_NAME` (`<last>;<full name> (<origin>)`), present in maturin projects.
pub fn gather(manifest_dir: &str, module_env: Option<&str>) -> Gathered {
    let manifest_dir = PathBuf::from(manifest_dir);
    // The pyproject.toml that builds the crate: beside it, or above it naming it with
    // `manifest-path` (maturin's rules, as the build script applies them).
    let canonical = manifest_dir
        .canonicalize()
        .unwrap_or_else(|_| manifest_dir.clone());
    let Some(found) = pyo3_guard_engine::layout::pyproject_for(&canonical) else {
        return Err(Error(format!(
            "no pyproject.toml builds the crate in {}: stubs go where maturin packs them, so the crate must be a maturin project",
            manifest_dir.display()
        )));
    };
    let pyproject = PyProject::parse_toml(&found.path)
        .map_err(|e| Error(format!("cannot read {}: {e:#}", found.path.display())))?;
    let module = match module_env {
        Some(value) => full_module_name(value),
        None => pyproject.module_name().to_owned(),
    };
    // Mixed layout: maturin's Python root holds the module's top package (also `src/` found
    // without `python-source`); pure layout: `<module>.pyi` beside pyproject.toml.
    let python_root = found.python_root();
    let mixed = python_root
        .join(module.split('.').next().unwrap_or_default())
        .is_dir();
    let root = if mixed {
        python_root
    } else {
        found.dir().to_path_buf()
    };
    let info = StubInfo::from_project_root(
        module.clone(),
        root.clone(),
        mixed,
        pyproject.stub_gen_config(),
    )
    .map_err(|e| Error(format!("cannot gather the stubs: {e:#}")))?;
    let files = render(&info, &module, &root, mixed)?;
    Ok(Stubs {
        manifest_dir,
        files,
    })
}

fn full_module_name(value: &str) -> String {
    let (last, origin) = value.split_once(';').unwrap_or((value, ""));
    origin
        .split_once(" (")
        .map_or(last, |(full, _)| full)
        .to_owned()
}

/// The files pyo3-stub-gen's `generate()` would write, in memory, plus the guard's names.
fn render(
    info: &StubInfo,
    module: &str,
    root: &Path,
    mixed: bool,
) -> Result<BTreeMap<PathBuf, String>, Error> {
    let normalized = |name: &str| name.replace('-', "_");
    let main = normalized(module);
    let modules: Vec<_> = info.modules.iter().filter(|(_, m)| !m.is_empty()).collect();
    if !mixed {
        if let Some((extra, _)) = modules.iter().find(|(name, _)| normalized(name) != main) {
            return Err(Error(format!(
                "`{extra}` is a submodule, but maturin's pure Rust layout packs one stub file, `{main}.pyi`: \
                 use the mixed layout (`python-source` in [tool.maturin]) for submodule stubs"
            )));
        }
    }
    let mut files = BTreeMap::new();
    for (name, stub) in modules {
        let name = normalized(name);
        if name != main && !name.starts_with(&format!("{main}.")) {
            return Err(Error(format!(
                "items are placed in module `{name}`, which is not `{main}` nor below it: remove its `module = \"...\"`"
            )));
        }
        let mut text = stub.format_with_config(info.config.use_type_statement);
        let dest = if mixed {
            root.join(name.replace('.', "/")).join("__init__.pyi")
        } else {
            root.join(format!("{main}.pyi"))
        };
        if name == main {
            text.push_str(GUARD_NAMES);
        }
        files.insert(dest, text);
    }
    let main_dest = if mixed {
        root.join(main.replace('.', "/")).join("__init__.pyi")
    } else {
        root.join(format!("{main}.pyi"))
    };
    // A module without stubbed items still gets its guard names.
    files.entry(main_dest).or_insert_with(|| {
        format!("# This file is automatically generated by pyo3_stub_gen\n{GUARD_NAMES}")
    });
    Ok(files)
}

/// The names pyo3-guard sets on the module at import, typed.
const GUARD_NAMES: &str = r#"
# Set by pyo3-guard when the module is imported.
import builtins as _builtins
import os as _os
import typing as _typing

class _Guard:
    StaleBuildError: _builtins.type[_builtins.Exception]
    MissingExportError: _builtins.type[_builtins.Exception]
    GuardError: _builtins.type[_builtins.Exception]
    def verify(self, source_root: _builtins.str | _os.PathLike[_builtins.str] | None = None) -> None: ...
    def check(
        self, source_root: _builtins.str | _os.PathLike[_builtins.str] | None = None
    ) -> _builtins.dict[_builtins.str, _typing.Any]: ...
    def pytest_sessionstart(self, session: _builtins.object) -> None: ...

__build_id__: _builtins.str
__build_info__: _builtins.dict[_builtins.str, _typing.Any]
__guard__: _Guard
"#;

/// What the binary was asked to do.
enum Mode {
    Write,
    Check,
}

/// The stub binary's `main`: `--check` compares, otherwise writes. Returns the exit status.
pub fn main(gather: fn() -> Gathered) -> i32 {
    let mut mode = Mode::Write;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "-h" | "--help" => {
                println!("usage: cargo run --features stub-gen --bin stub_gen [-- --check]\n");
                println!("Writes the module's .pyi files where maturin packs them; with --check, writes nothing");
                println!("and exits 1 with a diff when the files on disk differ from what the sources produce.");
                return 0;
            }
            other => {
                eprintln!("stub_gen: unknown argument `{other}`: the only option is --check");
                return 2;
            }
        }
    }
    let stubs = match gather() {
        Ok(stubs) => stubs,
        Err(err) => {
            eprintln!("stub_gen: {err}");
            return 1;
        }
    };
    match mode {
        Mode::Write => write(&stubs),
        Mode::Check => check(&stubs),
    }
}

fn shown<'a>(stubs: &Stubs, path: &'a Path) -> std::borrow::Cow<'a, str> {
    path.strip_prefix(&stubs.manifest_dir)
        .unwrap_or(path)
        .to_string_lossy()
}

fn write(stubs: &Stubs) -> i32 {
    for (path, text) in &stubs.files {
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(err) = result {
            eprintln!("stub_gen: cannot write {}: {err}", path.display());
            return 1;
        }
        println!("wrote {}", shown(stubs, path));
    }
    0
}

fn check(stubs: &Stubs) -> i32 {
    let mut differ = 0;
    for (path, expected) in &stubs.files {
        let name = shown(stubs, path);
        match std::fs::read_to_string(path) {
            Ok(actual) if actual == *expected => {}
            Ok(actual) => {
                differ += 1;
                println!("--- {name} (committed)\n+++ {name} (from the sources)");
                print!("{}", diff(&actual, expected));
            }
            Err(_) => {
                differ += 1;
                println!("missing: {name}");
            }
        }
    }
    if differ == 0 {
        println!(
            "stubs up to date: {}",
            stubs
                .files
                .keys()
                .map(|p| shown(stubs, p))
                .collect::<Vec<_>>()
                .join(", ")
        );
        0
    } else {
        eprintln!(
            "stub_gen: {differ} stub file(s) differ from the sources; regenerate with \
             `cargo run --features stub-gen --bin stub_gen` and commit them"
        );
        1
    }
}

/// A line diff (longest common subsequence), in unified style with three lines of context.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: length of the LCS of a[i..] and b[j..]
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new(); // (tag, line)
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    // Each change with three lines of context around it; "@@" where lines are left out.
    let mut shown = vec![false; ops.len()];
    for (k, _) in ops.iter().enumerate().filter(|(_, (tag, _))| *tag != ' ') {
        for flag in &mut shown[k.saturating_sub(3)..(k + 4).min(ops.len())] {
            *flag = true;
        }
    }
    let mut out = String::new();
    for (k, (tag, line)) in ops.iter().enumerate() {
        if !shown[k] {
            continue;
        }
        if k == 0 || !shown[k - 1] {
            out.push_str("@@\n");
        }
        out.push(*tag);
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_the_changed_line_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(diff(old, new), "@@\n b\n c\n d\n-e\n+E\n f\n g\n h\n");
        assert_eq!(diff("x\n", "x\n"), "");
        assert_eq!(diff("", "new\n"), "@@\n+new\n");
    }

    #[test]
    fn full_module_name_comes_from_the_origin() {
        assert_eq!(
            full_module_name("_native;pkg._native (`module-name` in pyproject.toml)"),
            "pkg._native"
        );
        assert_eq!(full_module_name("demo;demo (`[project] name`)"), "demo");
        assert_eq!(full_module_name("demo"), "demo");
    }
}
