//! The `__guard__` of a full build: `verify()` and `check()` compare the loaded binary with the
//! sources on disk. (A distribution build carries the one in `pyo3-guard-core`'s `dist.rs` instead.)

use std::path::PathBuf;
use std::sync::OnceLock;

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyModule};
use pyo3_guard_core::registry::Filter;
use pyo3_guard_engine::check::{check, Report, Verdict};
use pyo3_guard_engine::diagnose::{diagnose, stale_message, PythonEnv};
use pyo3_guard_engine::record::Record;

use crate::exports::{describe, findings, missing_message};
use crate::heal;

pyo3::create_exception!(
    pyo3_guard,
    GuardError,
    PyException,
    "Base class of the errors `__guard__.verify()` raises."
);
pyo3::create_exception!(
    pyo3_guard,
    StaleBuildError,
    GuardError,
    "The loaded extension module was not built from the sources on disk now."
);
pyo3::create_exception!(
    pyo3_guard,
    MissingExportError,
    GuardError,
    "An item the sources declare for Python is not reachable from the loaded module."
);

/// Not public API. Called by the function `#[guarded_pymodule]` generates, after a function
/// module's body (before a declarative module's init), in a full build: sets the guard's attributes and adds the registered items (see
/// `attrs::install`). Its check runs on the calling thread.
pub fn install(
    module: &Bound<'_, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<Filter>,
) -> PyResult<()> {
    install_with(
        module,
        raw,
        module_path,
        named_crates,
        filter,
        pyo3_guard_engine::check::check_on_one_thread,
    )
}

/// Not public API. [`install`] for a crate of 400 inputs or more (cfg `pyo3_guard_threads`):
/// its check may share the stats out between threads.
pub fn install_threaded(
    module: &Bound<'_, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<Filter>,
) -> PyResult<()> {
    install_with(module, raw, module_path, named_crates, filter, check)
}

/// The engine's check a guard runs: one of two, so that a build links only the one it names.
type CheckFn = fn(&Record, Option<&std::path::Path>) -> Report;

fn install_with(
    module: &Bound<'_, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<Filter>,
    check: CheckFn,
) -> PyResult<()> {
    pyo3_guard_core::attrs::install(
        module,
        raw,
        module_path,
        named_crates,
        filter,
        |build_id, module_name| {
            let guard = Guard {
                build_id,
                raw,
                full: OnceLock::new(),
                module_name,
                named_crates: named_crates.iter().map(|c| c.to_string()).collect(),
                check,
            };
            Ok(Bound::new(module.py(), guard)?.into_any())
        },
    )
}

/// `module.__guard__`: checks the loaded binary against the sources on disk.
#[pyclass(frozen, module = "pyo3_guard", name = "Guard")]
struct Guard {
    /// The record's build id, read at import.
    build_id: String,
    /// The embedded record, and its full parse (inputs, exports) made on the first check.
    raw: &'static [u8],
    full: OnceLock<Result<Record, String>>,
    module_name: String,
    /// Path-dependency crates the module names in `crates = [...]`.
    named_crates: Vec<String>,
    /// The engine's check this build links.
    check: CheckFn,
}

#[pymethods]
impl Guard {
    /// What `verify()` raises when the binary is stale.
    // Getters, not class attributes: each exception type is made on first use, not at import.
    #[getter]
    #[allow(non_snake_case)]
    fn StaleBuildError<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyType> {
        py.get_type::<StaleBuildError>()
    }

    /// What `verify()` raises when a declared item is not reachable.
    #[getter]
    #[allow(non_snake_case)]
    fn MissingExportError<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyType> {
        py.get_type::<MissingExportError>()
    }

    /// The base class of both.
    #[getter]
    #[allow(non_snake_case)]
    fn GuardError<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyType> {
        py.get_type::<GuardError>()
    }

    /// Returns None when the loaded binary was built from the inputs on disk now and every
    /// class, method and function the sources declare is reachable. Otherwise raises
    /// StaleBuildError (naming every changed, added and removed input, the likely cause and the
    /// fix) or MissingExportError (naming each missing item and why). An unverifiable build (no
    /// sources here) does not raise StaleBuildError.
    ///
    /// `rebuild=True` heals a stale build: runs the fix, then starts the process again with the
    /// same command line (`sys.orig_argv`), which checks again; in an interactive interpreter it
    /// rebuilds and says to restart. `PYO3_GUARD_REBUILD=1` does the same for every call,
    /// `PYO3_GUARD_REBUILD=0` forbids it.
    #[pyo3(signature = (source_root=None, rebuild=None))]
    fn verify(
        &self,
        py: Python<'_>,
        source_root: Option<PathBuf>,
        rebuild: Option<bool>,
    ) -> PyResult<()> {
        self.verify_with(py, source_root, heal::wanted(rebuild), None)
    }

