//! Heal (opt-in): a stale module rebuilds itself with the command its diagnosis names, once,
//! one build at a time, then the process starts again with the same command line (CPython never
//! reloads an extension module) and checks again.
//!
//! Switched on by `PYO3_GUARD_REBUILD=1`, by `verify(rebuild=True)` or by the pytest option
//! `--pyo3-guard-rebuild`; `PYO3_GUARD_REBUILD=0` switches it off whatever the code asks. It acts
//! on a stale verdict only.

use std::path::Path;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule};
use pyo3_guard_engine::check::{Report, Verdict};
use pyo3_guard_engine::diagnose::{failure_lines, Diagnosis, Rebuild};
use pyo3_guard_engine::record::Record;

/// `1` switches heal on, `0` off (over what the code asks).
pub const SWITCH_ENV: &str = "PYO3_GUARD_REBUILD";
/// Set before the process starts again: one line per module rebuilt in this run (`module`, the
/// build id it replaced, what was done), so a second stale verdict is an error, never a loop.
pub const MARKER_ENV: &str = "PYO3_GUARD_REBUILT";
/// Seconds to wait for another process's rebuild (default 600).
pub const TIMEOUT_ENV: &str = "PYO3_GUARD_REBUILD_TIMEOUT";
/// `1`: show the build's output as it runs (otherwise only when it fails).
pub const VERBOSE_ENV: &str = "PYO3_GUARD_REBUILD_VERBOSE";

/// How many changed paths the first line names.
const NAMED: usize = 3;

/// Whether heal is on: the environment decides when it says `1` or `0`, else the caller.
pub fn wanted(asked: Option<bool>) -> bool {
    match std::env::var(SWITCH_ENV).as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => asked.unwrap_or(false),
    }
}

/// What happened, when the process goes on (a re-exec does not return).
pub enum Outcome {
    /// Not healed: the stale message plus why, for a StaleBuildError.
    Failed(String),
    /// Rebuilt, but this process cannot load it (an interactive interpreter): say to restart.
    Restart(String),
}

/// Everything heal needs about the stale module.
pub struct Stale<'a> {
    pub name: &'a str,
    pub record: &'a Record,
    pub report: &'a Report,
    pub loaded: Option<&'a Path>,
    pub diagnosis: &'a Diagnosis,
    /// The whole stale explanation (what `verify()` raises).
    pub message: String,
    /// The engine's check this build links (the threaded one only from 400 inputs on).
    pub check: fn(&Record, Option<&Path>) -> Report,
}

/// Rebuilds, then starts the process again; returns only when it did not (see [`Outcome`]).
/// `session` is the pytest session when called from the hook (its output capture is suspended
/// before the process is replaced).
pub fn heal(py: Python<'_>, stale: &Stale<'_>, session: Option<&Bound<'_, PyAny>>) -> Outcome {
    let fail = |why: String| Outcome::Failed(format!("{}\n\n{why}", stale.message));
    if let Some(before) = already_rebuilt(stale.name) {
        return fail(format!(
            "pyo3-guard rebuilt {} once in this run already ({before}), and it is still stale: \
             it does not rebuild again. The report above is the one after that rebuild.",
            stale.name
        ));
    }
    if std::env::var_os("PYTEST_XDIST_WORKER").is_some() {
        return fail(
            "pyo3-guard does not rebuild in a pytest-xdist worker: the session's main process rebuilds \
             at its start, before the workers (call the hook from pytest_sessionstart in conftest.py)"
                .into(),
        );
    }
    let rebuild = match &stale.diagnosis.rebuild {
        Ok(rebuild) => rebuild,
        Err(why) => return fail(format!("pyo3-guard did not rebuild it: {why}")),
    };
    let argv = restart_argv(py);
    say(
        py,
        &format!(
            "pyo3-guard: {} is stale ({}); rebuilding: {}",
            stale.name,
            changes(stale.report),
            rebuild.shown
        ),
    );
    let lock = match Lock::acquire(py, &rebuild.lock_path(), stale.name) {
        Ok(lock) => lock,
        Err(why) => return fail(format!("pyo3-guard did not rebuild it: {why}")),
    };
    let done_elsewhere = stale
        .loaded
        .is_some_and(|file| rebuilt_on_disk(file, stale.record, stale.check));
    let started = Instant::now();
    if done_elsewhere {
        say(
            py,
            &format!("pyo3-guard: another process rebuilt {} already", stale.name),
        );
    } else if let Err(mut why) = run(py, rebuild) {
        drop(lock);
        if why == INTERRUPTED {
            // The interrupt may come after the build installed the new module: say which.
            let installed = stale
                .loaded
                .is_some_and(|file| rebuilt_on_disk(file, stale.record, stale.check));
            why.push_str(if installed {
                ", after the new build was installed: start again to load it"
            } else {
                ": the build stopped before it installed anything new"
            });
        }
        return fail(format!(
            "pyo3-guard tried to rebuild it with `{}`, which {why}\nNothing was restarted; \
             the module Python loads is the one above.",
            rebuild.shown
        ));
    }
    drop(lock);
    let took = tenths(started.elapsed());
    let summary = format!(
        "build {} replaced by `{}`",
        stale.record.build_id, rebuild.shown
    );
    let Some(argv) = argv else {
        return Outcome::Restart(format!(
            "{}\n\npyo3-guard rebuilt it ({took} s); restart Python to load the new build: \
             a loaded extension module is never reloaded.",
            stale.message
        ));
    };
    if !done_elsewhere {
        say(
            py,
            &format!(
                "pyo3-guard: rebuilt {} in {took} s; starting again",
                stale.name
            ),
        );
    }
    match restart(py, stale.name, &summary, &argv, session) {
        Ok(()) => unreachable!("execv returns only on failure"),
        Err(e) => fail(format!(
            "pyo3-guard rebuilt it, but could not start the process again: {e}; run the command again"
        )),
    }
}

