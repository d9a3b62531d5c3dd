//! Writes demo.pyi, or checks it: `cargo run --features stub-gen --bin stub_gen [-- --check]`.
pyo3_guard::stub_gen_main!(demo);
