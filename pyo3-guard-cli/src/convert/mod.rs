//! `pyo3-guard convert`: every edit of the README's quick start, made by the command.
//!
//! All edits are computed first, as the new text of each file; only when every one of them
//! could be computed is anything written, each file replaced atomically (a temporary file
//! beside it, then a rename). Edits are text replacements at syn's spans (Rust) or toml_edit's
//! (TOML), so comments and formatting stay. It follows `cargo fix`: a git work tree whose files
//! to edit have uncommitted changes is refused without `--allow-dirty`; `--dry-run` prints a
//! unified diff and writes nothing. A second run finds nothing to do and says so.
//!
//! - [`rust`]: prelude, `#[guarded_pymodule]`, add lines (kept, or deleted when asked),
//!   `#[guard(skip)]` ([`source`] holds a parsed file and its edits);
//! - [`manifest`]: Cargo.toml's dependencies, build.rs, the PyO3 version;
//! - [`python`]: `__init__.py`'s re-export, conftest.py's hook;
//! - [`diff`]: the dry run's diff;
//! - [`sources_only`]: the hidden `--sources-only` mode (PyO3's own tests, for
//!   scripts/pyo3-conformance) and the routing of explicit `#[pyo3::pyclass]` paths.

pub mod diff;
pub mod manifest;
pub mod python;
pub mod rust;
pub mod source;
pub mod sources_only;

use std::io::Write;
use std::path::{Path, PathBuf};

use pyo3_guard_engine::inputs::relative_path;
use pyo3_guard_engine::record::RecordedInput;

use crate::project::Project;

/// Where the pyo3-guard dependencies come from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// crates.io, this version.
    Version(String),
    /// A clone of the pyo3-guard repository (its root).
    Path(PathBuf),
    /// A git repository.
    Git(String),
}

pub struct Options {
    pub project: PathBuf,
    pub dry_run: bool,
    pub allow_dirty: bool,
    pub publish_all: bool,
    /// Delete the module function's add lines (registration then adds those items, in name
    /// order); kept by default, so `__all__` keeps its order.
    pub delete_add_lines: bool,
    pub source: Origin,
}

/// One file to write: its new text, and its old one (`None`: created).
pub struct FileEdit {
    pub path: PathBuf,
    pub old: Option<String>,
    pub new: String,
}

/// Everything the conversion would do.
pub struct Plan {
    /// Where paths in messages are relative to: the project directory (pyproject.toml's).
    pub dir: PathBuf,
    pub module: String,
    pub files: Vec<FileEdit>,
    /// What changed, one line per file.
    pub changes: Vec<String>,
    pub kept: Vec<String>,
    /// How many add lines stay in the module function (the default: not deleted).
    pub add_lines_kept: usize,
    pub unpublished: Vec<String>,
    pub top: String,
    /// The module was guarded already (an older conversion): only what was missing is added.
    pub converted_before: bool,
    pub next: Vec<String>,
}

/// Runs the command: 0 converted (or nothing to do), 1 not converted (nothing was written).
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let plan = match plan(opts) {
        Ok(plan) => plan,
        Err(e) => {
            let _ = writeln!(err, "pyo3-guard convert: {e}\nNothing was changed.");
            return 1;
        }
    };
    let dir = plan.dir.display();
    if plan.files.is_empty() {
        let _ = writeln!(
            out,
            "{dir}: converted already (#[guarded_pymodule] on `{}` at {}); nothing to do",
            plan.module, plan.top
        );
        return 0;
    }
    if opts.dry_run {
        for file in &plan.files {
            let rel = relative_path(&plan.dir, &file.path);
            let _ = write!(
                out,
                "{}",
                diff::unified(&rel, file.old.as_deref(), &file.new)
            );
        }
        let _ = writeln!(
            err,
            "pyo3-guard convert: {} file{} would change (--dry-run: nothing was written)",
            plan.files.len(),
            if plan.files.len() == 1 { "" } else { "s" }
        );
        return 0;
    }
    if let Err(e) = write_all(&plan, opts.allow_dirty) {
        let _ = writeln!(err, "pyo3-guard convert: {e}\nNothing was changed.");
        return 1;
    }
    let _ = write!(out, "{}", summary(&plan));
    0
}

