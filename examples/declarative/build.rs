fn main() {
    pyo3_guard_build::emit();
}