/// `12.3`: seconds with one decimal, without float formatting (which would link about 30 KiB of
/// float code into every full build).
fn tenths(elapsed: Duration) -> String {
    let tenths = elapsed.as_millis() / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The summary of an earlier rebuild of `name` in this run, from the marker.
fn already_rebuilt(name: &str) -> Option<String> {
    let marker = std::env::var(MARKER_ENV).ok()?;
    marker.lines().find_map(|line| {
        let (module, rest) = line.split_once('\t')?;
        (module == name).then(|| rest.replace('\t', ": "))
    })
}

/// `src/lib.rs changed`, `src/a.rs, src/b.rs and 3 more changed; src/c.rs added`.
fn changes(report: &Report) -> String {
    let mut parts = Vec::new();
    for (label, paths) in [
        ("changed", &report.changed),
        ("added", &report.added),
        ("removed", &report.removed),
    ] {
        if paths.is_empty() {
            continue;
        }
        let mut named = paths
            .iter()
            .take(NAMED)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if paths.len() > NAMED {
            named.push_str(&format!(" and {} more", paths.len() - NAMED));
        }
        parts.push(format!("{named} {label}"));
    }
    parts.join("; ")
}

/// One line on `sys.stderr` (where pytest and the user see it).
fn say(py: Python<'_>, line: &str) {
    let _ = PyModule::import(py, "sys").and_then(|sys| {
        let stderr = sys.getattr("stderr")?;
        stderr.call_method1("write", (format!("{line}\n"),))?;
        stderr.call_method0("flush")
    });
}

/// The command line to start again (`sys.orig_argv`), or `None` where a restart would surprise:
/// an interactive interpreter (or IPython), or a Python without `sys.orig_argv`.
fn restart_argv(py: Python<'_>) -> Option<Vec<String>> {
    let sys = PyModule::import(py, "sys").ok()?;
    let interactive = sys.hasattr("ps1").unwrap_or(false)
        || sys
            .getattr("flags")
            .and_then(|f| f.getattr("interactive"))
            .and_then(|i| i.extract::<i64>())
            .unwrap_or(0)
            != 0
        || sys
            .getattr("modules")
            .and_then(|m| m.contains("IPython"))
            .unwrap_or(false);
    if interactive {
        return None;
    }
    let argv: Vec<String> = sys.getattr("orig_argv").ok()?.extract().ok()?;
    runs_something(&argv).then_some(argv)
}

/// Whether the command line names what to run (`-c`, `-m`, a script): `python` alone and
/// `python -` read their commands from stdin, which a second start would not see again.
fn runs_something(argv: &[String]) -> bool {
    let mut args = argv.iter().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-" => return false,
            "-c" | "-m" => return true,
            // Options whose value is the next argument.
            "-W" | "-X" => {
                args.next();
            }
            option if option.starts_with('-') => {}
            _script => return true,
        }
    }
    false
}

