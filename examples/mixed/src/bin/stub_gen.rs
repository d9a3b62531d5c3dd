//! Writes python/mixed_demo/_native/**/__init__.pyi, or checks them:
//! `cargo run --features stub-gen --bin stub_gen [-- --check]`.
pyo3_guard::stub_gen_main!(mixed_demo_native);