/// The report after a conversion: what changed, what was kept, what is not published, next.
pub fn summary(plan: &Plan) -> String {
    let mut s = if plan.converted_before {
        format!(
            "Completed the conversion of {} (module {}, guarded already at {}); added what was missing:\n",
            plan.dir.display(),
            plan.module,
            plan.top
        )
    } else {
        format!(
            "Converted {} (module {}, top module at {}):\n",
            plan.dir.display(),
            plan.module,
            plan.top
        )
    };
    for change in &plan.changes {
        s.push_str(&format!("  {change}\n"));
    }
    if plan.add_lines_kept > 0 {
        let n = plan.add_lines_kept;
        s.push_str(&format!(
            "Kept {n} add line{} in the module function: its body adds those items in its own order, as PyO3 did, \
             so __all__ keeps its order (--delete-add-lines deletes them)\n",
            if n == 1 { "" } else { "s" }
        ));
    }
    if !plan.kept.is_empty() {
        s.push_str(
            "Kept in the module function (they do more than add an item that now adds itself):\n",
        );
        for kept in &plan.kept {
            s.push_str(&format!("  {kept}\n"));
        }
    }
    if !plan.unpublished.is_empty() {
        s.push_str(
            "Not published, as before (nothing added them), so marked #[guard(skip)]; delete a mark \
             to publish that item:\n",
        );
        for item in &plan.unpublished {
            s.push_str(&format!("  {item}\n"));
        }
    }
    s.push_str("Next:\n");
    for step in &plan.next {
        s.push_str(&format!("  {step}\n"));
    }
    s
}

