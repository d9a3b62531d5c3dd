//! Turning a stale [`Report`] into an explanation: who installed the loaded file, the likely
//! cause, and the fix. Shared by the Python exception and the CLI so both say the same thing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::check::{Report, Verdict};
pub use crate::install::{Installation, PythonEnv};
use crate::record::Record;

/// How many paths of each kind a message lists before it gives a count.
const LISTED: usize = 20;

/// How the loaded file came to be where Python finds it: one cause, with its message, its
/// fixes and the command that rebuilds it, all decided by [`diagnose`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// uv built the wheel itself (PEP 517, `uv_build.json`) and installed it (`uv run`, `uv sync`).
    UvBuild,
    /// An editable install of these sources: `maturin develop` (through pip or uv) or
    /// `pip install -e`.
    Editable,
    /// In the source tree (a mixed layout's extension), and no install this interpreter sees
    /// links to it: `maturin develop` for another environment left it.
    SourceTree,
    /// Outside the sources, and no installed distribution owns it: a stray build.
    Stray,
    /// An installed wheel, not editable: from an index or a wheel file.
    Wheel,
    /// Python did not say which file it loaded.
    Unknown,
}

impl Cause {
    /// Decides the cause from where `loaded` is and who installed it.
    pub fn of(loaded: Option<&Path>, in_sources: bool, installed: &Installation) -> Cause {
        match (loaded, &installed.dist_info) {
            (_, Some(_)) if installed.built_by_uv => Cause::UvBuild,
            (_, Some(_)) if installed.editable => Cause::Editable,
            (_, Some(_)) => Cause::Wheel,
            (Some(_), None) if in_sources => Cause::SourceTree,
            (Some(_), None) => Cause::Stray,
            (None, None) => Cause::Unknown,
        }
    }
}

/// A command that rebuilds the module and installs it where Python loads it from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuild {
    /// The program (`maturin`, `uv`, a venv's `python`), by path when it was found.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Where it runs: the project (pyproject.toml's directory).
    pub dir: PathBuf,
    /// `VIRTUAL_ENV`: the environment the running interpreter belongs to.
    pub venv: Option<PathBuf>,
    /// The tool as users name it (`maturin`, `uv`, `pip`), for "not installed" messages.
    pub tool: &'static str,
    /// The command as it is pasted in a shell: what the fix line prints.
    pub shown: String,
}

impl Rebuild {
    /// The process to start: in the project, in the running interpreter's environment, reading
    /// nothing from stdin.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.dir)
            .stdin(std::process::Stdio::null());
        if let Some(venv) = &self.venv {
            // maturin refuses to choose when both are set.
            command.env("VIRTUAL_ENV", venv).env_remove("CONDA_PREFIX");
        }
        command
    }

    /// The rebuild lock: one rebuild at a time per environment, in the venv the rebuild
    /// installs into (else beside the build, in the target directory).
    pub fn lock_path(&self) -> PathBuf {
        match &self.venv {
            Some(venv) => venv.join(".pyo3-guard-rebuild.lock"),
            None => std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| self.dir.join("target"), PathBuf::from)
                .join(".pyo3-guard-rebuild.lock"),
        }
    }

    /// Why it could not start, as the end of "`COMMAND` ...".
    pub fn spawn_error(&self, e: &std::io::Error) -> String {
        match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "could not start: {} is not installed (looked in the environment and on PATH); \
                 install it, or rebuild by hand",
                self.tool
            ),
            _ => format!("could not start ({e})"),
        }
    }
}

/// The part of a failed build's output that says why, indented: from the first error line on
/// (the compiler's message), else the last 40 lines; at most 60 lines.
pub fn failure_lines(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let first_error = lines
        .iter()
        .position(|l| l.starts_with("error") || l.contains("💥") || l.contains("error:"));
    let from = first_error.unwrap_or(lines.len().saturating_sub(40));
    let mut text = lines[from..]
        .iter()
        .take(60)
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > from + 60 {
        text.push_str(&format!(
            "\n    ... and {} more lines",
            lines.len() - from - 60
        ));
    }
    text
}

