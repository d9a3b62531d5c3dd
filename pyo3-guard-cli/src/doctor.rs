//! `pyo3-guard doctor`: which build of the project's module Python loads, whether it is fresh,
//! and, when it is not, why and what to do. Gathers the findings here; `report.rs` prints them.

use std::io::Write;
use std::path::{Path, PathBuf};

use pyo3_guard_engine::check::{check, Report, Verdict};
use pyo3_guard_engine::diagnose::{
    diagnose, failure_lines, in_dir, missing_cache_keys, shell_quote, Diagnosis, Installation,
    PythonEnv, Rebuild,
};
use pyo3_guard_engine::record::Record;

use crate::fix;
use crate::inspect;
use crate::project::Project;
use crate::python::{self, Candidate, Interpreter, Kind};
use crate::report;
use crate::term::{show, Style};

/// Exit status: Python loads a build of the sources on disk, and nothing shadows it.
pub const EXIT_FRESH: i32 = 0;
/// Exit status: Python loads a stale build, or a file that shadows the installed module.
pub const EXIT_STALE: i32 = 1;
/// Exit status: could not tell (the reason is printed).
pub const EXIT_UNKNOWN: i32 = 2;

/// How many built wheels the report lists (newest first); older ones are only counted.
const WHEELS_LISTED: usize = 2;

/// What `pyo3-guard doctor` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub project: PathBuf,
    pub python: Option<PathBuf>,
    pub fix: bool,
    /// The findings as one JSON object instead of the report.
    pub json: bool,
    /// Run the rebuild the fix names when Python loads a stale build, then check again.
    pub rebuild: bool,
    /// Where Python is assumed to start (the `''` entry of `sys.path`): the current directory.
    pub cwd: PathBuf,
}

/// One copy of the module: a file Python finds on `sys.path`, or an extension in a built wheel.
#[derive(Debug)]
pub struct Copy {
    /// What Python finds there (`Kind::Extension` for wheels).
    pub kind: Kind,
    pub path: PathBuf,
    /// The wheel member, for a wheel.
    pub member: Option<String>,
    /// The `sys.path` entry it is found through (none for a wheel).
    pub entry: Option<PathBuf>,
    /// The build record, or why there is none.
    pub record: Result<Record, String>,
    /// The comparison with the sources on disk, when there is a record.
    pub report: Option<Report>,
    /// The distribution that installed it, if any.
    pub installation: Installation,
}

impl Copy {
    fn of_candidate(candidate: Candidate, project: &Project, python: &PythonEnv) -> Copy {
        let record = match candidate.kind {
            Kind::Extension => std::fs::read(&candidate.path)
                .map_err(|e| format!("cannot read ({e})"))
                .and_then(|bytes| inspect::record_in_binary(&bytes)),
            Kind::PythonModule => Err("a Python file, not the extension module".into()),
            Kind::Package => Err("a package without the extension module in it".into()),
        };
        let installation =
            Installation::find(&candidate.path, Some(project.dir()), &python.site_dirs);
        Copy::new(
            candidate.kind,
            candidate.path,
            None,
            Some(candidate.entry),
            record,
            installation,
            project,
        )
    }

    fn new(
        kind: Kind,
        path: PathBuf,
        member: Option<String>,
        entry: Option<PathBuf>,
        record: Result<Record, String>,
        installation: Installation,
        project: &Project,
    ) -> Copy {
        let report = record.as_ref().ok().map(|r| check(r, Some(&project.root)));
        Copy {
            kind,
            path,
            member,
            entry,
            record,
            report,
            installation,
        }
    }

    /// fresh, stale or unverifiable; `None` without a record.
    pub fn verdict(&self) -> Option<Verdict> {
        self.report.as_ref().map(|r| r.verdict)
    }

    pub fn installed(&self) -> bool {
        self.installation.dist_info.is_some()
    }
}

/// The answer, in one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Fresh,
    Stale,
    /// The file Python loads is not the installed module, which it hides.
    Shadowed,
    /// Could not tell, and why.
    Unknown(String),
}

impl Outcome {
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Fresh => EXIT_FRESH,
            Outcome::Stale | Outcome::Shadowed => EXIT_STALE,
            Outcome::Unknown(_) => EXIT_UNKNOWN,
        }
    }
}