/// Computes every edit; writes nothing.
pub fn plan(opts: &Options) -> Result<Plan, String> {
    if let Origin::Path(dir) = &opts.source {
        if !dir.join("pyo3-guard").join("Cargo.toml").is_file() {
            return Err(format!(
                "--path {}: not a clone of pyo3-guard (no pyo3-guard/Cargo.toml in it); name the clone's root",
                dir.display()
            ));
        }
    }
    let source = match &opts.source {
        Origin::Path(dir) => Origin::Path(dir.canonicalize().unwrap_or_else(|_| dir.clone())),
        other => other.clone(),
    };
    let project = Project::read_for(&opts.project, "convert")?;
    let crate_dir = project.root.clone();
    let dir = project.dir().to_path_buf();
    let module = project.module_name();
    let mut files: Vec<FileEdit> = Vec::new();
    let mut changes: Vec<String> = Vec::new();
    let rel_to_dir = |path: &Path| relative_path(&dir, path);

    // Cargo.toml: refuse what cannot be converted before anything else.
    let manifest_path = crate_dir.join("Cargo.toml");
    let manifest_rel = rel_to_dir(&manifest_path);
    let manifest_text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("{manifest_rel}: cannot read ({e})"))?;
    let manifest_doc = manifest::parse(&manifest_rel, &manifest_text)?;
    let lock = project
        .inputs
        .files
        .iter()
        .find(|f| f.rel.ends_with("Cargo.lock"))
        .map(|f| f.path.clone());
    manifest::check_pyo3(&manifest_rel, &manifest_doc, lock.as_deref())?;
    let (new_manifest, added) = manifest::add_dependencies(&manifest_rel, &manifest_text, &source)?;
    if !added.is_empty() {
        changes.push(format!("{manifest_rel}: {}", added.join(", ")));
        files.push(FileEdit {
            path: manifest_path,
            old: Some(manifest_text),
            new: new_manifest,
        });
    }
    let mut build_rs_created = None;
    if let Some((path, old, new)) = manifest::build_script(&crate_dir, &manifest_doc)? {
        let rel = rel_to_dir(&path);
        changes.push(match old {
            None => format!("{rel}: created, calling pyo3_guard_build::emit()"),
            Some(_) => format!("{rel}: pyo3_guard_build::emit() called first in fn main"),
        });
        if old.is_none() {
            build_rs_created = Some(relative_path(&crate_dir, &path));
        }
        files.push(FileEdit { path, old, new });
    }

    // The Rust sources.
    let root_crate = project
        .inputs
        .crates
        .first()
        .ok_or("the crate has no library target")?;
    let lib_dir = root_crate.lib.parent().unwrap_or(&crate_dir).to_path_buf();
    let other_crates: Vec<&Path> = project.inputs.crates[1..]
        .iter()
        .map(|c| c.dir.as_path())
        .filter(|d| *d != crate_dir)
        .collect();
    let sources: Vec<PathBuf> = project
        .inputs
        .files
        .iter()
        .map(|f| f.path.clone())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| p.starts_with(&lib_dir) && !other_crates.iter().any(|d| p.starts_with(d)))
        .collect();
    let top_name = project.module.last().cloned().unwrap_or_default();
    let package = project.inputs.package_name.clone().unwrap_or_default();
    let rust = rust::plan(
        &crate_dir,
        &root_crate.lib,
        &package,
        &top_name,
        &sources,
        opts.publish_all,
        opts.delete_add_lines,
    )?;
    let top = rel_to_dir(&crate_dir.join(&rust.top));
    for change in &rust.changes {
        // Rust paths are relative to the crate; say them relative to the project.
        let (file, what) = change.split_once(": ").unwrap_or((change, ""));
        changes.push(format!("{}: {what}", rel_to_dir(&crate_dir.join(file))));
    }
    let crate_rel = |s: &String| {
        let (file, rest) = s.split_once(':').unwrap_or((s, ""));
        format!("{}:{rest}", rel_to_dir(&crate_dir.join(file)))
    };
    let kept: Vec<String> = rust.kept.iter().map(crate_rel).collect();
    let mut unpublished = rust.unpublished.clone();
    unpublished.sort();
    let unpublished: Vec<String> = unpublished
        .iter()
        .map(|(_, line)| crate_rel(line))
        .collect();
    for source in &rust.sources {
        if source.is_edited() {
            files.push(FileEdit {
                path: source.path.clone(),
                old: Some(source.text.clone()),
                new: source.edited(),
            });
        }
    }

    // Python: the mixed layout's re-export, the pytest hook.
    let pyproject = project
        .pyproject
        .as_deref()
        .and_then(pyo3_guard_engine::layout::Pyproject::read);
    let extension = extension_path(pyproject.as_ref(), &project.module);
    if let (Some(pyproject), [package @ .., name]) = (&pyproject, extension.as_slice()) {
        if !package.is_empty() {
            let init = pyproject
                .python_root()
                .join(package.join("/"))
                .join("__init__.py");
            if let Ok(text) = std::fs::read_to_string(&init) {
                if let Some(new) = python::add_reexport(&text, &package.join("."), name) {
                    changes.push(format!(
                        "{}: the guard's names re-exported from {name}",
                        rel_to_dir(&init)
                    ));
                    files.push(FileEdit {
                        path: init,
                        old: Some(text),
                        new,
                    });
                }
            }
        }
    }
    // The hook imports the extension itself: in a mixed layout the package is the user's.
    let hook_module = extension.join(".");
    let tests_dir = python::tests_dir(&dir, &crate_dir);
    let conftest = tests_dir.join("conftest.py");
    let old_conftest = std::fs::read_to_string(&conftest).ok();
    // pytest loads the conftest.py of every folder from the project's down to the tests'.
    let hooked = tests_dir
        .ancestors()
        .take_while(|d| d.starts_with(&dir))
        .any(|d| {
            std::fs::read_to_string(d.join("conftest.py"))
                .is_ok_and(|text| python::add_hook(&text, &hook_module).is_none())
        });
    let hook = (!hooked)
        .then(|| python::add_hook(old_conftest.as_deref().unwrap_or(""), &hook_module))
        .flatten();
    if let Some(new) = hook {
        let created = if old_conftest.is_some() {
            ""
        } else {
            "created; "
        };
        changes.push(format!(
            "{}: {created}pytest_sessionstart checks the build before any test runs",
            rel_to_dir(&conftest)
        ));
        files.push(FileEdit {
            path: conftest,
            old: old_conftest,
            new,
        });
    }

    // pyproject.toml: the cache keys `doctor --fix` adds, for the inputs the converted build has.
    if let Some(pyproject) = project.pyproject.clone() {
        let globs = cache_key_globs(&project, build_rs_created.as_deref(), &source);
        let text = std::fs::read_to_string(&pyproject)
            .map_err(|e| format!("{}: cannot read ({e})", rel_to_dir(&pyproject)))?;
        let (new, added) = crate::fix::edit(&text, &globs)
            .map_err(|e| format!("{}: {e}", rel_to_dir(&pyproject)))?;
        if !added.is_empty() {
            changes.push(format!(
                "{}: [tool.uv] cache-keys: {} entries added (uv rebuilds when one of those files changes)",
                rel_to_dir(&pyproject),
                added.len()
            ));
            files.push(FileEdit {
                path: pyproject,
                old: Some(text),
                new,
            });
        }
    }

    // Nothing but the config files left to do on a converted project is still a conversion
    // (an older pyo3-guard's); a project whose module is guarded and has all of it is done.
    files.retain(|f| f.old.as_deref() != Some(f.new.as_str()));
    let next = next_steps(&dir, &project, &tests_dir);
    Ok(Plan {
        dir,
        module,
        files,
        changes,
        kept,
        add_lines_kept: rust.add_lines_kept,
        unpublished,
        top,
        converted_before: rust.converted_before,
        next,
    })
}

