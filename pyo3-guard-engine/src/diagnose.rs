//! Turning a stale [`Report`] into an explanation: who installed the loaded file, the likely
//! cause, and the fix. Shared by the Python exception and the CLI so both say the same thing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::check::{Report, Verdict};
use crate::record::Record;

/// How many paths of each kind a message lists before it gives a count.
const LISTED: usize = 20;

/// What the installed distribution that owns a loaded extension says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installation {
    /// The `*.dist-info` directory whose `RECORD` lists the file, if any.
    pub dist_info: Option<PathBuf>,
    /// Its `INSTALLER` (`uv`, `pip`, ...).
    pub installer: Option<String>,
    /// `uv_build.json` is there: uv built this wheel itself (PEP 517) and cached it.
    pub built_by_uv: bool,
    /// `direct_url.json` says the install is editable.
    pub editable: bool,
}

impl Installation {
    /// Finds the distribution that installed `file` (an extension module inside site-packages).
    pub fn of(file: &Path) -> Installation {
        let Some(owner) = find_dist_info(file) else {
            return Installation::default();
        };
        let read = |name: &str| std::fs::read_to_string(owner.join(name)).ok();
        Installation {
            installer: read("INSTALLER")
                .map(|s| s.trim_ascii().to_owned())
                .filter(|s| !s.is_empty()),
            built_by_uv: owner.join("uv_build.json").is_file(),
            editable: read("direct_url.json")
                .is_some_and(|s| s.replace(' ', "").contains("\"editable\":true")),
            dist_info: Some(owner),
        }
    }
}

/// The `*.dist-info` next to the package directory whose `RECORD` lists `file`.
fn find_dist_info(file: &Path) -> Option<PathBuf> {
    for site in file.ancestors().skip(1).take(3) {
        let Ok(entries) = std::fs::read_dir(site) else {
            continue;
        };
        let rel = file
            .strip_prefix(site)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "dist-info") {
                continue;
            }
            let Ok(record) = std::fs::read_to_string(path.join("RECORD")) else {
                continue;
            };
            if record
                .lines()
                .any(|line| line.split(',').next() == Some(rel.as_str()))
            {
                return Some(path);
            }
        }
    }
    None
}

/// A likely cause of staleness and what to do about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnosis {
    /// One sentence, or `None` when the evidence shows no particular cause.
    pub cause: Option<String>,
    /// Things to do, most specific first; each may span lines.
    pub fixes: Vec<String>,
}

