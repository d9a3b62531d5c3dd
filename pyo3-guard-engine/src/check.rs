//! The run-time question: was the loaded binary built from the inputs on disk now?
//! While every directory the build walked (and every `.gitignore` in it) keeps its recorded
//! time, the set of inputs is the recorded one and the check is one `stat` per input and
//! directory. Otherwise it walks the source trees the record names with the same walker as the
//! build script and compares. Either way a file whose size and modification time match the
//! record is not read; any other is hashed, so a file touched without a change is never reported.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::fingerprint::hash_file;
use crate::inputs::from_record;
use crate::record::{Record, RecordedInput};

/// Environment variable that points the check at a source root (a wheel built elsewhere, or a
/// record built without paths).
pub const SOURCE_ROOT_ENV: &str = "PYO3_GUARD_SOURCE_ROOT";

/// How the binary relates to the sources on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Built from exactly the inputs on disk now.
    Fresh,
    /// At least one input was changed, added or removed since the build.
    Stale,
    /// The sources cannot be found, so nothing can be said.
    Unverifiable,
}

impl Verdict {
    /// The word `check()` reports: `fresh`, `stale` or `unverifiable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fresh => "fresh",
            Verdict::Stale => "stale",
            Verdict::Unverifiable => "unverifiable",
        }
    }
}

/// The findings of one check.
#[derive(Debug, Clone)]
pub struct Report {
    /// Whether the loaded build matches the sources on disk.
    pub verdict: Verdict,
    /// The source root that was compared, when there was one.
    pub source_root: Option<PathBuf>,
    /// Inputs whose content differs from the build, relative paths, sorted.
    pub changed: Vec<String>,
    /// Inputs on disk now that the build did not have.
    pub added: Vec<String>,
    /// Inputs the build had that are gone.
    pub removed: Vec<String>,
    /// Inputs whose time or size differed but whose content is the same (not a change).
    pub touched: usize,
    /// Why the check is unverifiable, or what it could not read.
    pub notes: Vec<String>,
}

impl Report {
    fn unverifiable(source_root: Option<PathBuf>, why: String) -> Report {
        Report {
            verdict: Verdict::Unverifiable,
            source_root,
            changed: vec![],
            added: vec![],
            removed: vec![],
            touched: 0,
            notes: vec![why],
        }
    }
}