/// A likely cause of staleness and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// How the loaded file came to be there.
    pub kind: Cause,
    /// One sentence, or `None` when the build is not stale.
    pub cause: Option<String>,
    /// Things to do, most specific first; each may span lines.
    pub fixes: Vec<String>,
    /// What heal and `doctor --rebuild` run, or why nothing can rebuild this install.
    pub rebuild: Result<Rebuild, String>,
    /// Who installed the loaded file.
    pub installed: Installation,
}

impl Default for Diagnosis {
    fn default() -> Diagnosis {
        Diagnosis {
            kind: Cause::Unknown,
            cause: None,
            fixes: Vec::new(),
            rebuild: Err("the build is not stale".into()),
            installed: Installation::default(),
        }
    }
}

/// Explains `report` for the extension `loaded` (the file Python imported) in the interpreter
/// `python`: the cause, the fixes and the rebuild command, from one decision ([`Cause::of`]).
/// Every fix ends in a command that works when pasted in the current directory. The one place
/// that decides how each kind of install is rebuilt: the message, `doctor` and heal all use it.
pub fn diagnose(
    record: &Record,
    report: &Report,
    loaded: Option<&Path>,
    python: &PythonEnv,
) -> Diagnosis {
    // maturin and uv run where pyproject.toml is (with `manifest-path`, above the crate).
    let project = report
        .source_root
        .as_deref()
        .map(|root| project_dir(root, record));
    if report.verdict != Verdict::Stale {
        let installed = loaded.map(Installation::of).unwrap_or_default();
        return Diagnosis {
            installed,
            ..Diagnosis::default()
        };
    }
    let installed = loaded.map_or_else(Installation::default, |file| {
        Installation::find(file, project.as_deref(), &python.site_dirs)
    });
    let in_sources = loaded.is_some_and(|p| in_source_tree(p, report, record));
    let kind = Cause::of(loaded, in_sources, &installed);
    let dir = project.clone().unwrap_or_else(|| PathBuf::from("."));
    let profile = &record.profile;
    let name = installed
        .distribution()
        .unwrap_or_else(|| record.crate_name.clone());
    let mut d = Diagnosis {
        kind,
        installed: installed.clone(),
        ..Diagnosis::default()
    };
    let loaded_shown = loaded.map(|p| p.display().to_string()).unwrap_or_default();
    match kind {
        Cause::UvBuild => {
            let dist = installed
                .dist_info
                .as_deref()
                .map(file_name)
                .unwrap_or_default();
            let rebuild = uv_rebuild(&dir, &name, &installed, python);
            let cache_keys = report
                .source_root
                .as_deref()
                .and_then(|root| missing_cache_keys(root, record));
            if covered_by_cache_keys(report, record) {
                // uv's template project: the cache keys cover the edit, so uv rebuilds on its
                // next `uv run`; this Python was started without it.
                d.cause = Some(format!(
                    "uv built and installed this {profile} build ({dist} holds uv_build.json) before the sources \
                     changed; `uv run` rebuilds it (the [tool.uv] cache-keys in pyproject.toml cover the change), \
                     but this Python was started without uv"
                ));
                d.fixes.push(format!(
                    "start Python through uv, which rebuilds it first: {}",
                    in_dir(&dir, "uv run python")
                ));
                d.fixes
                    .push(format!("or rebuild it now: {}", rebuild.shown));
                if let Some(lines) = cache_keys {
                    d.fixes.push(format!(
                        "so that uv also rebuilds when the other inputs change; in pyproject.toml:\n{lines}"
                    ));
                }
            } else {
                d.cause = Some(format!(
                    "uv reinstalled a {profile} wheel it built and cached earlier ({dist} holds uv_build.json): \
                     `uv run` and `uv sync` reuse that build until one of uv's cache keys changes, \
                     replacing any newer `maturin develop` build"
                ));
                if let Some(lines) = cache_keys {
                    d.fixes.push(format!(
                        "make uv rebuild when the Rust inputs change; in pyproject.toml:\n{lines}"
                    ));
                }
                d.fixes.push(format!("or rebuild once: {}", rebuild.shown));
            }
            d.rebuild = Ok(rebuild);
        }
        Cause::Editable | Cause::SourceTree => {
            let rebuild = develop_rebuild(&dir, profile, &installed, python);
            d.cause = Some(match (kind, installed.installer.as_deref()) {
                (Cause::SourceTree, _) => format!(
                    "Python loaded {loaded_shown}, a {profile} build placed in the source tree by `maturin develop` \
                     (for an environment this Python does not use), made before the sources changed"
                ),
                (_, Some("uv")) => format!(
                    "the {profile} build of the editable install (`maturin develop`, which installs through uv \
                     in a uv venv) was made before the sources changed"
                ),
                (_, Some(installer)) => format!(
                    "the {profile} build of the editable install (`maturin develop` or `{installer} install -e`) \
                     was made before the sources changed"
                ),
                (_, None) => format!(
                    "the {profile} build of the editable install was made before the sources changed"
                ),
            });
            d.fixes.push(format!("rebuild: {}", rebuild.shown));
            d.rebuild = Ok(rebuild);
        }
        Cause::Stray => {
            d.cause = Some(format!(
                "Python loaded {loaded_shown}, which no installed distribution owns: a stray build \
                 (left in the current directory or on PYTHONPATH?) shadows the installed module"
            ));
            let rm = format!("rm {}", shell_quote(&loaded_shown));
            d.fixes.push(format!("remove it: {rm}"));
            d.rebuild = Err(format!(
                "no rebuild replaces a stray build, and pyo3-guard deletes no file: remove it ({rm})"
            ));
        }
        Cause::Wheel => {
            let by = installed
                .installer
                .as_deref()
                .map(|i| format!(" by {i}"))
                .unwrap_or_default();
            d.cause = Some(format!(
                "the {profile} build was installed{by} from a wheel (an index or a wheel file), not from these \
                 sources, and they changed since it was built"
            ));
            let develop = develop_rebuild(&dir, profile, &installed, python);
            d.fixes.push(format!(
                "no rebuild updates a wheel; to use these sources instead: {}",
                develop.shown
            ));
            d.rebuild = Err(format!(
                "{name} was installed from a wheel, not from these sources: nothing here rebuilds it"
            ));
        }
        Cause::Unknown => {
            d.cause = Some(format!(
                "the {profile} build was made before the sources changed"
            ));
            let rebuild = develop_rebuild(&dir, profile, &installed, python);
            d.fixes.push(format!("rebuild: {}", rebuild.shown));
            d.rebuild = Err("Python did not say which file it loaded".into());
        }
    }
    d.fixes
        .push("restart Python afterwards: a loaded extension module is never reloaded".into());
    d
}

