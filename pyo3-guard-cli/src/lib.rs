//! The `pyo3-guard` command: reads the build identity that
//! [pyo3-guard](https://docs.rs/pyo3-guard) embeds in a PyO3 extension module without loading
//! it, and tells which build of a project's module Python will load and whether it is fresh.
//!
//! ```text
//! $ pyo3-guard inspect .venv/lib/python3.11/site-packages/demo/demo.cpython-311-x86_64-linux-gnu.so
//! $ pyo3-guard inspect --json target/wheels/demo-0.1.0-cp311-cp311-linux_x86_64.whl
//! $ pyo3-guard doctor            # in the project; exit 0 fresh, 1 stale or shadowed, 2 cannot tell
//! $ pyo3-guard doctor --fix      # adds the missing [tool.uv] cache-keys to pyproject.toml
//! ```
//!
//! # Why a crate of its own
//!
//! A binary cannot live in the pyo3 extension crate (`pyo3-guard` links against Python and is
//! built as part of the user's module), and the command's own dependencies — a wheel (zip)
//! reader and `toml_edit` for `--fix` — would, in `pyo3-guard-build`, compile in every user's
//! build script for nothing. So the command is a crate of its own: it uses
//! `pyo3-guard-engine` (record format, check, diagnosis), the one the runtime uses, so it cannot
//! disagree with it, and `pyo3-guard-build` only for what it must do as a build does (finding a
//! project's inputs from its manifests). It does not depend on pyo3.
//!
//! # Modules
//!
//! - [`args`]: the command line.
//! - [`inspect`]: records out of extension modules and wheels ([`wheel`] reads the zip).
//! - [`doctor`], [`python`], [`project`], [`report`], [`fix`]: the doctor command.

#![deny(unsafe_code)]

pub mod args;
pub mod doctor;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod inspect;
mod json;
pub mod project;
pub mod python;
pub mod report;
pub mod term;
pub mod wheel;

use std::ffi::OsString;
use std::io::Write;

use args::Command;

/// Runs the command line `args` (without the program name) and returns the exit status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let command = match args::parse(args) {
        Ok(command) => command,
        Err(e) => {
            let _ = writeln!(err, "pyo3-guard: {e}");
            return 2;
        }
    };
    match command {
        Command::Help(text) => {
            let _ = write!(out, "{text}");
            0
        }
        Command::Usage => {
            let _ = write!(err, "{}", args::USAGE);
            2
        }
        Command::Version => {
            let _ = writeln!(out, "pyo3-guard {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Command::Inspect {
            json,
            require_dist,
            paths,
        } => run_inspect(json, require_dist, &paths, out, err),
        Command::Doctor {
            project,
            python,
            fix,
            json,
        } => {
            let cwd = match std::env::current_dir() {
                Ok(cwd) => cwd,
                Err(e) => {
                    let _ = writeln!(
                        err,
                        "pyo3-guard doctor: cannot tell: the current directory is unreadable ({e})"
                    );
                    return doctor::EXIT_UNKNOWN;
                }
            };
            let project = project.map_or_else(|| cwd.clone(), |p| cwd.join(p));
            let opts = doctor::Options {
                project,
                python,
                fix,
                json,
                cwd,
            };
            doctor::run(&opts, out, err, term::Style::for_stdout())
        }
    }
}

/// `inspect`: every record of every path; one error line per path that has none and, with
/// `require_dist`, per record of a full build.
fn run_inspect(
    json: bool,
    require_dist: bool,
    paths: &[std::path::PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut status = 0;
    let mut objects = Vec::new();
    let mut first = true;
    for path in paths {
        match inspect::read(path) {
            Ok(found) => {
                for found in &found {
                    if let Some(why) = require_dist.then(|| inspect::not_dist(found)).flatten() {
                        let _ = writeln!(err, "pyo3-guard: {why}");
                        status = 1;
                    }
                    if json {
                        objects.push(inspect::format_json(found));
                    } else {
                        let _ = write!(
                            out,
                            "{}{}",
                            if first { "" } else { "\n" },
                            inspect::format_text(found)
                        );
                        first = false;
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(err, "pyo3-guard: {e}");
                status = 1;
            }
        }
    }
    if json {
        let _ = writeln!(out, "[{}]", objects.join(",\n "));
    }
    status
}