/// Where to look for the sources: `root` if given, else `$PYO3_GUARD_SOURCE_ROOT`, else the
/// directory recorded at build time.
pub fn source_root(record: &Record, root: Option<&Path>) -> Option<PathBuf> {
    root.map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os(SOURCE_ROOT_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(|| record.source_root.as_ref().map(PathBuf::from))
}

/// Compares `record` with the inputs under the source root (see [`source_root`]). A large
/// crate's stats are shared out between threads (see [`INPUTS_PER_THREAD`]).
pub fn check(record: &Record, root: Option<&Path>) -> Report {
    check_with(record, root, check_without_walking)
}

/// [`check`] without threads, for a crate too small to start one (fewer inputs than
/// [`INPUTS_PER_THREAD`]): an extension that calls only this links no thread code (about
/// 39 KiB of the standard library's and its own).
pub fn check_on_one_thread(record: &Record, root: Option<&Path>) -> Report {
    check_with(record, root, |record, root| {
        if record.source_layout.walked.is_empty() || !dirs_unchanged(record, root) {
            return None;
        }
        compare_inputs(&record.inputs, root, &AtomicBool::new(false))
    })
}

/// The fast path of a check: `Some((changed, touched))` when it is the whole answer.
type FastPath = fn(&Record, &Path) -> Option<(Vec<String>, usize)>;

fn check_with(record: &Record, root: Option<&Path>, fast_path: FastPath) -> Report {
    let Some(root) = source_root(record, root) else {
        return Report::unverifiable(None, format!(
            "the binary records no source root (built with paths left out); set {SOURCE_ROOT_ENV} to the crate directory"
        ));
    };
    if !root.is_dir() {
        return Report::unverifiable(Some(root.clone()), format!(
            "the source root {} is not a directory here (a wheel built on another machine or from an index?); \
             set {SOURCE_ROOT_ENV} to the crate directory to check it",
            root.display()
        ));
    }
    let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
    if let Some((changed, touched)) = fast_path(record, &canonical) {
        let verdict = if changed.is_empty() {
            Verdict::Fresh
        } else {
            Verdict::Stale
        };
        return Report {
            verdict,
            source_root: Some(root),
            changed,
            added: vec![],
            removed: vec![],
            touched,
            notes: vec![],
        };
    }
    let mut notes = Vec::new();
    if record.source_layout.trees.is_empty() && record.source_layout.named.is_empty() {
        notes.push("the build record names no source trees (made by an older pyo3-guard?): files added since the build are not seen; rebuild to check them".into());
    }
    let current = match from_record(&canonical, record) {
        Ok(inputs) => {
            notes.extend(inputs.skipped);
            inputs.files
        }
        Err(e) => {
            notes.push(format!("could not list the current inputs: {e}"));
            Vec::new()
        }
    };
    let discovery_failed = current.is_empty();
    // `current` is sorted by `rel` (`Walker::finish`): looked up by binary search, as the
    // recorded names are below, where a hash map would link hashbrown's code for two more types.
    let on_disk = |rel: &str| {
        current
            .binary_search_by(|f| f.rel.as_str().cmp(rel))
            .ok()
            .map(|i| &current[i])
    };

    let mut report = Report {
        verdict: Verdict::Fresh,
        source_root: Some(root),
        changed: vec![],
        added: vec![],
        removed: vec![],
        touched: 0,
        notes,
    };
    for input in &record.inputs {
        let (size, mtime, path) = match on_disk(&input.rel) {
            Some(file) => (file.size, file.mtime_ns, file.path.clone()),
            // Listing failed (too many files): look the file up directly.
            None if discovery_failed => {
                let path = canonical.join(&input.rel);
                match std::fs::metadata(&path) {
                    Ok(meta) => (meta.len(), crate::fingerprint::mtime_ns(&meta), path),
                    Err(_) => {
                        report.removed.push(input.rel.clone());
                        continue;
                    }
                }
            }
            None => {
                report.removed.push(input.rel.clone());
                continue;
            }
        };
        match compare(input, &path, size, mtime) {
            Seen::Unchanged => {}
            Seen::Touched => report.touched += 1,
            Seen::Changed => report.changed.push(input.rel.clone()),
            Seen::Unreadable(e) => {
                report
                    .notes
                    .push(format!("cannot read {}: {e}", path.display()));
                report.changed.push(input.rel.clone());
            }
        }
    }
    let mut recorded: Vec<&str> = record.inputs.iter().map(|i| i.rel.as_str()).collect();
    crate::order::sort_by(&mut recorded, |a, b| a < b);
    report.added = current
        .iter()
        .filter(|f| recorded.binary_search(&f.rel.as_str()).is_err())
        .map(|f| f.rel.clone())
        .collect();
    if !(report.changed.is_empty() && report.added.is_empty() && report.removed.is_empty()) {
        report.verdict = Verdict::Stale;
    }
    report
}

/// The fast path, one `stat` per input and directory: when every walked directory and
/// `.gitignore` still has its recorded time, no input was added, removed or newly ignored, so
/// comparing the recorded inputs is the whole answer: `Some((changed, touched))`. `None` when a
/// directory differs or an input is gone: the full check then walks the trees.
fn check_without_walking(record: &Record, root: &Path) -> Option<(Vec<String>, usize)> {
    if record.source_layout.walked.is_empty() {
        return None;
    }
    // The stats are independent system calls (about 2 µs each on a small VM), so a large
    // crate's are shared out between threads while this thread looks at the directories; a
    // changed one stops the others early.
    let workers = (record.inputs.len() / INPUTS_PER_THREAD).min(parallelism() - 1);
    let per_part = record.inputs.len().div_ceil(workers + 1).max(1);
    let mut parts = record.inputs.chunks(per_part);
    let own = parts.next().unwrap_or_default();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // In input order: each part either on a thread of its own or, when no thread can be
        // had (a process limit), left for this thread.
        let rest: Vec<_> = parts
            .map(|part| {
                let stop = &stop;
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || compare_inputs(part, root, stop))
                    .map_err(|_| part)
            })
            .collect();
        let results = (|| {
            if !dirs_unchanged(record, root) {
                return None;
            }
            let mut results = vec![compare_inputs(own, root, &stop)?];
            for part in rest {
                results.push(match part {
                    Ok(handle) => handle.join().ok()??,
                    Err(part) => compare_inputs(part, root, &stop)?,
                });
            }
            Some(results)
        })();
        // Whatever ended the check early, the other threads stop too.
        stop.store(true, Ordering::Relaxed);
        let results = results?;
        let touched = results.iter().map(|(_, touched)| touched).sum();
        Some((
            results
                .into_iter()
                .flat_map(|(changed, _)| changed)
                .collect(),
            touched,
        ))
    })
}

