#[::pyo3::pyfunction(signature = (a, b = 1))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}
const _: () = {
    ::pyo3_guard::__private::inventory::submit! {
        ::pyo3_guard::__private::Item::new(::core::concat!(::core::module_path!(), "add",
        "add", ""), [::core::module_path!() .len(), 3usize, 3usize, 0usize],
        ::pyo3_guard::__private::Kind::Function, true,
        ::pyo3_guard::__private::Make::Function({ use add as wrapped_pyfunction; &
        wrapped_pyfunction::_PYO3_DEF }),)
    }
};