    /// The findings of `verify()` as a dict, without raising: `verdict` ("fresh", "stale" or
    /// "unverifiable"), `build_id`, `file`, `source_root`, `changed`, `added`, `removed`,
    /// `touched`, `notes`, `installer`, `cause`, `fixes`, `missing` (a list of dicts: `item`,
    /// `kind`, `name`, `crate`, `file`, `line`, `reason`), `unchecked` (declared items the check
    /// cannot look for: `item`, `reason`) and `message`.
    #[pyo3(signature = (source_root=None))]
    fn check<'py>(
        &self,
        py: Python<'py>,
        source_root: Option<PathBuf>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let record = self.record()?;
        let loaded = self.loaded_file(py);
        let report = py.detach(|| (self.check)(record, source_root.as_deref()));
        let python = self.python_env(py, &report);
        let diagnosis = py.detach(|| diagnose(record, &report, loaded.as_deref(), &python));
        let dict = PyDict::new(py);
        dict.set_item("verdict", report.verdict.as_str())?;
        dict.set_item("build_id", &record.build_id)?;
        dict.set_item(
            "file",
            loaded.as_ref().map(|p| p.to_string_lossy().into_owned()),
        )?;
        dict.set_item(
            "source_root",
            report
                .source_root
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
        )?;
        dict.set_item("changed", PyList::new(py, &report.changed)?)?;
        dict.set_item("added", PyList::new(py, &report.added)?)?;
        dict.set_item("removed", PyList::new(py, &report.removed)?)?;
        dict.set_item("touched", report.touched)?;
        dict.set_item("notes", PyList::new(py, &report.notes)?)?;
        dict.set_item("installer", diagnosis.installed.installer.as_deref())?;
        dict.set_item("cause", diagnosis.cause.as_deref())?;
        dict.set_item("fixes", PyList::new(py, &diagnosis.fixes)?)?;
        dict.set_item(
            "rebuild",
            diagnosis.rebuild.as_ref().ok().map(|r| r.shown.as_str()),
        )?;
        let crate::exports::Findings { missing, unchecked } = self.findings(py, record);
        let entries = PyList::empty(py);
        for m in &missing {
            let entry = PyDict::new(py);
            entry.set_item("item", describe(&m.export))?;
            entry.set_item("kind", m.export.kind.as_str())?;
            entry.set_item("name", &m.export.python_name)?;
            entry.set_item("crate", &m.export.crate_name)?;
            entry.set_item("file", &m.export.file)?;
            entry.set_item("line", m.export.line)?;
            entry.set_item("reason", &m.reason)?;
            entries.append(entry)?;
        }
        dict.set_item("missing", entries)?;
        let unchecked_entries = PyList::empty(py);
        for m in &unchecked {
            let entry = PyDict::new(py);
            entry.set_item("item", describe(&m.export))?;
            entry.set_item("reason", &m.reason)?;
            unchecked_entries.append(entry)?;
        }
        dict.set_item("unchecked", unchecked_entries)?;
        let message = match report.verdict {
            Verdict::Stale => stale_message(
                self.display_name(),
                record,
                &report,
                loaded.as_deref(),
                &diagnosis,
            ),
            Verdict::Fresh if !missing.is_empty() => missing_message(self.display_name(), &missing),
            Verdict::Fresh => format!(
                "{} is fresh: built from the sources on disk",
                self.display_name()
            ),
            Verdict::Unverifiable => unverifiable_message(&report),
        };
        dict.set_item("message", message)?;
        Ok(dict)
    }

    /// A pytest hook: `def pytest_sessionstart(session): demo.__guard__.pytest_sessionstart(session)` in
    /// `conftest.py` stops the session before any test runs, with the StaleBuildError message
    /// and exit status 1, when the module is stale. With `PYO3_GUARD_REBUILD=1` (or the option
    /// `--pyo3-guard-rebuild`, see `pytest_addoption`) it heals instead: rebuilds, then starts
    /// the session again, before any pytest-xdist worker starts.
    #[pyo3(signature = (session))]
    fn pytest_sessionstart(&self, py: Python<'_>, session: Bound<'_, PyAny>) -> PyResult<()> {
        let option = session
            .getattr("config")
            .and_then(|c| {
                c.call_method1(
                    "getoption",
                    (pyo3_guard_core::attrs::REBUILD_OPTION_DEST, py.None()),
                )
            })
            .ok()
            .and_then(|v| v.extract::<Option<bool>>().ok())
            .flatten();
        let Err(err) = self.verify_with(py, None, heal::wanted(option), Some(&session)) else {
            return Ok(());
        };
        if err.is_instance_of::<GuardError>(py) {
            // pytest prints an exit reason twice: keep it short, the full message goes first.
            let stderr = PyModule::import(py, "sys")?.getattr("stderr")?;
            stderr.call_method1("write", (format!("\n{}\n\n", err.value(py)),))?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("returncode", 1)?;
            let what = if err.is_instance_of::<StaleBuildError>(py) {
                "is stale"
            } else {
                "misses exports"
            };
            let reason = format!(
                "pyo3-guard: {} {what} (see above); no test was run",
                self.display_name()
            );
            PyModule::import(py, "pytest")?
                .getattr("exit")?
                .call((reason,), Some(&kwargs))?;
        }
        Err(err)
    }

    /// A pytest hook: `def pytest_addoption(parser): demo.__guard__.pytest_addoption(parser)` in
    /// `conftest.py` adds `--pyo3-guard-rebuild`, which heals a stale module at the session's
    /// start as `PYO3_GUARD_REBUILD=1` does.
    #[pyo3(signature = (parser))]
    fn pytest_addoption(&self, parser: Bound<'_, PyAny>) -> PyResult<()> {
        pyo3_guard_core::attrs::add_rebuild_option(&parser)
    }

    fn __repr__(&self) -> String {
        format!(
            "<pyo3-guard for {} build {}>",
            self.display_name(),
            self.build_id
        )
    }
}