/// Every walked directory and `.gitignore` has its recorded time.
fn dirs_unchanged(record: &Record, root: &Path) -> bool {
    record.source_layout.walked.iter().all(|(rel, mtime_ns)| {
        std::fs::metadata(root.join(rel))
            .is_ok_and(|meta| crate::fingerprint::mtime_ns(&meta) == *mtime_ns)
    })
}

/// Every further this many recorded inputs start one more thread (400 inputs: two threads of
/// 200), up to one per core: a thread costs about as much as 20 stats. The build script builds
/// a crate with fewer inputs with [`check_on_one_thread`].
pub const INPUTS_PER_THREAD: usize = 400;

/// The cores this process may use, at most 8 (read once).
fn parallelism() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| cores().min(8))
}

/// On Linux, the online CPUs from sysfs (`0-1,4`): the standard library's
/// `available_parallelism` also reads cgroup quotas and affinity, which costs 12 KiB in every
/// extension for a thread count that only has to be about right.
#[cfg(target_os = "linux")]
fn cores() -> usize {
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
    let count = |range: &str| match range.split_once('-') {
        Some((first, last)) => Some(
            last.parse::<usize>()
                .ok()?
                .checked_sub(first.parse().ok()?)?
                + 1,
        ),
        None => range.parse::<usize>().ok().map(|_| 1),
    };
    online
        .trim_ascii()
        .split(',')
        .map(count)
        .sum::<Option<usize>>()
        .unwrap_or(1)
        .max(1)
}

#[cfg(not(target_os = "linux"))]
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Compares recorded inputs with the files: `(changed, touched)`, or `None` when one is gone or
/// unreadable.
fn compare_inputs(
    inputs: &[RecordedInput],
    root: &Path,
    stop: &AtomicBool,
) -> Option<(Vec<String>, usize)> {
    let (mut changed, mut touched) = (Vec::new(), 0);
    for (i, input) in inputs.iter().enumerate() {
        if i % 64 == 0 && stop.load(Ordering::Relaxed) {
            return None;
        }
        let path = root.join(&input.rel);
        let meta = std::fs::metadata(&path).ok()?;
        match compare(
            input,
            &path,
            meta.len(),
            crate::fingerprint::mtime_ns(&meta),
        ) {
            Seen::Unchanged => {}
            Seen::Touched => touched += 1,
            Seen::Changed => changed.push(input.rel.clone()),
            Seen::Unreadable(_) => return None,
        }
    }
    Some((changed, touched))
}

/// What became of one recorded input.
enum Seen {
    /// Same size and modification time: not read.
    Unchanged,
    /// Another size or time, same content.
    Touched,
    Changed,
    Unreadable(std::io::Error),
}

/// Compares `input` with the file at `path` whose size and time are given: hashes it only when
/// they differ from the record (or the record has no time).
fn compare(input: &RecordedInput, path: &Path, size: u64, mtime_ns: u64) -> Seen {
    if size == input.size && mtime_ns == input.mtime_ns && input.mtime_ns != 0 {
        return Seen::Unchanged;
    }
    match hash_file(path) {
        Ok(hash) if hash == input.hash => Seen::Touched,
        Ok(_) => Seen::Changed,
        Err(e) => Seen::Unreadable(e),
    }
}
