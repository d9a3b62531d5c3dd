//! doctor's report: a headline with the answer, one or two lines per copy of the module, then
//! the cause and the fixes. Short on purpose: a long report is not read.

use std::fmt::Write as _;
use std::path::Path;

use pyo3_guard_engine::check::Verdict;
use pyo3_guard_engine::diagnose::{format_time, Installation};

use crate::doctor::{Copy, Findings, Fixed, Outcome, EXIT_UNKNOWN};
use crate::json::Object;
use crate::python::Kind;
use crate::term::{show, Style};

/// How many changed paths a copy's line names before it gives a count.
const CHANGED_LISTED: usize = 3;
/// Indentation of the detail lines under a copy.
const DETAIL: &str = "           ";

/// The whole report.
pub fn format(f: &Findings, cwd: &Path, style: Style) -> String {
    let name = f.project.module_name();
    let mut out = String::new();
    let bold = style.bold(&name);
    let headline = match &f.outcome {
        Outcome::Fresh => format!(
            "{bold} is {}: Python loads a build of the sources on disk",
            style.good("fresh")
        ),
        Outcome::Stale => format!(
            "{bold} is {}: Python loads a build of older sources",
            style.bad("stale")
        ),
        Outcome::Shadowed => {
            let loaded = f
                .copies
                .first()
                .map(|c| show(&c.path, cwd))
                .unwrap_or_default();
            format!(
                "{bold} is {}: Python loads {loaded}, not the installed module",
                style.bad("shadowed")
            )
        }
        Outcome::Unknown(why) => format!("{bold}: {} {why}", style.warn("cannot tell:")),
    };
    let _ = writeln!(out, "{headline}");
    let interp = &f.interp;
    let _ = writeln!(
        out,
        "  python   {} {}, started in {}",
        show(&interp.command, cwd),
        interp.version,
        interp.cwd.display()
    );
    let _ = writeln!(
        out,
        "  sources  {} (source id {})",
        f.project.root.display(),
        f.project.source_id
    );
    for (i, copy) in f.copies.iter().enumerate() {
        let label = if i == 0 { "loads" } else { "hidden" };
        copy_lines(&mut out, label, copy, cwd, style, true);
    }
    for copy in &f.wheels {
        copy_lines(&mut out, "wheel", copy, cwd, style, false);
    }
    if f.older_wheels > 0 {
        let _ = writeln!(
            out,
            "  {:<8} {}",
            "",
            style.dim(&format!("and {} older wheel(s)", f.older_wheels))
        );
    }
    if let Some(cause) = &f.cause {
        let _ = writeln!(out, "{} {cause}", style.bold("cause:"));
    }
    for fix in &f.fixes {
        let _ = writeln!(out, "{} {fix}", style.bold("fix:"));
    }
    for note in &f.notes {
        let _ = writeln!(out, "{} {note}", style.bold("note:"));
    }
    out
}

/// The findings as one JSON object (`doctor --json`), with what `--fix` did when it ran.
pub fn json(f: &Findings, fixed: Option<&Fixed>) -> String {
    let mut obj = Object::new();
    let (outcome, reason) = match &f.outcome {
        Outcome::Fresh => ("fresh", None),
        Outcome::Stale => ("stale", None),
        Outcome::Shadowed => ("shadowed", None),
        Outcome::Unknown(why) => ("unknown", Some(why.as_str())),
    };
    obj.str("outcome", outcome);
    obj.num("exit_code", f.outcome.exit_code() as u64);
    obj.opt_str("reason", reason);
    obj.str("module", &f.project.module_name());
    obj.str("project", &f.project.root.to_string_lossy());
    obj.str("source_id", &f.project.source_id);
    obj.str("python", &f.interp.command.to_string_lossy());
    obj.str("python_version", &f.interp.version);
    obj.opt_str("cause", f.cause.as_deref());
    obj.strs("fixes", &f.fixes);
    obj.strs("notes", &f.notes);
    fix_fields(&mut obj, fixed);
    obj.objects("copies", f.copies.iter().map(copy_json).collect());
    obj.objects("wheels", f.wheels.iter().map(copy_json).collect());
    obj.num("older_wheels", f.older_wheels as u64);
    obj.finish()
}