/// uv's own rebuild: `uv sync` for a uv project (a `uv.lock` beside pyproject.toml), else
/// `uv pip install` of the project, as uv installed it. uv decides the profile, as it did
/// (release, or `[tool.maturin] editable-profile` for an editable install).
fn uv_rebuild(dir: &Path, name: &str, installed: &Installation, python: &PythonEnv) -> Rebuild {
    let own_venv = python
        .venv
        .as_deref()
        .is_none_or(|v| is_project_venv(v, dir));
    let mut args: Vec<String> = if dir.join("uv.lock").is_file() {
        // `--inexact`, as `uv run` syncs: packages installed by hand stay.
        let mut args = vec!["sync".into(), "--inexact".into()];
        if !own_venv {
            args.push("--active".into()); // the running interpreter's venv, not the project's
        }
        args
    } else {
        let mut args = vec!["pip".into(), "install".into()];
        if let Some(exe) = &python.executable {
            args.extend(["--python".into(), exe.to_string_lossy().into_owned()]);
        }
        args.push(if installed.editable { "-e" } else { "" }.into());
        args.retain(|a| !a.is_empty());
        args.push(".".into());
        args
    };
    args.extend(["--reinstall-package".into(), name.into()]);
    let program = python.tool("uv").unwrap_or_else(|| "uv".into());
    command(program, "uv", args, dir, python, own_venv)
}

