//! Every input the fuzzer ever found a crash with (`tests/fuzz-regressions/<target>/`) and every
//! seed (`fuzz/seeds/<target>/`), run through the fuzz targets' own bodies. A crash found by
//! `scripts/fuzz` is fixed, then its input is copied here so it stays fixed.

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("tests/fuzz-regressions").join(target),
        root.join("../fuzz/seeds").join(target),
    ];
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name() == ".gitkeep" {
                continue;
            }
            out.push((
                entry.path().display().to_string(),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    out
}

fn run(target: &str, body: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no inputs for {target}");
    for (name, data) in inputs {
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            panic!("{target} panics on {name}");
        }
    }
}

#[test]
fn record_parse_inputs() {
    run("record_parse", pyo3_guard_cli::fuzzing::record_parse);
}

#[test]
fn wheel_read_inputs() {
    run("wheel_read", pyo3_guard_cli::fuzzing::wheel_read);
}

#[test]
fn cache_keys_inputs() {
    run("cache_keys", pyo3_guard_cli::fuzzing::cache_keys);
}
