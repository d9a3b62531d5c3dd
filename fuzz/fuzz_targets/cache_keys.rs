//! The pyproject.toml cache-keys scan must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pyo3_guard_cli::fuzzing::cache_keys(data));
