#[::pyo3::pyclass(frozen, module = "demo.geo")]
struct Point {
    x: f64,
}
const _: () = {
    ::pyo3_guard::__private::inventory::submit! {
        ::pyo3_guard::__private::Item::new(::core::concat!(::core::module_path!(),
        "Point", "Point", "geo"), [::core::module_path!() .len(), 5usize, 5usize,
        3usize], ::pyo3_guard::__private::Kind::Class, false,
        ::pyo3_guard::__private::Make::Class(::pyo3_guard::__private::class:: < Point
        >),)
    }
};