fn unverifiable_message(report: &Report) -> String {
    format!("unverifiable: {}", report.notes.join("; "))
}

impl Guard {
    /// `verify()`, healing a stale build when `rebuild` is on (from the pytest hook, `session`).
    fn verify_with(
        &self,
        py: Python<'_>,
        source_root: Option<PathBuf>,
        rebuild: bool,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let record = self.record()?;
        let loaded = self.loaded_file(py);
        let name = self.display_name();
        let report = py.detach(|| (self.check)(record, source_root.as_deref()));
        if report.verdict == Verdict::Stale {
            let python = self.python_env(py, &report);
            let diagnosis = py.detach(|| diagnose(record, &report, loaded.as_deref(), &python));
            let message = stale_message(name, record, &report, loaded.as_deref(), &diagnosis);
            if !rebuild {
                return Err(StaleBuildError::new_err(message));
            }
            let stale = heal::Stale {
                name,
                record,
                report: &report,
                loaded: loaded.as_deref(),
                diagnosis: &diagnosis,
                message,
                check: self.check,
            };
            return Err(match heal::heal(py, &stale, session) {
                heal::Outcome::Failed(message) | heal::Outcome::Restart(message) => {
                    StaleBuildError::new_err(message)
                }
            });
        }
        let missing = self.findings(py, record).missing;
        if !missing.is_empty() {
            return Err(MissingExportError::new_err(missing_message(
                self.display_name(),
                &missing,
            )));
        }
        Ok(())
    }

    /// The running interpreter's environment, asked only for a stale build (a fresh one needs
    /// nothing of it).
    fn python_env(&self, py: Python<'_>, report: &Report) -> PythonEnv {
        if report.verdict != Verdict::Stale {
            return PythonEnv::default();
        }
        let Ok(sys) = PyModule::import(py, "sys") else {
            return PythonEnv::default();
        };
        let path = |name: &str| sys.getattr(name).ok()?.extract::<PathBuf>().ok();
        let (prefix, base) = (path("prefix"), path("base_prefix"));
        PythonEnv {
            executable: path("executable"),
            venv: prefix.filter(|p| Some(p) != base.as_ref()),
            site_dirs: sys
                .getattr("path")
                .and_then(|p| p.extract::<Vec<String>>())
                .unwrap_or_default()
                .into_iter()
                .filter(|e| !e.is_empty())
                .map(PathBuf::from)
                .collect(),
        }
    }

    /// The whole record, parsed on first use.
    fn record(&self) -> PyResult<&Record> {
        let parsed = self
            .full
            .get_or_init(|| Record::parse(self.raw).map_err(|e| e.to_string()));
        parsed
            .as_ref()
            .map_err(|e| GuardError::new_err(format!("pyo3-guard: {e}")))
    }

    /// What the export check finds: the declared items the loaded module lacks, and those it
    /// does not look for.
    fn findings(&self, py: Python<'_>, record: &Record) -> crate::exports::Findings {
        self.loaded_module(py)
            .map(|m| findings(&m, record, &self.named_crates))
            .unwrap_or_default()
    }

    /// The name users import the module by (`demo`, `pkg._native`).
    fn display_name(&self) -> &str {
        pyo3_guard_core::registry::public_name(&self.module_name)
    }

    /// The extension module, as Python has it now.
    fn loaded_module<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        pyo3_guard_core::attrs::loaded_module(py, &self.module_name)
    }

    fn loaded_file(&self, py: Python<'_>) -> Option<PathBuf> {
        pyo3_guard_core::attrs::loaded_file(py, &self.module_name)
    }
}