/// An exclusive `flock` on the lock file, through Python's `fcntl` (the OS releases it when the
/// holder dies); released on drop.
struct Lock<'py> {
    file: Bound<'py, PyAny>,
}

impl<'py> Lock<'py> {
    fn acquire(py: Python<'py>, path: &Path, name: &str) -> Result<Lock<'py>, String> {
        let timeout = std::env::var(TIMEOUT_ENV)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(600);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let opened = PyModule::import(py, "builtins")
            .and_then(|b| b.getattr("open")?.call1((path, "a+")))
            .map_err(|e| format!("cannot open the lock file {} ({e})", path.display()))?;
        let lock = Lock { file: opened };
        let started = Instant::now();
        let mut said = false;
        loop {
            match lock.try_lock(py) {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => return Err(format!("cannot lock {} ({e})", path.display())),
            }
            if !said {
                say(
                    py,
                    &format!(
                        "pyo3-guard: waiting for another rebuild of {name} to finish (lock {}, up to {timeout} s)",
                        path.display()
                    ),
                );
                said = true;
            }
            if started.elapsed().as_secs() >= timeout {
                return Err(format!(
                    "another process held the rebuild lock {} for more than {timeout} s \
                     ({TIMEOUT_ENV} sets the wait)",
                    path.display()
                ));
            }
            py.check_signals().map_err(|_| {
                "interrupted (Ctrl-C) while waiting for the rebuild lock".to_owned()
            })?;
            py.detach(|| std::thread::sleep(Duration::from_millis(100)));
        }
        Ok(lock)
    }

    /// One non-blocking attempt.
    fn try_lock(&self, py: Python<'py>) -> PyResult<bool> {
        let fd = self.file.call_method0("fileno")?;
        let result = if cfg!(windows) {
            let msvcrt = PyModule::import(py, "msvcrt")?;
            msvcrt.call_method1("locking", (fd, msvcrt.getattr("LK_NBLCK")?, 1))
        } else {
            let fcntl = PyModule::import(py, "fcntl")?;
            let flags = fcntl.getattr("LOCK_EX")?.extract::<i64>()?
                | fcntl.getattr("LOCK_NB")?.extract::<i64>()?;
            fcntl.call_method1("flock", (fd, flags))
        };
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyOSError>(py) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Lock<'_> {
    fn drop(&mut self) {
        // Closing the file releases the lock.
        let _ = self.file.call_method0("close");
    }
}

/// Whether the file at `path` now holds another build than `ours` that is fresh: another
/// process rebuilt it while this one waited for the lock.
fn rebuilt_on_disk(
    path: &Path,
    ours: &Record,
    check: fn(&Record, Option<&Path>) -> Report,
) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    Record::find_in(&bytes).is_some_and(|on_disk| {
        on_disk.build_id != ours.build_id && check(&on_disk, None).verdict == Verdict::Fresh
    })
}

/// What [`run`] says when Ctrl-C stopped it (the caller adds whether a new build got installed).
const INTERRUPTED: &str = "was interrupted (Ctrl-C)";

/// Runs the rebuild in the project, in the running interpreter's environment. Its output is
/// kept and shown only when it fails (or with `PYO3_GUARD_REBUILD_VERBOSE=1`). Ctrl-C stops it.
/// Through Python's `subprocess`, which the interpreter has anyway: std's process code would
/// add about 40 KiB to every full build.
fn run(py: Python<'_>, rebuild: &Rebuild) -> Result<(), String> {
    let could_not = |e: PyErr| format!("could not start ({e})");
    let verbose = std::env::var(VERBOSE_ENV).as_deref() == Ok("1");
    let subprocess = PyModule::import(py, "subprocess").map_err(could_not)?;
    let env = PyModule::import(py, "os")
        .and_then(|os| os.getattr("environ")?.call_method0("copy"))
        .map_err(could_not)?;
    if let Some(venv) = &rebuild.venv {
        // maturin refuses to choose when both are set.
        env.set_item("VIRTUAL_ENV", venv).map_err(could_not)?;
        env.call_method1("pop", ("CONDA_PREFIX", py.None()))
            .map_err(could_not)?;
    }
    let mut argv = vec![rebuild.program.to_string_lossy().into_owned()];
    argv.extend(rebuild.args.iter().cloned());
    let log = if verbose {
        None
    } else {
        let file = PyModule::import(py, "tempfile")
            .and_then(|t| t.call_method0("TemporaryFile"))
            .map_err(could_not)?;
        Some(file)
    };
    let kwargs = PyDict::new(py);
    let setup = || -> PyResult<()> {
        kwargs.set_item("cwd", &rebuild.dir)?;
        kwargs.set_item("env", &env)?;
        kwargs.set_item("stdin", subprocess.getattr("DEVNULL")?)?;
        if let Some(log) = &log {
            kwargs.set_item("stdout", log)?;
            kwargs.set_item("stderr", subprocess.getattr("STDOUT")?)?;
        }
        Ok(())
    };
    setup().map_err(could_not)?;
    let child = match subprocess.call_method("Popen", (argv,), Some(&kwargs)) {
        Ok(child) => child,
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyFileNotFoundError>(py) => {
            return Err(format!(
                "could not start: {} is not installed (looked in the environment and on PATH); \
                 install it, or rebuild by hand",
                rebuild.tool
            ))
        }
        Err(e) => return Err(could_not(e)),
    };
    let code = loop {
        // Ctrl-C arrives as KeyboardInterrupt, from `poll` (Python code) or the signal check.
        let polled = match child.call_method0("poll") {
            Ok(polled) => py.check_signals().map(|()| polled),
            Err(e) => Err(e),
        };
        match polled {
            Ok(polled) if !polled.is_none() => break polled.extract::<i64>().unwrap_or(-1),
            Ok(_) => {}
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) => {
                interrupt(py, &child);
                return Err(INTERRUPTED.into());
            }
            Err(e) => return Err(format!("could not be waited for ({e})")),
        }
        py.detach(|| std::thread::sleep(Duration::from_millis(50)));
    };
    if code == 0 {
        return Ok(());
    }
    let output = log
        .and_then(|log| {
            log.call_method1("seek", (0,)).ok()?;
            let bytes: Vec<u8> = log.call_method0("read").ok()?.extract().ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        })
        .unwrap_or_default();
    let status = if code < 0 {
        format!("signal: {}", -code)
    } else {
        format!("exit status: {code}")
    };
    Err(format!(
        "failed ({status}). Its output:\n{}",
        failure_lines(&output)
    ))
}