/// The extension module's full dotted path: the module maturin builds, inside the package of
/// that name when the project's Python sources hold one (maturin's mixed layout without
/// `module-name`: the package `pkg/` beside the crate, the extension `pkg.pkg`).
fn extension_path(
    pyproject: Option<&pyo3_guard_engine::layout::Pyproject>,
    module: &[String],
) -> Vec<String> {
    match (pyproject, module) {
        (Some(pyproject), [name])
            if pyproject
                .python_root()
                .join(name)
                .join("__init__.py")
                .is_file() =>
        {
            vec![name.clone(), name.clone()]
        }
        _ => module.to_vec(),
    }
}

/// What `doctor --fix` would list for the converted build: the inputs now, plus a build.rs
/// about to be created and, with `--path`, the sources of the pyo3-guard crates it will build.
fn cache_key_globs(project: &Project, build_rs: Option<&str>, source: &Origin) -> Vec<String> {
    let mut record = project.current_record();
    let input = |rel: String| RecordedInput {
        rel,
        size: 0,
        mtime_ns: 0,
        hash: String::new(),
    };
    if let Some(rel) = build_rs {
        record.inputs.push(input(rel.to_owned()));
    }
    // The first build writes the lock file (beside the crate, outside a workspace).
    if !record.inputs.iter().any(|i| i.rel.ends_with("Cargo.lock")) {
        record.inputs.push(input("Cargo.lock".to_owned()));
    }
    if let Origin::Path(dir) = source {
        for krate in ["pyo3-guard", "pyo3-guard-build"] {
            if let Ok(found) = pyo3_guard_build::discover::discover(&dir.join(krate)) {
                // A path dependency's lock file is not the build's: the root package's is.
                for file in found
                    .files
                    .iter()
                    .filter(|f| !f.rel.ends_with("Cargo.lock"))
                {
                    record
                        .inputs
                        .push(input(relative_path(&project.root, &file.path)));
                }
            }
        }
    }
    pyo3_guard_engine::diagnose::cache_key_globs(Some(&project.root), &record)
}