/// `maturin develop` with the profile of the build it replaces, in the running interpreter's
/// environment, with the venv's own maturin when it has one. Without any maturin, an install by
/// pip is rebuilt as pip made it: `pip install -e` (whose backend picks the profile).
fn develop_rebuild(
    dir: &Path,
    profile: &str,
    installed: &Installation,
    python: &PythonEnv,
) -> Rebuild {
    let own_venv = python
        .venv
        .as_deref()
        .is_none_or(|v| is_project_venv(v, dir));
    let maturin = python.tool("maturin");
    if let (None, Some("pip"), Some(exe)) =
        (&maturin, installed.installer.as_deref(), &python.executable)
    {
        let args = ["-m", "pip", "install", "--no-deps", "-e", "."];
        return command(
            exe.clone(),
            "pip",
            args.map(String::from).to_vec(),
            dir,
            python,
            true,
        );
    }
    let program = python
        .venv_tool("maturin")
        .or(maturin)
        .unwrap_or_else(|| "maturin".into());
    let args = develop_command(profile)
        .split(' ')
        .skip(1)
        .map(|a| a.trim_matches('\'').to_owned())
        .collect();
    command(program, "maturin", args, dir, python, own_venv)
}

fn command(
    program: PathBuf,
    tool: &'static str,
    args: Vec<String>,
    dir: &Path,
    python: &PythonEnv,
    own_venv: bool,
) -> Rebuild {
    // What is pasted names the tool as PATH finds it; the venv's own copy, and a Python, by path.
    let by_path = tool == "pip" || python.venv_tool(tool).as_deref() == Some(program.as_path());
    let shown_program = if by_path {
        shell_quote(&program.to_string_lossy())
    } else {
        tool.to_owned()
    };
    let mut shown = String::new();
    if let (false, Some(venv)) = (own_venv, &python.venv) {
        shown.push_str(&format!(
            "VIRTUAL_ENV={} ",
            shell_quote(&venv.to_string_lossy())
        ));
    }
    shown.push_str(&shown_program);
    for arg in &args {
        shown.push(' ');
        shown.push_str(&shell_quote(arg));
    }
    Rebuild {
        program,
        args,
        dir: dir.to_path_buf(),
        venv: python.venv.clone(),
        tool,
        shown: in_dir(dir, &shown),
    }
}

/// Whether `venv` is the project's own `.venv` (the one maturin and uv find by themselves).
fn is_project_venv(venv: &Path, project: &Path) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    canon(venv) == canon(&project.join(".venv"))
}

/// Whether every changed, added and removed input is matched by a `[tool.uv] cache-keys` glob
/// of the project's pyproject.toml: then uv's next `uv run` rebuilds.
fn covered_by_cache_keys(report: &Report, record: &Record) -> bool {
    let Some(root) = report.source_root.as_deref() else {
        return false;
    };
    let project = project_dir(root, record);
    let Ok(text) = std::fs::read_to_string(project.join("pyproject.toml")) else {
        return false;
    };
    let globs = crate::cache_keys::listed(&text);
    let mut paths = report
        .changed
        .iter()
        .chain(&report.added)
        .chain(&report.removed);
    paths.all(|rel| {
        let path = crate::inputs::normalize(&root.join(rel));
        let rel = crate::inputs::relative_path(&project, Path::new(&path));
        globs.iter().any(|g| crate::matches_segment(g, &rel))
    })
}

/// `maturin develop` for the profile of the build it replaces.
pub fn develop_command(profile: &str) -> String {
    match profile {
        "" | "dev" => "maturin develop".into(),
        "release" => "maturin develop --release".into(),
        other => format!("maturin develop --profile {}", shell_quote(other)),
    }
}

/// `command` run in `dir`: as it is when that is the current directory, else after a `cd`.
pub fn in_dir(dir: &Path, command: &str) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    if cwd.as_deref() == Some(dir) {
        command.to_owned()
    } else {
        format!("cd {} && {command}", shell_quote(&dir.to_string_lossy()))
    }
}