/// `doctor --json` when it could not even look: the reason (and what `--fix` did), as one object.
pub fn json_unknown(why: &str, fixed: Option<&Fixed>) -> String {
    let mut obj = Object::new();
    obj.str("outcome", "unknown");
    obj.num("exit_code", EXIT_UNKNOWN as u64);
    obj.str("reason", why);
    fix_fields(&mut obj, fixed);
    obj.finish()
}

/// With `--fix`: `fix_added`, the cache-key entries added to pyproject.toml as written there,
/// and `fix_error`, why nothing could be added.
fn fix_fields(obj: &mut Object, fixed: Option<&Fixed>) {
    if let Some(fixed) = fixed {
        obj.strs("fix_added", fixed.as_ref().map_or(&[][..], Vec::as_slice));
        obj.opt_str("fix_error", fixed.as_ref().err().map(String::as_str));
    }
}

fn copy_json(copy: &Copy) -> String {
    let mut obj = Object::new();
    obj.str("path", &copy.path.to_string_lossy());
    obj.opt_str("member", copy.member.as_deref());
    let kind = match copy.kind {
        Kind::Extension => "extension",
        Kind::PythonModule => "python_file",
        Kind::Package => "package",
    };
    obj.str("kind", kind);
    obj.opt_str("verdict", copy.verdict().map(Verdict::as_str));
    let record = copy.record.as_ref().ok();
    obj.opt_str("build_id", record.map(|r| r.build_id.as_str()));
    obj.opt_str("profile", record.map(|r| r.profile.as_str()));
    obj.opt_num("built_at", record.map(|r| r.built_at));
    obj.opt_str(
        "record_error",
        copy.record.as_ref().err().map(String::as_str),
    );
    obj.opt_str(
        "sys_path_entry",
        copy.entry.as_ref().map(|e| e.to_string_lossy()).as_deref(),
    );
    let installation = &copy.installation;
    obj.opt_str(
        "dist_info",
        installation
            .dist_info
            .as_ref()
            .map(|d| d.to_string_lossy())
            .as_deref(),
    );
    obj.opt_str("installer", installation.installer.as_deref());
    obj.opt_bool("built_by_uv", Some(installation.built_by_uv));
    obj.opt_bool("editable", Some(installation.editable));
    obj.str("installed_by", &installed_by(installation));
    let empty = Vec::new();
    let report = copy.report.as_ref();
    obj.strs("changed", report.map_or(&empty, |r| &r.changed));
    obj.strs("added", report.map_or(&empty, |r| &r.added));
    obj.strs("removed", report.map_or(&empty, |r| &r.removed));
    obj.finish()
}