/// Explains `report` for the extension `loaded` (the file Python imported). Every fix ends in a
/// command that works when pasted in the current directory.
pub fn diagnose(
    record: &Record,
    report: &Report,
    loaded: Option<&Path>,
    installed: &Installation,
) -> Diagnosis {
    let mut diagnosis = Diagnosis::default();
    if report.verdict != Verdict::Stale {
        return diagnosis;
    }
    let cache_keys = report
        .source_root
        .as_deref()
        .and_then(|root| missing_cache_keys(root, record));
    // maturin and uv run where pyproject.toml is (with `manifest-path`, above the crate).
    let project = report
        .source_root
        .as_deref()
        .map(|root| project_dir(root, record));
    let here = |command: &str| {
        project
            .as_deref()
            .map_or(command.to_owned(), |dir| in_dir(dir, command))
    };
    let profile = &record.profile;
    if installed.built_by_uv {
        let dist = installed
            .dist_info
            .as_deref()
            .map(file_name)
            .unwrap_or_default();
        diagnosis.cause = Some(format!(
            "uv reinstalled a {profile} wheel it built and cached earlier ({dist} holds uv_build.json): \
             `uv run` and `uv sync` reuse that build until one of uv's cache keys changes, \
             replacing any newer `maturin develop` build"
        ));
        if let Some(lines) = cache_keys {
            diagnosis.fixes.push(format!(
                "make uv rebuild when the Rust inputs change; in pyproject.toml:\n{lines}"
            ));
        }
        let name = distribution_name(record, installed);
        // `--inexact`, as `uv run` syncs: packages installed by hand stay.
        diagnosis.fixes.push(format!(
            "or rebuild once: {}",
            here(&format!("uv sync --inexact --reinstall-package {name}"))
        ));
    } else if let Some(path) = loaded.filter(|p| in_source_tree(p, report, record, installed)) {
        diagnosis.cause = Some(format!(
            "Python loaded {}, a {profile} build placed in the source tree by an editable install \
             (`maturin develop`, `pip install -e`), made before the sources changed",
            path.display()
        ));
        diagnosis
            .fixes
            .push(format!("rebuild: {}", here(&develop_command(profile))));
    } else if let (Some(path), None) = (loaded, &installed.dist_info) {
        diagnosis.cause = Some(format!(
            "Python loaded {}, which no installed distribution owns: a stray build \
             (left in the current directory or on PYTHONPATH?) shadows the installed module",
            path.display()
        ));
        diagnosis.fixes.push(format!(
            "remove it: rm {}",
            shell_quote(&path.to_string_lossy())
        ));
    } else {
        let how = match installed.installer.as_deref() {
            Some("uv") => {
                " installed through uv (`maturin develop` in a uv venv installs through uv too)"
                    .to_owned()
            }
            Some(other) => format!(" installed by {other}"),
            None => String::new(),
        };
        diagnosis.cause = Some(format!(
            "the {profile} build{how} was made before the sources changed"
        ));
        diagnosis.fixes.push(format!(
            "rebuild and reinstall: {}",
            here(&develop_command(profile))
        ));
        if let Some(lines) = cache_keys {
            diagnosis.fixes.push(format!("if you use `uv run`, also make uv rebuild on Rust changes; in pyproject.toml:\n{lines}"));
        }
    }
    diagnosis
        .fixes
        .push("restart Python afterwards: a loaded extension module is never reloaded".into());
    diagnosis
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

/// An editable mixed-layout install: the extension sits in the project, no dist-info owns it.
/// The project, not the crate: with `manifest-path = "rust/Cargo.toml"` the package folder
/// (`python/pkg/`) is beside the crate, not in it.
fn in_source_tree(
    loaded: &Path,
    report: &Report,
    record: &Record,
    installed: &Installation,
) -> bool {
    installed.dist_info.is_none()
        && report.source_root.as_deref().is_some_and(|root| {
            loaded.starts_with(root) || loaded.starts_with(project_dir(root, record))
        })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The distribution name, from the dist-info directory (`demo-0.1.0.dist-info` → `demo`).
fn distribution_name(record: &Record, installed: &Installation) -> String {
    installed
        .dist_info
        .as_deref()
        .map(file_name)
        .and_then(|n| n.split('-').next().map(str::to_owned))
        .unwrap_or_else(|| record.crate_name.clone())
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
            inputs: [
                "Cargo.lock",
                "Cargo.toml",
                "build.rs",
                "src/lib.rs",
                "src/a/b.rs",
                "src/data.txt",
                "../core/Cargo.toml",
                "../core/src/lib.rs",
            ]
            .iter()
            .map(|rel| crate::record::RecordedInput {
                rel: rel.to_string(),
                size: 0,
                mtime_ns: 0,
                hash: String::new(),
            })
            .collect(),
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
            inputs: [
                "../../../opt/core/src/lib.rs",
                "../core/src/lib.rs",
                "src/lib.rs",
            ]
            .iter()
            .map(|rel| crate::record::RecordedInput {
                rel: rel.to_string(),
                size: 0,
                mtime_ns: 0,
                hash: String::new(),
            })
            .collect(),
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
            inputs: inputs
                .iter()
                .map(|rel| crate::record::RecordedInput {
                    rel: rel.to_string(),
                    size: 0,
                    mtime_ns: 0,
                    hash: String::new(),
                })
                .collect(),
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
