//! Not public API. The bodies of the fuzz targets in `fuzz/`, here so the regression tests in
//! `tests/fuzz_regressions.rs` run exactly what the fuzzer ran.

use pyo3_guard_engine::record::Record;

use crate::inspect::record_in_binary;
use crate::wheel::Wheel;

/// Target `record_parse`: no panic on any bytes; a record that parses re-serializes to bytes
/// that parse to the same record (and to the same fields and input count when only its summary
/// is read, as at import), and is found by `find_in` behind other bytes.
pub fn record_parse(data: &[u8]) {
    let _ = Record::parse_summary(data);
    if let Ok(record) = Record::parse(data) {
        let bytes = record.to_bytes();
        assert_eq!(Record::parse(&bytes).as_ref(), Ok(&record), "round trip");
        let (summary, inputs) =
            Record::parse_summary(&bytes).expect("the summary of a record parses");
        assert_eq!(
            (summary.build_id.as_str(), inputs),
            (record.build_id.as_str(), record.inputs.len()),
            "summary"
        );
        let mut blob = b"\x7fELF".to_vec();
        blob.extend(&bytes);
        assert_eq!(
            Record::find_in(&blob).as_ref(),
            Some(&record),
            "found again"
        );
    }
    let _ = Record::find_in(data);
    let _ = record_in_binary(data);
}

/// Target `wheel_read`: no panic on any bytes, whatever the archive claims.
pub fn wheel_read(data: &[u8]) {
    if let Ok(wheel) = Wheel::parse(data.to_vec()) {
        for entry in wheel.entries() {
            if let Ok(content) = wheel.read(entry) {
                let _ = record_in_binary(&content);
            }
        }
    }
}

/// Target `cache_keys`: the run-time engine's scan of a pyproject.toml for `[tool.uv]
/// cache-keys` (text from disk, read at every stale report) never panics, whatever the text.
pub fn cache_keys(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pyo3_guard_engine::cache_keys::listed(text);
    }
}
