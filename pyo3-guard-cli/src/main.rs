//! `pyo3-guard`: see the crate documentation (`pyo3_guard_cli`) and `pyo3-guard --help`.

fn main() {
    let status = pyo3_guard_cli::run(
        std::env::args_os().skip(1),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(status);
}
