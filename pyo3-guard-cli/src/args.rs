//! The command line, parsed by hand: two subcommands with a handful of options do not need an
//! argument-parsing crate (and its build time).

use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print this text and exit 0.
    Help(&'static str),
    /// No command at all: print the usage to stderr and exit 2.
    Usage,
    Version,
    Inspect {
        json: bool,
        /// Exit 1 for any full build (the release check of a CI job over `dist/*.whl`).
        require_dist: bool,
        paths: Vec<PathBuf>,
    },
    Doctor {
        project: Option<PathBuf>,
        python: Option<PathBuf>,
        fix: bool,
        json: bool,
    },
}

pub const USAGE: &str = "\
pyo3-guard: read a PyO3 extension's build identity, and tell whether Python loads a fresh build

usage:
  pyo3-guard inspect [--json] [--require-dist] PATH...
                                             the build record of extension modules or wheels
  pyo3-guard doctor [PROJECT_DIR] [--python PATH] [--fix] [--json]
                                             which build Python loads, is it fresh, and the fix
  pyo3-guard help COMMAND                    more about a command
";

pub const INSPECT_USAGE: &str = "\
usage: pyo3-guard inspect [--json] [--require-dist] PATH...

Reads the build record pyo3-guard embeds in an extension module (.so, .pyd, .dylib) or in each
extension module of a wheel (.whl), without loading or importing anything: build id, crate,
version, profile, whether it is a full build (with the check) or a distribution build
(PYO3_GUARD_DIST=1: without it), features, target, build time and source root. The build id is
the one the module reports as __build_id__.

  --json           one JSON array with an object per record (its build: full or
                   distribution, null for a record that does not say)
  --require-dist   fail for any full build, one line each on stderr: the release check of a
                   CI job, as in `pyo3-guard inspect --require-dist dist/*.whl`

exit status: 0 every file had a record (and with --require-dist, every record is a
distribution build); 1 otherwise (one line per file on stderr); 2 bad usage.
";

pub const DOCTOR_USAGE: &str = "\
usage: pyo3-guard doctor [PROJECT_DIR] [--python PATH] [--fix] [--json]

Answers, for the maturin project in PROJECT_DIR (default: the current directory; the folder of
its pyproject.toml, of its crate, or a Cargo workspace holding one maturin project): which build
of its module will Python load, started in the current directory, and is it fresh? Lists every
copy of the module on the interpreter's sys.path (in Python's own search order) and the built
wheels in the target directory, each fresh, stale (with the changed inputs) or unverifiable,
with who installed it; then names the cause and prints the fix.

  --python PATH   the interpreter to ask (default: the .venv beside pyproject.toml or in the
                  nearest folder above it, else python3)
  --fix           add the missing [tool.uv] cache-keys to pyproject.toml (comments and
                  formatting kept), and say what was added
  --json          the same findings as one JSON object (for scripts and CI): outcome,
                  exit_code, reason, cause, fixes, notes, copies (sys.path order; the first is
                  what Python loads) and wheels, each with path, kind, verdict, build_id,
                  profile, built_at, installer and the changed, added and removed inputs;
                  with --fix also fix_added (the entries added) and fix_error

exit status: 0 fresh; 1 stale or shadowed; 2 could not tell (the reason is printed).
";

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Ok(Command::Usage);
    };
    match first.to_str() {
        Some("-h" | "--help") => Ok(Command::Help(USAGE)),
        Some("-V" | "--version") => Ok(Command::Version),
        Some("help") => match args.next().as_ref().and_then(|a| a.to_str()) {
            None => Ok(Command::Help(USAGE)),
            Some("inspect") => Ok(Command::Help(INSPECT_USAGE)),
            Some("doctor") => Ok(Command::Help(DOCTOR_USAGE)),
            Some(other) => Err(format!(
                "no command `{other}`; the commands are inspect and doctor"
            )),
        },
        Some("inspect") => inspect(args),
        Some("doctor") => doctor(args),
        _ => Err(format!(
            "no command `{}`; the commands are inspect and doctor",
            first.to_string_lossy()
        )),
    }
}

/// An argument: an option (with its `=value` split off) or a positional value.
enum Arg {
    Option(String, Option<OsString>),
    Value(OsString),
}

/// Splits `--name=value`; everything after `--` is a value.
fn args_of(args: impl Iterator<Item = OsString>) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut only_values = false;
    for arg in args {
        let text = arg.to_str().unwrap_or_default();
        if only_values || !text.starts_with('-') || text == "-" {
            out.push(Arg::Value(arg));
        } else if text == "--" {
            only_values = true;
        } else if let Some((name, value)) = text.split_once('=') {
            out.push(Arg::Option(name.to_owned(), Some(value.into())));
        } else {
            out.push(Arg::Option(text.to_owned(), None));
        }
    }
    out
}

