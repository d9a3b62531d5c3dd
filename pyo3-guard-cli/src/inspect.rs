//! `pyo3-guard inspect`: the build record embedded in an extension module or in the extension
//! modules of a wheel, read from the bytes on disk. Nothing is loaded or imported.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pyo3_guard_engine::diagnose::format_time;
use pyo3_guard_engine::record::{Record, MAGIC};

use crate::json;
use crate::wheel::Wheel;

/// File endings of extension modules (Linux and macOS `.so`, Windows `.pyd`, macOS `.dylib`).
pub const EXTENSION_ENDINGS: [&str; 3] = [".so", ".pyd", ".dylib"];

/// One build record and where it was found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The file named on the command line.
    pub file: PathBuf,
    /// The wheel member holding the record, when `file` is a wheel.
    pub member: Option<String>,
    pub record: Record,
}

/// Every record in `path`: one for an extension module, one per extension member for a wheel.
/// The error is one line that names the file.
pub fn read(path: &Path) -> Result<Vec<Found>, String> {
    let fail = |why: String| format!("{}: {why}", path.display());
    let bytes = std::fs::read(path).map_err(|e| fail(io_reason(&e)))?;
    if is_wheel(path, &bytes) {
        return read_wheel(path, bytes).map_err(fail);
    }
    let record = record_in_binary(&bytes).map_err(fail)?;
    Ok(vec![Found {
        file: path.to_path_buf(),
        member: None,
        record,
    }])
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory, not a file".into(),
        _ => format!("cannot read ({err})"),
    }
}

fn is_wheel(path: &Path, bytes: &[u8]) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    ext.eq_ignore_ascii_case("whl")
        || ext.eq_ignore_ascii_case("zip")
        || bytes.starts_with(b"PK\x03\x04")
}

fn read_wheel(path: &Path, bytes: Vec<u8>) -> Result<Vec<Found>, String> {
    let wheel = Wheel::parse(bytes).map_err(|e| format!("not a readable wheel: {e}"))?;
    let mut found = Vec::new();
    let mut without = Vec::new();
    for entry in wheel.entries() {
        if !EXTENSION_ENDINGS
            .iter()
            .any(|end| entry.name.ends_with(end))
        {
            continue;
        }
        let content = wheel
            .read(entry)
            .map_err(|e| format!("{}: {e}", entry.name))?;
        match record_in_binary(&content) {
            Ok(record) => found.push(Found {
                file: path.to_path_buf(),
                member: Some(entry.name.clone()),
                record,
            }),
            Err(e) if content.windows(MAGIC.len()).any(|w| w == MAGIC.as_bytes()) => {
                return Err(format!("{}: {e}", entry.name))
            }
            Err(_) => without.push(entry.name.clone()),
        }
    }
    if found.is_empty() {
        return Err(match without.len() {
            0 => "no extension module (.so, .pyd, .dylib) in this wheel".into(),
            _ => format!(
                "no pyo3-guard build record in its extension modules ({})",
                without.join(", ")
            ),
        });
    }
    Ok(found)
}

/// The record inside a whole binary, or why there is none, in a few words.
pub fn record_in_binary(bytes: &[u8]) -> Result<Record, String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    // A cut-off binary cannot be loaded, even when its record survived the cut: say so first.
    if let Some(why) = truncated_elf(bytes) {
        return Err(format!("truncated or corrupted ({why})"));
    }
    if let Some(record) = Record::find_in(bytes) {
        return Ok(record);
    }
    let magic = MAGIC.as_bytes();
    if let Some(at) = bytes.windows(magic.len()).position(|w| w == magic) {
        let why = Record::parse(&bytes[at..])
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        return Err(format!(
            "damaged pyo3-guard build record ({why}): the file is truncated or corrupted"
        ));
    }
    Err("no pyo3-guard build record (not built with pyo3-guard, or not an extension module)".into())
}

/// For a 64-bit little-endian ELF file, whether its section headers lie past the end.
fn truncated_elf(bytes: &[u8]) -> Option<String> {
    if !bytes.starts_with(b"\x7fELF\x02\x01") {
        return None;
    }
    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let (Some(shoff), Some(entsize), Some(count)) = (u64_at(0x28), u16_at(0x3A), u16_at(0x3C))
    else {
        return Some(format!("ELF header cut at {} bytes", bytes.len()));
    };
    let end = shoff.saturating_add(u64::from(entsize) * u64::from(count));
    (end > bytes.len() as u64).then(|| {
        format!(
            "ELF section headers end at byte {end}, the file has {}",
            bytes.len()
        )
    })
}

