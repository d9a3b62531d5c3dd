//! Every misuse of the macros fails to compile with one error at the offending tokens, the
//! message committed beside each case. Needs a Python for PyO3's build (scripts/test has one).

#[test]
fn ui() {
    // Plain trybuild crates: no build script, so no build record and no module name.
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs"); // runs here, when dropped

    // The cases that need what pyo3-guard-build gives a real crate: a build record, and the
    // module name maturin will build (`bar`, as if from `module-name` in pyproject.toml).
    // trybuild's cargo, and so rustc and the macros, inherit these; set only after the cases
    // above ran, in this one test, so no other test sees them.
    std::env::set_var(
        "PYO3_GUARD_RECORD",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ui.rs"),
    );
    std::env::set_var(
        "PYO3_GUARD_MODULE_NAME",
        "bar;bar (`module-name` in pyproject.toml [tool.maturin])",
    );
    trybuild::TestCases::new().compile_fail("tests/ui-build-env/*.rs");
}