/// Everything doctor found.
pub struct Findings {
    pub project: Project,
    pub interp: Interpreter,
    /// Every copy on `sys.path`, in search order: the first is what Python loads.
    pub copies: Vec<Copy>,
    /// Built wheels of this project, newest first (the newest two).
    pub wheels: Vec<Copy>,
    pub older_wheels: usize,
    pub outcome: Outcome,
    pub cause: Option<String>,
    pub fixes: Vec<String>,
    pub notes: Vec<String>,
    /// The engine's diagnosis of the stale copy Python loads (or of the installed copy a stale
    /// build hides): what `--rebuild` runs.
    pub diagnosis: Option<Diagnosis>,
}

/// The interpreter's environment as the engine's diagnosis needs it.
pub fn python_env(interp: &Interpreter) -> PythonEnv {
    let venv = interp
        .executable
        .parent()
        .and_then(Path::parent)
        .filter(|dir| dir.join("pyvenv.cfg").is_file())
        .map(Path::to_path_buf);
    let mut site_dirs = interp.site.clone();
    site_dirs.extend(
        interp
            .sys_path
            .iter()
            .filter(|p| !p.as_os_str().is_empty())
            .cloned(),
    );
    PythonEnv {
        executable: Some(interp.executable.clone()),
        venv,
        site_dirs,
    }
}

/// Runs doctor: prints the report to `out` (errors that stop it to `err`) and returns the exit
/// status.
pub fn run(opts: &Options, out: &mut dyn Write, err: &mut dyn Write, style: Style) -> i32 {
    // Before there are findings, a failure is one line on stderr (and, with --json, an object
    // saying so, and what --fix did, on stdout: a script always gets one).
    let cannot_tell =
        |out: &mut dyn Write, err: &mut dyn Write, why: String, fixed: Option<&Fixed>| {
            let _ = writeln!(err, "pyo3-guard doctor: cannot tell: {why}");
            if opts.json {
                let _ = writeln!(out, "{}", report::json_unknown(&why, fixed));
            }
            EXIT_UNKNOWN
        };
    let project = match Project::read(&opts.project) {
        Ok(project) => project,
        Err(e) => return cannot_tell(out, err, e, None),
    };
    let fixed = opts.fix.then(|| apply_fix(&project));
    if let (Some(fixed), false) = (&fixed, opts.json) {
        let _ = write!(out, "{}", report::fix_lines(fixed, style));
    }
    let python = opts
        .python
        .clone()
        .unwrap_or_else(|| python::default_python(project.dir()));
    let interp = match Interpreter::probe(&python, &opts.cwd) {
        Ok(interp) => interp,
        Err(e) => return cannot_tell(out, err, e, fixed.as_ref()),
    };
    let mut findings = gather(project, interp);
    if opts.rebuild && findings.outcome == Outcome::Stale {
        if !opts.json {
            let _ = write!(out, "{}", report::format(&findings, &opts.cwd, style));
        }
        let rebuilt = findings.diagnosis.as_ref().map(|d| d.rebuild.clone());
        match rebuilt.unwrap_or_else(|| Err("nothing to rebuild".into())) {
            Err(why) => {
                let _ = writeln!(err, "pyo3-guard doctor --rebuild: not rebuilt: {why}");
                return findings.outcome.exit_code();
            }
            Ok(rebuild) => {
                if let Err(why) = run_rebuild(&rebuild, err) {
                    let _ = writeln!(
                        err,
                        "pyo3-guard doctor --rebuild: `{}` {why}",
                        rebuild.shown
                    );
                    return findings.outcome.exit_code();
                }
            }
        }
        // Check again, as a new interpreter would see it.
        let project = match Project::read(&opts.project) {
            Ok(project) => project,
            Err(e) => return cannot_tell(out, err, e, None),
        };
        let interp = match Interpreter::probe(&python, &opts.cwd) {
            Ok(interp) => interp,
            Err(e) => return cannot_tell(out, err, e, None),
        };
        findings = gather(project, interp);
        if !opts.json {
            let _ = writeln!(out, "after the rebuild:");
        }
    }
    if opts.json {
        let _ = writeln!(out, "{}", report::json(&findings, fixed.as_ref()));
    } else {
        let _ = write!(out, "{}", report::format(&findings, &opts.cwd, style));
    }
    findings.outcome.exit_code()
}