/// The human-readable form: a heading per record, then aligned `key value` lines.
pub fn format_text(found: &Found) -> String {
    let r = &found.record;
    let mut out = match &found.member {
        Some(member) => format!("{} ({member})\n", found.file.display()),
        None => format!("{}\n", found.file.display()),
    };
    let mut line = |key: &str, value: &str| {
        let _ = writeln!(out, "  {key:<12} {value}");
    };
    line("build id", &r.build_id);
    let module = r
        .module_name
        .as_deref()
        .map(|m| format!(" (module {m})"))
        .unwrap_or_default();
    line(
        "crate",
        &format!("{} {}{module}", r.crate_name, r.crate_version),
    );
    line(
        "profile",
        &format!("{} (opt-level {})", r.profile, r.opt_level),
    );
    line("build", build_kind(r.dist));
    line(
        "features",
        &if r.features.is_empty() {
            "-".to_owned()
        } else {
            r.features.join(", ")
        },
    );
    line("target", &r.target);
    line("built", &format_time(r.built_at));
    line(
        "source root",
        r.source_root.as_deref().unwrap_or("- (left out)"),
    );
    line(
        "source id",
        &format!("{} ({} inputs)", r.source_id, r.inputs.len()),
    );
    line("rustc", &r.rustc);
    if let Some(pyo3) = &r.pyo3_version {
        line("pyo3", pyo3);
    }
    if let Some(commit) = &r.git_commit {
        let dirty = if r.git_dirty == Some(true) {
            " (uncommitted changes)"
        } else {
            ""
        };
        line("git", &format!("{commit}{dirty}"));
    }
    out
}

/// Full build or distribution build, in words, as a record says (`None`: it does not).
fn build_kind(dist: Option<bool>) -> &'static str {
    match dist {
        Some(true) => "distribution (no check linked)",
        Some(false) => "full (with the check)",
        None => "not recorded (built before pyo3-guard recorded it)",
    }
}

/// For `--require-dist`: why this record is not of a distribution build, as one line naming the
/// file; `None` when it is one.
pub fn not_dist(found: &Found) -> Option<String> {
    let what = match found.record.dist {
        Some(true) => return None,
        Some(false) => "a full build (with the check), not a distribution build",
        None => "its record does not say whether it is a distribution build",
    };
    let member = found
        .member
        .as_deref()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    Some(format!(
        "{}{member}: {what}; build wheels to publish with PYO3_GUARD_DIST=1",
        found.file.display()
    ))
}