/// The commands that build and test the converted project, for its layout.
fn next_steps(dir: &Path, project: &Project, tests_dir: &Path) -> Vec<String> {
    let pyproject = project
        .pyproject
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    // What `uv init` leaves (not [tool.uv]: the conversion adds that itself).
    let uses_uv = dir.join("uv.lock").is_file()
        || dir.join(".python-version").is_file()
        || pyproject.contains("[dependency-groups]");
    let tests = relative_path(dir, tests_dir);
    let pytest = if tests.is_empty() || tests == "." {
        "pytest".to_owned()
    } else {
        format!("pytest {tests}")
    };
    let mut steps = Vec::new();
    let has_pytest = pyproject.contains("pytest");
    if uses_uv {
        if !has_pytest {
            steps.push("uv add --dev pytest".to_owned());
        }
        steps.push(format!(
            "uv run {pytest}   # builds and installs the converted module first"
        ));
    } else {
        steps
            .push("maturin develop   # builds the converted module into the virtualenv".to_owned());
        steps.push(pytest);
    }
    steps
        .push("pyo3-guard doctor   # which build Python loads, and whether it is fresh".to_owned());
    steps
}

/// Writes every file: refuses uncommitted changes in git first (unless allowed) and any file
/// that cannot be written, then writes each new text to a temporary file beside it and renames
/// them all into place.
fn write_all(plan: &Plan, allow_dirty: bool) -> Result<(), String> {
    if !allow_dirty {
        let dirty = dirty_files(&plan.dir, &plan.files);
        if !dirty.is_empty() {
            return Err(format!(
                "these files have uncommitted changes, which the conversion would mix with its own: {}; \
                 commit or stash them first, or pass --allow-dirty (see the edits first with --dry-run)",
                dirty.join(", ")
            ));
        }
    }
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf)]| {
        for (temp, _) in staged {
            let _ = std::fs::remove_file(temp);
        }
    };
    for file in &plan.files {
        let rel = relative_path(&plan.dir, &file.path);
        let not_writable = |why: String| {
            format!("{rel}: cannot be written ({why}); make it writable, then convert again")
        };
        if let Ok(meta) = std::fs::metadata(&file.path) {
            if meta.permissions().readonly() {
                cleanup(&staged);
                return Err(not_writable("read-only".into()));
            }
        }
        let parent = file.path.parent().unwrap_or(Path::new("."));
        if let Err(e) = std::fs::create_dir_all(parent) {
            cleanup(&staged);
            return Err(not_writable(e.to_string()));
        }
        let name = file.path.file_name().unwrap_or_default().to_string_lossy();
        let temp = parent.join(format!(".{name}.pyo3-guard-convert"));
        let written = std::fs::write(&temp, &file.new).and_then(|()| {
            // The new file keeps the old one's permissions.
            match std::fs::metadata(&file.path) {
                Ok(meta) => std::fs::set_permissions(&temp, meta.permissions()),
                Err(_) => Ok(()),
            }
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            cleanup(&staged);
            return Err(not_writable(e.to_string()));
        }
        staged.push((temp, file.path.clone()));
    }
    for (temp, path) in &staged {
        std::fs::rename(temp, path)
            .map_err(|e| format!("{}: cannot be replaced ({e})", path.display()))?;
    }
    Ok(())
}

/// The files to edit that git says have uncommitted changes (untracked ones too); none outside
/// a git work tree, or without git.
fn dirty_files(dir: &Path, files: &[FileEdit]) -> Vec<String> {
    let inside = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"true"));
    if !inside {
        return Vec::new();
    }
    let mut dirty = Vec::new();
    for file in files.iter().filter(|f| f.old.is_some()) {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["status", "--porcelain", "--"])
            .arg(&file.path)
            .output();
        if status.is_ok_and(|o| !o.stdout.is_empty()) {
            dirty.push(relative_path(dir, &file.path));
        }
    }
    dirty
}
