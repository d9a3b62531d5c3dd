//! The command line, parsed with clap's derive as maturin, uv and ruff parse theirs: `--help` on
//! every command, `help COMMAND`, `--version`, and usage errors that show the usage line and
//! exit 2.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Read a PyO3 extension's build identity, tell whether Python loads a fresh build, and convert
/// a PyO3 project to pyo3-guard.
#[derive(Debug, Parser)]
#[command(name = "pyo3-guard", version, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What the command line asks for.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The build record of extension modules or wheels, read without importing them
    ///
    /// Reads the build record pyo3-guard embeds in an extension module (.so, .pyd, .dylib) or in
    /// each extension module of a wheel (.whl), without loading or importing anything: build id,
    /// crate, version, profile, whether it is a full build (with the check) or a distribution
    /// build (PYO3_GUARD_DIST=1: without it), features, target, build time and source root. The
    /// build id is the one the module reports as __build_id__.
    Inspect(InspectArgs),
    /// Which build of the project's module Python loads, whether it is fresh, and the fix
    ///
    /// Answers, for the maturin project in PROJECT_DIR: which build of its module will Python load,
    /// started in the current directory, and is it fresh? Lists every copy of the module on the
    /// interpreter's sys.path (in Python's own search order) and the built wheels in the target
    /// directory, each fresh, stale (with the changed inputs) or unverifiable, with who installed
    /// it; then names the cause and prints the fix.
    Doctor(DoctorArgs),
    /// Convert a PyO3 project to pyo3-guard: dependencies, build.rs, prelude, module, pytest hook
    ///
    /// Makes every edit of the README's quick start in the maturin project in PROJECT_DIR: the two
    /// dependencies in Cargo.toml, the call in build.rs, pyo3-guard's prelude in every file that
    /// uses PyO3's, `#[guarded_pymodule]` on the module maturin builds, the re-export line of a mixed
    /// layout's __init__.py, the pytest hook in conftest.py and the `[tool.uv] cache-keys`. A function
    /// module's add lines stay: its body adds those items in its own order, so `__all__` keeps it.
    /// The module's Python names stay as they were: every
    /// `#[pyclass]` and `#[pyfunction]` that nothing added by hand gets `#[guard(skip)]` (listed; delete
    /// the mark to publish one). Comments and formatting are kept; running it again changes nothing.
    Convert(ConvertArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "exit status: 0 every file had a record (and with --require-dist, every \
                  record is a distribution build); 1 otherwise (one line per file on stderr); \
                  2 bad usage."
)]
pub struct InspectArgs {
    /// One JSON array with an object per record (its build: full or distribution, null for a
    /// record that does not say)
    #[arg(long)]
    pub json: bool,
    /// Fail for any full build, one line each on stderr: the release check of a CI job, as in
    /// `pyo3-guard inspect --require-dist dist/*.whl`
    #[arg(long)]
    pub require_dist: bool,
    /// Extension modules or wheels
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "exit status: 0 fresh; 1 stale or shadowed; 2 could not tell (the reason \
                        is printed)."
)]
pub struct DoctorArgs {
    /// The project: the folder of its pyproject.toml, of its crate, or a Cargo workspace holding
    /// one maturin project [default: the current directory]
    #[arg(value_name = "PROJECT_DIR")]
    pub project: Option<PathBuf>,
    /// The interpreter to ask [default: the .venv beside pyproject.toml or in the nearest folder
    /// above it, else python3]
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Add the missing `[tool.uv] cache-keys` to pyproject.toml (comments and formatting kept),
    /// and say what was added
    #[arg(long)]
    pub fix: bool,
    /// The same findings as one JSON object (for scripts and CI): outcome, exit_code, reason,
    /// cause, fixes, notes, copies (sys.path order; the first is what Python loads) and wheels;
    /// with --fix also fix_added and fix_error
    #[arg(long)]
    pub json: bool,
    /// When Python loads a stale build, run the rebuild the fix names (one at a time per
    /// environment), then check again; the exit status is the new check's
    #[arg(long)]
    pub rebuild: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "exit status: 0 converted, or nothing to do; 1 not converted (the reason \
                        is printed, and no file was changed); 2 bad usage."
)]
pub struct ConvertArgs {
    /// The project: the folder of its pyproject.toml, of its crate, or a Cargo workspace holding
    /// one maturin project [default: the current directory]
    #[arg(value_name = "PROJECT_DIR")]
    pub project: Option<PathBuf>,
    /// Print the edits as a unified diff and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Convert even when files it edits have uncommitted changes in git
    #[arg(long)]
    pub allow_dirty: bool,
    /// Publish every `#[pyclass]` and `#[pyfunction]`, also those nothing added before (no
    /// `#[guard(skip)]` marks)
    #[arg(long)]
    pub publish_all: bool,
    /// Delete the module function's lines that only add an item that now adds itself
    /// (`m.add_class::<T>()?;`, `m.add_function(wrap_pyfunction!(f, m)?)?;`); every other line
    /// stays, listed with why. Registration then adds these items in name order: `__all__` order
    /// changes
    #[arg(long)]
    pub delete_add_lines: bool,
    /// Take pyo3-guard from a clone of its repository (DIR: the clone's root) instead of
    /// crates.io
    #[arg(long, value_name = "DIR", conflicts_with = "git")]
    pub path: Option<PathBuf>,
    /// Take pyo3-guard from a git repository instead of crates.io
    #[arg(long, value_name = "URL")]
    pub git: Option<String>,
    /// Hidden (for scripts/pyo3-conformance): only the Rust source edits, in every `.rs` file
    /// under these paths, lines kept; no manifest, build.rs, Python file or top module
    #[arg(long, hide = true, value_name = "PATH", num_args = 1.., conflicts_with_all = ["project", "publish_all", "path", "git"])]
    pub sources_only: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("pyo3-guard").chain(args.iter().copied()))
            .map(|cli| cli.command)
    }

    #[test]
    fn the_command_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn inspect_takes_paths_and_json() {
        let Ok(Command::Inspect(args)) = parse(&["inspect", "a.so", "--json", "--", "-b.whl"])
        else {
            panic!("not inspect")
        };
        assert!(args.json && !args.require_dist);
        assert_eq!(args.paths, [PathBuf::from("a.so"), PathBuf::from("-b.whl")]);
        let Ok(Command::Inspect(dist)) = parse(&["inspect", "--require-dist", "dist/a.whl"]) else {
            panic!("not inspect")
        };
        assert!(dist.require_dist && !dist.json);
        let missing = parse(&["inspect"]).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::MissingRequiredArgument);
        assert!(missing.to_string().contains("<PATH>..."), "{missing}");
        let unknown = parse(&["inspect", "--jsn", "a.so"]).unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::UnknownArgument);
        assert!(
            unknown.to_string().contains("Usage: pyo3-guard inspect"),
            "{unknown}"
        );
    }

    #[test]
    fn doctor_options_in_any_order_and_both_spellings() {
        for args in [
            &["doctor", "--fix", "proj", "--python", "/usr/bin/python3"][..],
            &["doctor", "--python=/usr/bin/python3", "proj", "--fix"],
        ] {
            let Ok(Command::Doctor(d)) = parse(args) else {
                panic!("not doctor")
            };
            assert_eq!(d.project, Some(PathBuf::from("proj")));
            assert_eq!(d.python, Some(PathBuf::from("/usr/bin/python3")));
            assert!(d.fix && !d.json);
        }
        assert!(parse(&["doctor", "--python"]).is_err());
        assert_eq!(
            parse(&["doctor", "a", "b"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
    }

    #[test]
    fn convert_options() {
        let Ok(Command::Convert(c)) = parse(&["convert", "p", "--dry-run", "--path", "/g"]) else {
            panic!("not convert")
        };
        assert!(c.dry_run && !c.allow_dirty && !c.publish_all && !c.delete_add_lines);
        assert_eq!(
            (c.project, c.path),
            (Some("p".into()), Some(PathBuf::from("/g")))
        );
        let Ok(Command::Convert(c)) = parse(&["convert", "--delete-add-lines"]) else {
            panic!("not convert")
        };
        assert!(c.delete_add_lines && !c.dry_run);
        let both = parse(&["convert", "--path", "/g", "--git", "u"]).unwrap_err();
        assert_eq!(both.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn help_and_version() {
        assert_eq!(
            parse(&[]).unwrap_err().kind(),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
        assert_eq!(
            parse(&["--help"]).unwrap_err().kind(),
            ErrorKind::DisplayHelp
        );
        let help = parse(&["help", "convert"]).unwrap_err();
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        assert!(help.to_string().contains("--allow-dirty"), "{help}");
        // What deleting the add lines costs, where the option is.
        assert!(
            help.to_string().contains(
                "Registration then adds these items in name order: `__all__` order changes"
            ),
            "{help}"
        );
        assert_eq!(
            parse(&["-V"]).unwrap_err().kind(),
            ErrorKind::DisplayVersion
        );
        assert_eq!(
            parse(&["inspetc"]).unwrap_err().kind(),
            ErrorKind::InvalidSubcommand
        );
    }
}