/// `word` as a POSIX shell reads it back: unchanged when it is plain, else in single quotes.
pub fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The directory of the pyproject.toml that builds the crate at `root` (the record says where
/// it was; without that, beside the crate).
pub fn project_dir(root: &Path, record: &Record) -> PathBuf {
    let rel = record.pyproject.as_deref().unwrap_or("pyproject.toml");
    let pyproject = PathBuf::from(crate::inputs::normalize(&root.join(rel)));
    pyproject
        .parent()
        .map_or_else(|| root.to_path_buf(), Path::to_path_buf)
}

/// An extension in the project (a mixed layout's, placed by an editable install), not in an
/// environment. The project, not the crate: with `manifest-path = "rust/Cargo.toml"` the
/// package folder (`python/pkg/`) is beside the crate, not in it.
fn in_source_tree(loaded: &Path, report: &Report, record: &Record) -> bool {
    report.source_root.as_deref().is_some_and(|root| {
        loaded.starts_with(root) || loaded.starts_with(project_dir(root, record))
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `[tool.uv] cache-keys` that make uv rebuild the crate at `root` when an input changes,
/// as TOML lines, or `None` when its pyproject.toml already has them all (or there is none).
pub fn missing_cache_keys(root: &Path, record: &Record) -> Option<String> {
    let text = std::fs::read_to_string(project_dir(root, record).join("pyproject.toml")).ok()?;
    let present = crate::cache_keys::listed(&text);
    let wanted = cache_key_globs(Some(root), record);
    if wanted.iter().all(|w| present.contains(w)) {
        return None;
    }
    let all: Vec<String> = present
        .iter()
        .chain(wanted.iter().filter(|w| !present.contains(w)))
        .cloned()
        .collect();
    let entries: String = all
        .iter()
        .map(|f| format!("        {{ file = \"{f}\" }},\n"))
        .collect();
    Some(format!("    [tool.uv]\n    cache-keys = [\n{entries}    ]"))
}

/// The cache-key globs covering the inputs of the crate at `root` (default: the recorded source
/// root): pyproject.toml, every manifest and build script and lock file by name, and each
/// crate's `src/**/*.rs`. uv reads them relative to pyproject.toml's directory; those that climb
/// more than two levels out of it are absolute.
pub fn cache_key_globs(root: Option<&Path>, record: &Record) -> Vec<String> {
    let root = root.or(record.source_root.as_deref().map(Path::new));
    let project = root.map(|root| project_dir(root, record));
    let mut globs = vec!["pyproject.toml".to_owned()];
    for input in &record.inputs {
        let rel = match (root, &project) {
            (Some(root), Some(project)) => {
                let path = crate::inputs::normalize(&root.join(&input.rel));
                display_input(
                    Some(project),
                    &crate::inputs::relative_path(project, Path::new(&path)),
                )
            }
            _ => input.rel.clone(),
        };
        // The `src/` component that starts a crate's tree (not `core_src/`).
        let tree = if rel.starts_with("src/") {
            Some(0)
        } else {
            rel.find("/src/").map(|i| i + 1)
        };
        let glob = match tree {
            Some(at) if rel.ends_with(".rs") => format!("{}src/**/*.rs", &rel[..at]),
            Some(_) => continue,
            None => rel,
        };
        if !globs.contains(&glob) {
            globs.push(glob);
        }
    }
    // The project's own files first, then those of path dependencies outside it.
    let outside = |g: &String| g.starts_with('/') || g.starts_with("..");
    let (mut own, others): (Vec<_>, Vec<_>) = globs.into_iter().partition(|g| !outside(g));
    own.extend(others);
    own
}

/// The whole explanation of a stale build of the module users import as `name`.
pub fn stale_message(
    name: &str,
    record: &Record,
    report: &Report,
    loaded: Option<&Path>,
    diagnosis: &Diagnosis,
) -> String {
    let mut out =
        format!("{name} is stale: the loaded binary was not built from the sources on disk now.\n");
    if let Some(loaded) = loaded {
        let _ = writeln!(out, "  loaded:  {}", loaded.display());
    }
    let _ = writeln!(
        out,
        "  build:   {} ({} profile, built {})",
        record.build_id,
        record.profile,
        format_time(record.built_at)
    );
    if let Some(root) = &report.source_root {
        let _ = writeln!(out, "  sources: {}", root.display());
    }
    for (label, paths) in [
        ("changed", &report.changed),
        ("added", &report.added),
        ("removed", &report.removed),
    ] {
        for path in paths.iter().take(LISTED) {
            let _ = writeln!(
                out,
                "  {label}: {}",
                display_input(report.source_root.as_deref(), path)
            );
        }
        if paths.len() > LISTED {
            let _ = writeln!(out, "  ... and {} more {label}", paths.len() - LISTED);
        }
    }
    if let Some(cause) = &diagnosis.cause {
        let _ = writeln!(out, "likely cause: {cause}");
    }
    for fix in &diagnosis.fixes {
        let _ = writeln!(out, "fix: {fix}");
    }
    out.truncate(out.trim_ascii_end().len());
    out
}

/// An input path as a person reads it: relative to the project, or absolute when it climbs
/// more than two levels out of it.
pub fn display_input(root: Option<&Path>, rel: &str) -> String {
    match root {
        Some(root) if rel.starts_with("../../../") => crate::inputs::normalize(&root.join(rel)),
        _ => rel.to_owned(),
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` from Unix seconds (civil-from-days, no time-zone database).
pub fn format_time(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded inputs at these relative paths (sizes, times and hashes do not matter here).
    fn recorded(rels: &[&str]) -> Vec<crate::record::RecordedInput> {
        rels.iter()
            .map(|rel| crate::record::RecordedInput {
                rel: rel.to_string(),
                size: 0,
                mtime_ns: 0,
                hash: String::new(),
            })
            .collect()
    }

    #[test]
    fn formats_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            format_time(1_732_406_400 + 3_661),
            "2024-11-24 01:01:01 UTC"
        );
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn cache_keys_cover_each_crate() {
        let record = Record {
            inputs: recorded(&[
                "Cargo.lock",
                "Cargo.toml",
                "build.rs",
                "src/lib.rs",
                "src/a/b.rs",
                "src/data.txt",
                "../core/Cargo.toml",
                "../core/src/lib.rs",
            ]),
            ..Record::default()
        };
        assert_eq!(
            cache_key_globs(None, &record),
            [
                "pyproject.toml",
                "Cargo.lock",
                "Cargo.toml",
                "build.rs",
                "src/**/*.rs",
                "../core/Cargo.toml",
                "../core/src/**/*.rs"
            ]
        );
        let far = Record {
            source_root: Some("/home/me/project".into()),
            inputs: recorded(&[
                "../../../opt/core/src/lib.rs",
                "../core/src/lib.rs",
                "src/lib.rs",
            ]),
            ..Record::default()
        };
        assert_eq!(
            cache_key_globs(None, &far),
            [
                "pyproject.toml",
                "src/**/*.rs",
                "/opt/core/src/**/*.rs",
                "../core/src/**/*.rs"
            ]
        );
    }

    #[test]
    fn cache_keys_are_relative_to_the_pyproject_that_names_the_crate() {
        let inputs = [
            "Cargo.lock",
            "Cargo.toml",
            "src/lib.rs",
            "../core_src/src/lib.rs",
            "../core_src/Cargo.toml",
        ];
        let record = Record {
            source_root: Some("/p/rust".into()),
            pyproject: Some("../pyproject.toml".into()),
            inputs: recorded(&inputs),
            ..Record::default()
        };
        assert_eq!(project_dir(Path::new("/p/rust"), &record), Path::new("/p"));
        assert_eq!(
            cache_key_globs(None, &record),
            [
                "pyproject.toml",
                "rust/Cargo.lock",
                "rust/Cargo.toml",
                "rust/src/**/*.rs",
                "core_src/src/**/*.rs",
                "core_src/Cargo.toml"
            ]
        );
    }

    #[test]
    fn fix_commands_paste_as_they_are() {
        assert_eq!(develop_command("dev"), "maturin develop");
        assert_eq!(develop_command("release"), "maturin develop --release");
        assert_eq!(develop_command("bench"), "maturin develop --profile bench");
        assert_eq!(shell_quote("/a/b-c.so"), "/a/b-c.so");
        assert_eq!(shell_quote("/my dir/it's"), "'/my dir/it'\\''s'");
        let elsewhere = std::env::temp_dir().join("no such dir");
        assert_eq!(
            in_dir(&elsewhere, "maturin develop"),
            format!("cd '{}' && maturin develop", elsewhere.display())
        );
    }
}