/// The machine-readable form of one record: a JSON object.
pub fn format_json(found: &Found) -> String {
    let r = &found.record;
    let mut obj = json::Object::new();
    obj.str("file", &found.file.to_string_lossy());
    obj.opt_str("member", found.member.as_deref());
    obj.str("build_id", &r.build_id);
    obj.str("source_id", &r.source_id);
    obj.str("crate", &r.crate_name);
    obj.str("version", &r.crate_version);
    obj.opt_str("module", r.module_name.as_deref());
    obj.str("profile", &r.profile);
    obj.str("opt_level", &r.opt_level);
    obj.opt_str(
        "build",
        r.dist
            .map(|dist| if dist { "distribution" } else { "full" }),
    );
    obj.strs("features", &r.features);
    obj.str("target", &r.target);
    obj.num("built_at", r.built_at);
    obj.str("built", &format_time(r.built_at));
    obj.opt_str("source_root", r.source_root.as_deref());
    obj.str("rustc", &r.rustc);
    obj.opt_str("pyo3", r.pyo3_version.as_deref());
    obj.opt_str("git_commit", r.git_commit.as_deref());
    obj.opt_bool("git_dirty", r.git_dirty);
    obj.num("inputs", r.inputs.len() as u64);
    obj.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            build_id: "5f0c2a9d3e1b7a64".into(),
            source_id: "0123456789abcdef".into(),
            crate_name: "demo".into(),
            crate_version: "0.1.0".into(),
            profile: "release".into(),
            opt_level: "3".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            features: vec!["extra".into()],
            rustc: "rustc 1.95.0".into(),
            module_name: Some("demo".into()),
            source_root: Some("/src/\"demo\"".into()),
            built_at: 1_732_406_400,
            dist: Some(false),
            ..Record::default()
        }
    }

    #[test]
    fn text_is_aligned_and_short() {
        let found = Found {
            file: "w.whl".into(),
            member: Some("demo/demo.so".into()),
            record: record(),
        };
        assert_eq!(
            format_text(&found),
            "w.whl (demo/demo.so)\n\
             \x20 build id     5f0c2a9d3e1b7a64\n\
             \x20 crate        demo 0.1.0 (module demo)\n\
             \x20 profile      release (opt-level 3)\n\
             \x20 build        full (with the check)\n\
             \x20 features     extra\n\
             \x20 target       x86_64-unknown-linux-gnu\n\
             \x20 built        2024-11-24 00:00:00 UTC\n\
             \x20 source root  /src/\"demo\"\n\
             \x20 source id    0123456789abcdef (0 inputs)\n\
             \x20 rustc        rustc 1.95.0\n"
        );
    }

    #[test]
    fn json_escapes_and_keeps_types() {
        let found = Found {
            file: "a.so".into(),
            member: None,
            record: record(),
        };
        let text = format_json(&found);
        assert!(
            text.starts_with(r#"{"file": "a.so", "member": null, "build_id": "5f0c2a9d3e1b7a64""#),
            "{text}"
        );
        assert!(text.contains(r#""features": ["extra"]"#));
        assert!(text.contains(r#""built_at": 1732406400"#));
        assert!(text.contains(r#""source_root": "/src/\"demo\"""#));
        assert!(text.contains(r#""git_dirty": null"#));
        assert!(text.contains(r#""opt_level": "3", "build": "full", "features""#));
    }

    #[test]
    fn require_dist_names_full_builds_and_records_that_do_not_say() {
        let mut found = Found {
            file: "dist/demo.whl".into(),
            member: Some("demo/demo.so".into()),
            record: record(),
        };
        assert_eq!(
            not_dist(&found).as_deref(),
            Some("dist/demo.whl (demo/demo.so): a full build (with the check), not a distribution build; build wheels to publish with PYO3_GUARD_DIST=1")
        );
        found.record.dist = None;
        assert!(not_dist(&found)
            .unwrap()
            .contains("its record does not say whether it is a distribution build"));
        found.record.dist = Some(true);
        assert_eq!(not_dist(&found), None);
        assert!(format_json(&found).contains(r#""build": "distribution""#));
        assert!(format_text(&found).contains("  build        distribution (no check linked)\n"));
    }

    #[test]
    fn says_why_there_is_no_record() {
        assert_eq!(record_in_binary(b"").unwrap_err(), "empty file");
        assert!(record_in_binary(b"\x7fELF")
            .unwrap_err()
            .starts_with("no pyo3-guard build record"));
        let bytes = record().to_bytes();
        let cut = &bytes[..bytes.len() - 3];
        let err = record_in_binary(cut).unwrap_err();
        assert!(
            err.starts_with("damaged pyo3-guard build record (truncated body)"),
            "{err}"
        );
        let mut elf = b"\x7fELF\x02\x01".to_vec();
        elf.resize(0x40, 0);
        elf[0x28] = 0xff; // section headers at 255...
        elf[0x3A] = 64; // ... 64 bytes each ...
        elf[0x3C] = 2; // ... two of them
        assert_eq!(
            record_in_binary(&elf).unwrap_err(),
            "truncated or corrupted (ELF section headers end at byte 383, the file has 64)"
        );
    }

    #[test]
    fn wheels_without_records_say_so() {
        let dir = std::env::temp_dir().join(format!("pyo3-guard-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let plain = dir.join("plain-0.1-py3-none-any.whl");
        std::fs::write(
            &plain,
            crate::wheel::tests::stored_zip(&[("plain/__init__.py", b"")]),
        )
        .unwrap();
        let err = read(&plain).unwrap_err();
        assert!(
            err.ends_with(
                "plain-0.1-py3-none-any.whl: no extension module (.so, .pyd, .dylib) in this wheel"
            ),
            "{err}"
        );

        let mut binary = b"\x7fELF junk ".to_vec();
        binary.extend(record().to_bytes());
        let good = dir.join("good-0.1-cp311-cp311-linux_x86_64.whl");
        std::fs::write(
            &good,
            crate::wheel::tests::stored_zip(&[("good/good.so", &binary), ("good/other.so", b"x")]),
        )
        .unwrap();
        let found = read(&good).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].member.as_deref(), Some("good/good.so"));
        assert_eq!(found[0].record, record());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
