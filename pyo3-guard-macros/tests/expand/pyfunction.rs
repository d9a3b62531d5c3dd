#[::pyo3::pyfunction(signature = (a, b = 1))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}
const _: () = {
    ::pyo3_guard::__private::inventory::submit! {
        ::pyo3_guard::__private::Item::new(::core::concat!(::core::module_path!(), "add",
        "add", ""), [::core::module_path!() .len(), 3usize, 3usize, 0usize],
        ::pyo3_guard::__private::Kind::Function, true, { fn add < 'py > (module : &
        ::pyo3::Bound < 'py, ::pyo3::types::PyModule >,) -> ::pyo3::PyResult <
        ::core::option::Option < ::pyo3::Bound < 'py, ::pyo3::PyAny >> > {
        ::pyo3_guard::__private::add_function(module, ::pyo3::wrap_pyfunction!(add,
        module) ?,) } add },)
    }
};
