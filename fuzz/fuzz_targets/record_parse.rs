//! Record::parse and Record::find_in must never panic, and what parses must round-trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pyo3_guard_cli::fuzzing::record_parse(data));