fn inspect(args: impl Iterator<Item = OsString>) -> Result<Command, String> {
    let (mut json, mut require_dist) = (false, false);
    let mut paths = Vec::new();
    for arg in args_of(args) {
        match arg {
            Arg::Value(path) => paths.push(PathBuf::from(path)),
            Arg::Option(name, _) if name == "-h" || name == "--help" => {
                return Ok(Command::Help(INSPECT_USAGE))
            }
            Arg::Option(name, None) if name == "--json" => json = true,
            Arg::Option(name, None) if name == "--require-dist" => require_dist = true,
            Arg::Option(name, _) => return Err(unknown("inspect", &name)),
        }
    }
    if paths.is_empty() {
        return Err("inspect needs at least one PATH (an extension module or a wheel)".into());
    }
    Ok(Command::Inspect {
        json,
        require_dist,
        paths,
    })
}

fn doctor(args: impl Iterator<Item = OsString>) -> Result<Command, String> {
    let (mut project, mut python, mut fix, mut json) = (None, None, false, false);
    let mut args = args_of(args).into_iter();
    while let Some(arg) = args.next() {
        match arg {
            Arg::Value(dir) if project.is_none() => project = Some(PathBuf::from(dir)),
            Arg::Value(extra) => {
                return Err(format!(
                    "doctor takes one PROJECT_DIR, got another: {}",
                    extra.to_string_lossy()
                ))
            }
            Arg::Option(name, _) if name == "-h" || name == "--help" => {
                return Ok(Command::Help(DOCTOR_USAGE))
            }
            Arg::Option(name, None) if name == "--fix" => fix = true,
            Arg::Option(name, None) if name == "--json" => json = true,
            Arg::Option(name, value) if name == "--python" => {
                let value = match value {
                    Some(value) => value,
                    None => match args.next() {
                        Some(Arg::Value(value)) => value,
                        _ => return Err("--python needs a PATH to an interpreter".into()),
                    },
                };
                python = Some(PathBuf::from(value));
            }
            Arg::Option(name, _) => return Err(unknown("doctor", &name)),
        }
    }
    Ok(Command::Doctor {
        project,
        python,
        fix,
        json,
    })
}

fn unknown(command: &str, option: &str) -> String {
    format!("unknown option `{option}` for {command}; see `pyo3-guard help {command}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn inspect_takes_paths_and_json() {
        assert_eq!(
            parse_str(&["inspect", "a.so", "--json", "--", "-b.whl"]),
            Ok(Command::Inspect {
                json: true,
                require_dist: false,
                paths: vec!["a.so".into(), "-b.whl".into()]
            })
        );
        assert_eq!(
            parse_str(&["inspect", "--require-dist", "dist/a.whl"]),
            Ok(Command::Inspect {
                json: false,
                require_dist: true,
                paths: vec!["dist/a.whl".into()]
            })
        );
        assert_eq!(
            parse_str(&["inspect"]).unwrap_err(),
            "inspect needs at least one PATH (an extension module or a wheel)"
        );
        assert_eq!(
            parse_str(&["inspect", "--jsn", "a.so"]).unwrap_err(),
            "unknown option `--jsn` for inspect; see `pyo3-guard help inspect`"
        );
        assert_eq!(
            parse_str(&["inspect", "--json=yes", "a"]).unwrap_err(),
            "unknown option `--json` for inspect; see `pyo3-guard help inspect`"
        );
    }

    #[test]
    fn doctor_options_in_any_order_and_both_spellings() {
        let expected = Command::Doctor {
            project: Some("proj".into()),
            python: Some("/usr/bin/python3".into()),
            fix: true,
            json: false,
        };
        assert_eq!(
            parse_str(&["doctor", "--fix", "proj", "--python", "/usr/bin/python3"]),
            Ok(expected.clone())
        );
        assert_eq!(
            parse_str(&["doctor", "--python=/usr/bin/python3", "proj", "--fix"]),
            Ok(expected)
        );
        assert_eq!(
            parse_str(&["doctor"]),
            Ok(Command::Doctor {
                project: None,
                python: None,
                fix: false,
                json: false
            })
        );
        assert_eq!(
            parse_str(&["doctor", "--json"]),
            Ok(Command::Doctor {
                project: None,
                python: None,
                fix: false,
                json: true
            })
        );
        assert_eq!(
            parse_str(&["doctor", "--python"]).unwrap_err(),
            "--python needs a PATH to an interpreter"
        );
        assert_eq!(
            parse_str(&["doctor", "--python", "--fix"]).unwrap_err(),
            "--python needs a PATH to an interpreter"
        );
        assert_eq!(
            parse_str(&["doctor", "a", "b"]).unwrap_err(),
            "doctor takes one PROJECT_DIR, got another: b"
        );
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse_str(&[]), Ok(Command::Usage));
        assert_eq!(parse_str(&["--help"]), Ok(Command::Help(USAGE)));
        assert_eq!(
            parse_str(&["help", "doctor"]),
            Ok(Command::Help(DOCTOR_USAGE))
        );
        assert_eq!(
            parse_str(&["doctor", "-h"]),
            Ok(Command::Help(DOCTOR_USAGE))
        );
        assert_eq!(
            parse_str(&["inspect", "--help"]),
            Ok(Command::Help(INSPECT_USAGE))
        );
        assert_eq!(parse_str(&["-V"]), Ok(Command::Version));
        assert_eq!(
            parse_str(&["inspetc"]).unwrap_err(),
            "no command `inspetc`; the commands are inspect and doctor"
        );
    }
}