/// `--rebuild`: runs `rebuild` under the environment's rebuild lock (the one heal takes), its
/// output kept and shown only when it fails. Progress and time go to `err`.
fn run_rebuild(rebuild: &Rebuild, err: &mut dyn Write) -> Result<(), String> {
    let lock_path = rebuild.lock_path();
    if let Some(dir) = lock_path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&lock_path)
        .map_err(|e| {
            format!(
                "not run: cannot open the lock {} ({e})",
                lock_path.display()
            )
        })?;
    if lock.try_lock().is_err() {
        let _ = writeln!(
            err,
            "pyo3-guard doctor --rebuild: waiting for another rebuild (lock {})",
            lock_path.display()
        );
        lock.lock()
            .map_err(|e| format!("not run: cannot lock {} ({e})", lock_path.display()))?;
    }
    let _ = writeln!(
        err,
        "pyo3-guard doctor --rebuild: running {}",
        rebuild.shown
    );
    let started = std::time::Instant::now();
    let output = rebuild
        .command()
        .output()
        .map_err(|e| rebuild.spawn_error(&e))?;
    drop(lock);
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).into_owned()
            + &String::from_utf8_lossy(&output.stdout);
        return Err(format!(
            "failed ({}). Its output:\n{}",
            output.status,
            failure_lines(&text)
        ));
    }
    let _ = writeln!(
        err,
        "pyo3-guard doctor --rebuild: rebuilt in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What `--fix` did: the cache-key entries added (none when all were there), or why not.
pub type Fixed = Result<Vec<String>, String>;

/// `--fix`: the cache-key entries added to pyproject.toml (none when all were there).
pub fn apply_fix(project: &Project) -> Fixed {
    let Some(pyproject) = project.pyproject.as_deref() else {
        return Err(format!(
            "{}: no pyproject.toml builds this crate; nothing to fix",
            project.root.display()
        ));
    };
    let globs = pyo3_guard_engine::diagnose::cache_key_globs(
        Some(&project.root),
        &project.current_record(),
    );
    fix::add_cache_keys(pyproject, &globs)
}

/// Looks at every copy and decides.
pub fn gather(project: Project, interp: Interpreter) -> Findings {
    let python = python_env(&interp);
    let copies: Vec<Copy> = python::candidates(&interp, &project.module)
        .into_iter()
        .map(|c| Copy::of_candidate(c, &project, &python))
        .collect();
    let mut wheels = Vec::new();
    let mut older_wheels = 0;
    let module = project.module_name();
    for path in project.wheels() {
        let Some(copy) = wheel_copy(&path, &module, &project) else {
            continue;
        };
        if wheels.len() < WHEELS_LISTED {
            wheels.push(copy);
        } else {
            older_wheels += 1;
        }
    }
    let mut findings = Findings {
        project,
        interp,
        copies,
        wheels,
        older_wheels,
        outcome: Outcome::Fresh,
        cause: None,
        fixes: Vec::new(),
        notes: Vec::new(),
        diagnosis: None,
    };
    decide(&mut findings);
    findings
}

/// The copy of the module in a built wheel, when the wheel was built from this project.
fn wheel_copy(path: &Path, module: &str, project: &Project) -> Option<Copy> {
    let (member, record) = match inspect::read(path) {
        Ok(found) => {
            let found = found
                .iter()
                .find(|f| f.record.module_name.as_deref() == Some(module))
                .or(found.first())?
                .clone();
            let root = found
                .record
                .source_root
                .as_deref()
                .map(|r| Path::new(r).canonicalize().unwrap_or_else(|_| r.into()));
            if root.is_some_and(|r| r != project.root) {
                return None; // built from another checkout sharing the target dir
            }
            (found.member, Ok(found.record))
        }
        Err(e) => (
            None,
            Err(e
                .rsplit_once(": ")
                .map_or(e.clone(), |(_, why)| why.to_owned())),
        ),
    };
    Some(Copy::new(
        Kind::Extension,
        path.to_path_buf(),
        member,
        None,
        record,
        Installation::default(),
        project,
    ))
}

fn decide(f: &mut Findings) {
    let name = f.project.module_name();
    if !f.interp.extra_finders.is_empty() {
        f.notes.push(format!(
            "sys.path is not the whole story here: import hooks on sys.meta_path ({}) may load something else",
            f.interp.extra_finders.join(", ")
        ));
    }
    let Some(loaded) = f.copies.first() else {
        f.outcome = Outcome::Unknown(format!(
            "{} finds no module {name} on sys.path: it is not installed there",
            f.interp.command.display()
        ));
        let wheel = f
            .wheels
            .iter()
            .find(|w| w.verdict() == Some(Verdict::Fresh))
            .map(|w| w.path.to_string_lossy().into_owned());
        f.fixes.push(format!(
            "install it: {}",
            in_dir(f.project.dir(), "maturin develop")
        ));
        if let Some(wheel) = wheel {
            let python = shell_quote(&f.interp.command.to_string_lossy());
            f.fixes.push(format!(
                "or install the fresh wheel: uv pip install --python {python} {}",
                shell_quote(&wheel)
            ));
        }
        return;
    };
    let installed = f
        .copies
        .iter()
        .position(|c| c.kind == Kind::Extension && c.installed());
    let shadows_installed = installed.is_some_and(|i| i > 0) && !loaded.installed();
    if loaded.kind != Kind::Extension && !f.copies.iter().any(|c| c.kind == Kind::Extension) {
        f.outcome = Outcome::Unknown(format!(
            "{} finds {} for {name}, and no extension module",
            f.interp.command.display(),
            loaded.path.display()
        ));
        f.fixes.push(format!(
            "build it: {}",
            in_dir(f.project.dir(), "maturin develop")
        ));
        return;
    }
    if loaded.kind != Kind::Extension || shadows_installed {
        let hidden = installed.or_else(|| f.copies.iter().position(|c| c.kind == Kind::Extension));
        shadowed(f, hidden.unwrap_or(1));
        return;
    }
    match (&loaded.record, loaded.verdict()) {
        (Ok(_), Some(Verdict::Fresh)) => {
            f.outcome = Outcome::Fresh;
            fresh_hints(f);
        }
        (Ok(record), Some(Verdict::Stale)) => {
            f.outcome = Outcome::Stale;
            let diagnosis = diagnose_copy(&f.interp, record, loaded);
            let (cause, fixes) = stale_fixes(&f.project, record, loaded, &diagnosis);
            f.cause = cause;
            f.fixes = fixes;
            f.diagnosis = Some(diagnosis);
        }
        (Ok(_), _) => {
            let notes = loaded
                .report
                .as_ref()
                .map(|r| r.notes.join("; "))
                .unwrap_or_default();
            f.outcome =
                Outcome::Unknown(format!("the build Python loads is unverifiable: {notes}"));
        }
        (Err(why), _) => {
            f.outcome = Outcome::Unknown(format!(
                "the file Python loads has no build record to compare: {why}"
            ));
            f.fixes.push(format!(
                "build it with pyo3-guard (pyo3_guard_build::emit() in build.rs), then: {}",
                in_dir(f.project.dir(), "maturin develop")
            ));
        }
    }
}

/// The loaded file hides the installed module (or, for a Python file or package, the extension).
fn shadowed(f: &mut Findings, hidden: usize) {
    f.outcome = Outcome::Shadowed;
    let loaded = &f.copies[0];
    let Some(other) = f.copies.get(hidden) else {
        return;
    };
    let what = match loaded.kind {
        Kind::Extension => "a build no installed distribution owns",
        Kind::PythonModule => "a Python file of the same name",
        Kind::Package => "a package of the same name without the extension",
    };
    let (loaded_dir, other_dir) = (loaded.path.parent(), other.path.parent());
    let why = if loaded_dir == other_dir {
        "its suffix comes first in importlib.machinery.EXTENSION_SUFFIXES".to_owned()
    } else if loaded
        .entry
        .as_ref()
        .is_some_and(|e| e.as_os_str().is_empty())
    {
        "the current directory ('' on sys.path) is searched before site-packages".to_owned()
    } else {
        let entry = loaded
            .entry
            .as_deref()
            .map(|e| e.display().to_string())
            .unwrap_or_default();
        format!("its sys.path entry {entry} comes first")
    };
    let cwd = &f.interp.cwd;
    f.cause = Some(format!(
        "Python loads {} ({what}), not {}: {why}",
        show(&loaded.path, cwd),
        show(&other.path, cwd)
    ));
    let remove = match loaded.kind {
        Kind::Package => format!(
            "rm -r {}",
            shell_quote(
                &loaded
                    .path
                    .parent()
                    .unwrap_or(&loaded.path)
                    .to_string_lossy()
            )
        ),
        _ => format!("rm {}", shell_quote(&loaded.path.to_string_lossy())),
    };
    f.fixes.push(format!("remove it: {remove}"));
    if let (Ok(record), Some(Verdict::Stale)) = (&other.record, other.verdict()) {
        let diagnosis = diagnose_copy(&f.interp, record, other);
        let (_, fixes) = stale_fixes(&f.project, record, other, &diagnosis);
        f.fixes.extend(
            fixes
                .into_iter()
                .map(|fix| format!("then, as the installed build is stale too: {fix}"))
                .take(1),
        );
    }
}

/// The engine's diagnosis of a stale copy, in the interpreter doctor asks.
fn diagnose_copy(interp: &Interpreter, record: &Record, copy: &Copy) -> Diagnosis {
    match &copy.report {
        Some(report) => diagnose(record, report, Some(&copy.path), &python_env(interp)),
        None => Diagnosis::default(),
    }
}

/// Cause and fixes for a stale copy: the engine's diagnosis, plus what only a project view adds.
fn stale_fixes(
    project: &Project,
    record: &Record,
    copy: &Copy,
    diagnosis: &Diagnosis,
) -> (Option<String>, Vec<String>) {
    let mut fixes: Vec<String> = diagnosis
        .fixes
        .iter()
        .filter(|fix| !fix.starts_with("restart Python")) // doctor runs outside Python
        .map(|fix| {
            fix.replacen(
                "; in pyproject.toml:",
                "; in pyproject.toml (`pyo3-guard doctor --fix` adds them):",
                1,
            )
        })
        .collect();
    if let Some(first) = fixes.first_mut().filter(|fix| fix.starts_with("or ")) {
        first.replace_range(..3, ""); // the cache keys it was the alternative to are there already
    }
    let ins = &copy.installation;
    if ins.built_by_uv
        && ins.editable
        && record.profile == "release"
        && !has_editable_profile(project.dir())
    {
        fixes.push(
            "optional: let uv's editable builds be dev builds like `maturin develop`'s (quicker to rebuild); \
             in pyproject.toml:\n    [tool.maturin]\n    editable-profile = \"dev\""
                .into(),
        );
    }
    (diagnosis.cause.clone(), fixes)
}

fn has_editable_profile(root: &Path) -> bool {
    let text = std::fs::read_to_string(root.join("pyproject.toml")).unwrap_or_default();
    let doc = text.parse::<toml_edit::DocumentMut>().ok();
    doc.as_ref()
        .and_then(|d| d.get("tool")?.get("maturin")?.get("editable-profile"))
        .is_some()
}

/// A fresh build that uv would replace on the next `uv run` after an edit deserves one line.
fn fresh_hints(f: &mut Findings) {
    let loaded = &f.copies[0];
    let uv_in_use = loaded.installation.installer.as_deref() == Some("uv")
        || f.project.dir().join("uv.lock").is_file();
    if uv_in_use && missing_cache_keys(&f.project.root, &f.project.current_record()).is_some() {
        f.notes.push(
            "pyproject.toml has no [tool.uv] cache-keys for the Rust sources: after an edit, `uv run` reinstalls \
             an old cached build (`pyo3-guard doctor --fix` adds them)"
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyo3_guard_engine::record::RecordedInput;

    fn write(path: &Path, content: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// A binary holding `record`, as the build embeds it.
    fn binary(record: &Record) -> Vec<u8> {
        let mut bytes = b"\x7fELF".to_vec();
        bytes.extend(record.to_bytes());
        bytes
    }

    /// `gather` on the test's project, without the wheels of other `demo` builds that a shared
    /// CARGO_TARGET_DIR may hold.
    fn gather_here(tmp: &Path, interp: Interpreter) -> Findings {
        let mut findings = gather(Project::read(&tmp.join("proj")).unwrap(), interp);
        findings.wheels.clear();
        findings.older_wheels = 0;
        findings
    }

    #[test]
    fn a_stray_build_first_in_suffix_order_shadows_the_installed_one_and_removing_it_fixes_that() {
        let tmp =
            std::env::temp_dir().join(format!("pyo3-guard-cli-doctor-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        write(
            &tmp.join("proj/Cargo.toml"),
            b"[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
        );
        write(&tmp.join("proj/src/lib.rs"), b"// demo\n");
        write(
            &tmp.join("proj/pyproject.toml"),
            b"[project]\nname = \"demo\"\n",
        );
        let project = Project::read(&tmp.join("proj")).unwrap();
        let tmp = tmp.canonicalize().unwrap();
        assert_eq!(project.module, ["demo"]);

        let fresh = Record {
            build_id: "feedfacefeedface".into(),
            profile: "dev".into(),
            module_name: Some("demo".into()),
            ..project.current_record()
        };
        let mut stale = Record {
            build_id: "0badc0de0badc0de".into(),
            ..fresh.clone()
        };
        let lib = stale
            .inputs
            .iter_mut()
            .find(|i| i.rel == "src/lib.rs")
            .unwrap();
        *lib = RecordedInput {
            rel: lib.rel.clone(),
            size: 1,
            mtime_ns: 1,
            hash: "00".into(),
        };
        let site = tmp.join("site");
        write(&site.join("demo/__init__.py"), b"from .demo import *\n");
        write(&site.join("demo/demo.abi3.so"), &binary(&fresh));
        write(
            &site.join("demo-0.1.0.dist-info/RECORD"),
            b"demo/__init__.py,,\ndemo/demo.abi3.so,,\n",
        );
        write(&site.join("demo-0.1.0.dist-info/INSTALLER"), b"pip\n");
        let stray = site.join("demo/demo.cpython-311-x86_64-linux-gnu.so");
        write(&stray, &binary(&stale));

        let interp = Interpreter {
            command: "python3".into(),
            version: "3.11.7".into(),
            cwd: tmp.clone(),
            sys_path: vec!["".into(), site.clone()],
            extension_suffixes: vec![
                ".cpython-311-x86_64-linux-gnu.so".into(),
                ".abi3.so".into(),
                ".so".into(),
            ],
            source_suffixes: vec![".py".into()],
            bytecode_suffixes: vec![".pyc".into()],
            ..Interpreter::default()
        };
        let findings = gather_here(&tmp, interp.clone());
        assert_eq!(findings.outcome, Outcome::Shadowed);
        let text =
            report::format(&findings, &tmp, Style::plain()).replace(&project.source_id, "<id>");
        assert_eq!(
            text,
            format!(
                "demo is shadowed: Python loads site/demo/demo.cpython-311-x86_64-linux-gnu.so, not the installed module\n\
                 \x20 python   python3 3.11.7, started in {tmp}\n\
                 \x20 sources  {tmp}/proj (source id <id>)\n\
                 \x20 loads    stale  site/demo/demo.cpython-311-x86_64-linux-gnu.so\n\
                 \x20          dev build 0badc0de0badc0de of 1970-01-01 00:00:00 UTC, owned by no installed distribution\n\
                 \x20          changed: src/lib.rs\n\
                 \x20 hidden   fresh  site/demo/demo.abi3.so\n\
                 \x20          dev build feedfacefeedface of 1970-01-01 00:00:00 UTC, installed by pip\n\
                 cause: Python loads site/demo/demo.cpython-311-x86_64-linux-gnu.so (a build no installed distribution owns), \
                 not site/demo/demo.abi3.so: its suffix comes first in importlib.machinery.EXTENSION_SUFFIXES\n\
                 fix: remove it: rm {}\n",
                stray.display(),
                tmp = tmp.display(),
            )
        );
        assert_eq!(findings.outcome.exit_code(), EXIT_STALE);

        std::fs::remove_file(&stray).unwrap();
        let findings = gather_here(&tmp, interp.clone());
        assert_eq!(findings.outcome, Outcome::Fresh);
        let text = report::format(&findings, &tmp, Style::plain());
        assert!(
            text.starts_with("demo is fresh: Python loads a build of the sources on disk\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 5, "{text}");
        assert_eq!(findings.outcome.exit_code(), EXIT_FRESH);

        // Nothing on sys.path: cannot tell, and say how to install.
        let empty = Interpreter {
            sys_path: vec!["".into()],
            ..interp
        };
        let findings = gather_here(&tmp, empty);
        assert_eq!(
            findings.outcome,
            Outcome::Unknown(
                "python3 finds no module demo on sys.path: it is not installed there".into()
            )
        );
        assert_eq!(findings.outcome.exit_code(), EXIT_UNKNOWN);
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
