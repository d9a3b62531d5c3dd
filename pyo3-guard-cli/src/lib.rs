//! The `pyo3-guard` command: converts a PyO3 project to pyo3-guard, reads the build identity that
//! [pyo3-guard](https://docs.rs/pyo3-guard) embeds in a PyO3 extension module without loading
//! it, and tells which build of a project's module Python will load and whether it is fresh.
//!
//! ```text
//! $ pyo3-guard inspect .venv/lib/python3.11/site-packages/demo/demo.cpython-311-x86_64-linux-gnu.so
//! $ pyo3-guard inspect --json target/wheels/demo-0.1.0-cp311-cp311-linux_x86_64.whl
//! $ pyo3-guard doctor            # in the project; exit 0 fresh, 1 stale or shadowed, 2 cannot tell
//! $ pyo3-guard doctor --fix      # adds the missing [tool.uv] cache-keys to pyproject.toml
//! $ pyo3-guard doctor --rebuild  # runs the rebuild its fix names, then checks again
//! $ pyo3-guard convert --dry-run # what converting the project to pyo3-guard would change
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
//! # Modules (private: [`run`] is the command's one entry point)
//!
//! - `args`: the command line.
//! - `inspect`: records out of extension modules and wheels (`wheel` reads the zip).
//! - `doctor`, `python`, `project`, `report`, `fix`: the doctor command.
//! - `convert`: the convert command (its edits are text replacements at syn's spans).

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod convert;
mod doctor;
mod fix;
#[doc(hidden)]
pub mod fuzzing;
mod inspect;
mod json;
mod project;
mod python;
mod report;
mod term;
mod wheel;

use std::ffi::OsString;
use std::io::Write;

use args::Command;

/// Runs the command line `args` (without the program name) and returns the exit status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let program = std::iter::once(OsString::from("pyo3-guard"));
    let cli = match <args::Cli as clap::Parser>::try_parse_from(program.chain(args)) {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own conventions: help and version on stdout with status 0, a usage error
            // (and a bare `pyo3-guard`) on stderr with status 2.
            let text = e.render().to_string();
            return if e.use_stderr() {
                let _ = write!(err, "{text}");
                2
            } else {
                let _ = write!(out, "{text}");
                0
            };
        }
    };
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => {
            let _ = writeln!(
                err,
                "pyo3-guard: cannot tell: the current directory is unreadable ({e})"
            );
            return doctor::EXIT_UNKNOWN;
        }
    };
    match cli.command {
        Command::Inspect(a) => run_inspect(a.json, a.require_dist, &a.paths, out, err),
        Command::Doctor(a) => {
            let project = a.project.map_or_else(|| cwd.clone(), |p| cwd.join(p));
            let opts = doctor::Options {
                project,
                python: a.python,
                fix: a.fix,
                json: a.json,
                rebuild: a.rebuild,
                cwd,
            };
            doctor::run(&opts, out, err, term::Style::for_stdout())
        }
        Command::Convert(a) if !a.sources_only.is_empty() => {
            let paths: Vec<_> = a.sources_only.iter().map(|p| cwd.join(p)).collect();
            convert::sources_only::run(&cwd, &paths, a.dry_run, a.allow_dirty, out, err)
        }
        Command::Convert(a) => {
            let opts = convert::Options {
                project: a.project.map_or_else(|| cwd.clone(), |p| cwd.join(p)),
                dry_run: a.dry_run,
                allow_dirty: a.allow_dirty,
                publish_all: a.publish_all,
                delete_add_lines: a.delete_add_lines,
                source: match (a.path, a.git) {
                    (Some(dir), _) => convert::Origin::Path(cwd.join(dir)),
                    (None, Some(url)) => convert::Origin::Git(url),
                    (None, None) => convert::Origin::Version(env!("CARGO_PKG_VERSION").to_owned()),
                },
            };
            convert::run(&opts, out, err)
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
