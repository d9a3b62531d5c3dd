//! The wheel reader and the record search in its members must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pyo3_guard_cli::fuzzing::wheel_read(data));