/// Stops the build: SIGINT first (what Ctrl-C sends the whole terminal group), then a kill.
fn interrupt(py: Python<'_>, child: &Bound<'_, PyAny>) {
    let sigint = PyModule::import(py, "signal").and_then(|s| s.getattr("SIGINT"));
    if let Ok(sigint) = sigint {
        let _ = child.call_method1("send_signal", (sigint,));
    }
    let kwargs = PyDict::new(py);
    let waited = kwargs
        .set_item("timeout", 10)
        .and_then(|()| child.call_method("wait", (), Some(&kwargs)));
    if waited.is_err() {
        let _ = child.call_method0("kill");
        let _ = child.call_method0("wait");
    }
}

/// Sets the marker, suspends pytest's output capture and replaces the process with `argv`.
fn restart(
    py: Python<'_>,
    name: &str,
    summary: &str,
    argv: &[String],
    session: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let os = PyModule::import(py, "os")?;
    let environ = os.getattr("environ")?;
    let mut marker: String = environ.call_method1("get", (MARKER_ENV, ""))?.extract()?;
    if !marker.is_empty() {
        marker.push('\n');
    }
    marker.push_str(&format!("{name}\t{summary}"));
    environ.set_item(MARKER_ENV, marker)?;
    if let Some(session) = session {
        let capture = session
            .getattr("config")?
            .getattr("pluginmanager")?
            .call_method1("getplugin", ("capturemanager",))?;
        if !capture.is_none() {
            let kwargs = PyDict::new(py);
            kwargs.set_item("in_", true)?;
            capture.call_method("suspend_global_capture", (), Some(&kwargs))?;
        }
    }
    let sys = PyModule::import(py, "sys")?;
    for stream in ["stdout", "stderr"] {
        let _ = sys.getattr(stream)?.call_method0("flush");
    }
    let executable = sys.getattr("executable")?;
    os.call_method1("execv", (executable, argv.to_vec()))?;
    Ok(())
}
