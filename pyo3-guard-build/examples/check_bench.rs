//! Times the freshness check that `module.__guard__.verify()` runs, on a crate of any size, without
//! compiling it. Used by `benchmarks/run.py` (run through `scripts/bench`); not a test.
//!
//! ```text
//! cargo run --release --example check_bench -- record ROOT RECORD_FILE
//!     fingerprints the crate at ROOT as its build script would (dev profile, no
//!     SOURCE_DATE_EPOCH, so file times are recorded) and writes the build record
//! cargo run --release --example check_bench -- check RECORD_FILE ITERATIONS
//!     runs check::check on that record ITERATIONS times (after one warm-up run) and prints
//!     one JSON line: the median and minimum in nanoseconds, the verdict, and, for comparison,
//!     the median times of: discover() alone (`discover_ns`); one `stat` of every recorded input
//!     (`stat_ns`, the floor); that plus one `stat` of each directory holding one (`stat_dirs_ns`:
//!     what a check costs that re-walks only directories whose time changed); a bare walk of
//!     the source directories, `read_dir` and one `stat` per entry relative to its directory
//!     (`walk_ns`: the least any full re-walk costs)
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use pyo3_guard_build::{build_record, discover, BuildEnv};
use pyo3_guard_engine::check::check;
use pyo3_guard_engine::record::Record;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["record", root, out] => record(Path::new(root), Path::new(out)),
        ["check", record, iterations] => bench(
            Path::new(record),
            iterations.parse().expect("ITERATIONS is a number"),
        ),
        _ => {
            eprintln!("usage: check_bench record ROOT RECORD_FILE | check_bench check RECORD_FILE ITERATIONS");
            std::process::exit(2);
        }
    }
}

/// The environment a `cargo build` (dev profile) gives the build script.
fn build_env(root: &Path, out: &Path) -> BuildEnv {
    let rustc_verbose = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    BuildEnv {
        manifest_dir: root.to_path_buf(),
        out_dir: out.to_path_buf(),
        profile: "dev".into(),
        opt_level: "0".into(),
        debug: "true".into(),
        target: "x86_64-unknown-linux-gnu".into(),
        features: vec![],
        rustc_verbose,
        rustflags: String::new(),
        source_date_epoch: None,
        cfg_vars: vec![("CARGO_CFG_UNIX".into(), String::new())],
        omit_paths: false,
        dist: false,
        dist_why: None,
        ..BuildEnv::default()
    }
}

fn record(root: &Path, out: &Path) {
    let root = root.canonicalize().expect("ROOT exists");
    let out_dir = out.parent().unwrap_or(Path::new("."));
    let record = build_record(&build_env(&root, out_dir), &root).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out, record.to_bytes()).expect("RECORD_FILE is writable");
    println!("{{\"inputs\": {}}}", record.inputs.len());
}

fn bench(path: &Path, iterations: usize) {
    let record =
        Record::parse(&std::fs::read(path).expect("RECORD_FILE exists")).expect("a build record");
    let root = PathBuf::from(
        record
            .source_root
            .clone()
            .expect("the record names its source root"),
    );
    let report = check(&record, None); // warm-up, and the verdict
    let total = median_ns(iterations, || {
        check(&record, None);
    });
    let discover = median_ns(iterations, || {
        discover::discover(&root).expect("discover");
    });
    let paths: Vec<PathBuf> = record.inputs.iter().map(|i| root.join(&i.rel)).collect();
    let stat = median_ns(iterations, || {
        for p in &paths {
            let _ = std::fs::metadata(p);
        }
    });
    let mut dirs: Vec<&Path> = paths.iter().filter_map(|p| p.parent()).collect();
    dirs.sort();
    dirs.dedup();
    let stat_dirs = median_ns(iterations, || {
        for p in paths
            .iter()
            .map(PathBuf::as_path)
            .chain(dirs.iter().copied())
        {
            let _ = std::fs::metadata(p);
        }
    });
    let crates = discover::discover(&root).expect("discover").crates;
    let walk = median_ns(iterations, || {
        for krate in &crates {
            bare_walk(&krate.dir.join("src"));
        }
    });
    println!(
        "{{\"median_ns\": {}, \"min_ns\": {}, \"discover_ns\": {}, \"stat_ns\": {}, \"stat_dirs_ns\": {}, \
         \"walk_ns\": {}, \"dirs\": {}, \"inputs\": {}, \
         \"verdict\": \"{}\", \"changed\": {}, \"added\": {}, \"removed\": {}, \"touched\": {}}}",
        total.0,
        total.1,
        discover.0,
        stat.0,
        stat_dirs.0,
        walk.0,
        dirs.len(),
        record.inputs.len(),
        report.verdict.as_str(),
        report.changed.len(),
        report.added.len(),
        report.removed.len(),
        report.touched
    );
}

/// `read_dir` and one `stat` per entry (relative to the directory), recursively: nothing else.
fn bare_walk(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if let Ok(meta) = entry.metadata() {
            if meta.is_dir() {
                bare_walk(&entry.path());
            }
        }
    }
}

/// Median and minimum time of `f`, in nanoseconds, over `iterations` runs.
fn median_ns(iterations: usize, mut f: impl FnMut()) -> (u128, u128) {
    let mut times: Vec<u128> = (0..iterations.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_nanos()
        })
        .collect();
    times.sort_unstable();
    (times[times.len() / 2], times[0])
}
