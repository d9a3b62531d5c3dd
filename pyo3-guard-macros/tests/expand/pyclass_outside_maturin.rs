#[::pyo3::pyclass]
struct Counter {
    value: i64,
}
const _: () = {
    ::pyo3_guard::__private::inventory::submit! {
        ::pyo3_guard::__private::Item::new(::core::concat!(::core::module_path!(),
        "Counter", "Counter", ""), [::core::module_path!() .len(), 7usize, 7usize,
        0usize], ::pyo3_guard::__private::Kind::Class, true,
        ::pyo3_guard::__private::Make::Class(::pyo3_guard::__private::class:: < Counter
        >),)
    }
};