/// `  loads    stale        path` then, for an extension with a record, what build it is and
/// who installed it, and the changed inputs when stale.
fn copy_lines(out: &mut String, label: &str, copy: &Copy, cwd: &Path, style: Style, details: bool) {
    let (word, paint): (&str, fn(Style, &str) -> String) = match (&copy.kind, copy.verdict()) {
        (Kind::PythonModule, _) => ("python file", Style::warn),
        (Kind::Package, _) => ("package", Style::warn),
        (_, Some(Verdict::Fresh)) => ("fresh", Style::good),
        (_, Some(Verdict::Stale)) => ("stale", Style::bad),
        (_, Some(Verdict::Unverifiable)) => ("unverifiable", Style::warn),
        (_, None) => ("no record", Style::warn),
    };
    let mut path = show(&copy.path, cwd);
    if let Some(member) = &copy.member {
        let _ = write!(path, " ({member})");
    }
    let _ = writeln!(out, "  {label:<8} {}  {path}", paint(style, word));
    let record = match &copy.record {
        Ok(record) => record,
        Err(why) if copy.kind == Kind::Extension => {
            let _ = writeln!(out, "{DETAIL}{why}");
            return;
        }
        Err(_) => return,
    };
    let mut detail = format!(
        "{} build {} of {}",
        record.profile,
        record.build_id,
        format_time(record.built_at)
    );
    if details {
        let _ = write!(detail, ", {}", installed_by(&copy.installation));
    }
    let _ = writeln!(out, "{DETAIL}{}", style.dim(&detail));
    if let Some(report) = copy.report.as_ref().filter(|r| r.verdict == Verdict::Stale) {
        let mut parts = Vec::new();
        for (what, paths) in [
            ("changed", &report.changed),
            ("added", &report.added),
            ("removed", &report.removed),
        ] {
            if paths.is_empty() {
                continue;
            }
            let mut listed = paths
                .iter()
                .take(CHANGED_LISTED)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if paths.len() > CHANGED_LISTED {
                let _ = write!(listed, " and {} more", paths.len() - CHANGED_LISTED);
            }
            parts.push(format!("{what}: {listed}"));
        }
        let _ = writeln!(out, "{DETAIL}{}", parts.join("; "));
    }
}

/// Who put the file there, in a few words.
pub fn installed_by(installation: &Installation) -> String {
    let Some(_) = &installation.dist_info else {
        return "owned by no installed distribution".into();
    };
    let mut who = if installation.built_by_uv {
        "built by uv and cached (uv_build.json)".to_owned()
    } else {
        match installation.installer.as_deref() {
            Some("uv") => "installed through uv (by maturin develop or uv pip)".to_owned(),
            Some(other) => format!("installed by {other}"),
            None => "installed".to_owned(),
        }
    };
    if installation.editable {
        who.push_str(", editable");
    }
    who
}

/// What `--fix` did, or why it did nothing.
pub fn fix_lines(result: &Result<Vec<String>, String>, style: Style) -> String {
    match result {
        Ok(added) if added.is_empty() => {
            format!("{} pyproject.toml already has [tool.uv] cache-keys for every Rust input; nothing changed\n", style.bold("--fix:"))
        }
        Ok(added) => {
            let mut out = format!(
                "{} added to [tool.uv] cache-keys in pyproject.toml:\n",
                style.bold("--fix:")
            );
            for entry in added {
                let _ = writeln!(out, "    {entry}");
            }
            out.push_str(
                "      (the next `uv run` or `uv sync` rebuilds: pyproject.toml changed)\n",
            );
            out
        }
        Err(e) => format!("{} {e}\n", style.bold("--fix: not applied:")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn who_installed_it() {
        let mut i = Installation::default();
        assert_eq!(installed_by(&i), "owned by no installed distribution");
        i.dist_info = Some(PathBuf::from("demo-0.1.0.dist-info"));
        i.installer = Some("uv".into());
        assert_eq!(
            installed_by(&i),
            "installed through uv (by maturin develop or uv pip)"
        );
        i.built_by_uv = true;
        i.editable = true;
        assert_eq!(
            installed_by(&i),
            "built by uv and cached (uv_build.json), editable"
        );
        i.built_by_uv = false;
        i.installer = Some("pip".into());
        assert_eq!(installed_by(&i), "installed by pip, editable");
    }

    #[test]
    fn fix_lines_say_what_changed() {
        let added = Ok(vec!["{ file = \"src/**/*.rs\" }".to_owned()]);
        assert_eq!(
            fix_lines(&added, Style::plain()),
            "--fix: added to [tool.uv] cache-keys in pyproject.toml:\n    { file = \"src/**/*.rs\" }\n      \
             (the next `uv run` or `uv sync` rebuilds: pyproject.toml changed)\n"
        );
        assert!(fix_lines(&Ok(vec![]), Style::plain()).contains("nothing changed"));
    }
}
