//! The registry behind `use pyo3_guard::prelude::*`: every `#[pyclass]` and `#[pyfunction]`
//! submits an [`Item`], every method of a `#[pymethods]` block a [`Method`]; `#[guarded_pymodule]` adds
//! the items of its crate (and of the crates named in `crates = [...]`) to the module.
//!
//! Rules kept here, in one place:
//!
//! - Order: sorted by (submodule, Python name), so `__all__` and `dir()` do not depend on link
//!   order (inventory's order differs between LTO and non-LTO builds).
//! - Public name: the dotted name users import from. In maturin's pure-Rust layout the extension
//!   is `demo.demo` inside package `demo`, and users import from `demo`: the public name is
//!   `demo`. Otherwise it is the extension's own `__name__` (`pkg._native` stays `pkg._native`).
//! - `__module__` of a registered class or function is the public name, plus `.sub` for items in
//!   submodule `sub`, unless the class sets `module = "..."` itself (or is an `immutable_type`,
//!   whose attributes cannot change after creation).
//! - Submodule `sub` is a module named `<public>.sub`, an attribute `sub` of its parent, and
//!   `sys.modules["<public>.sub"]`: `import demo.sub` and `from demo.sub import X` work.

use std::collections::BTreeMap;

use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::PyModule;

/// What a registered item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A `#[pyclass]` struct or enum.
    Class,
    /// A `#[pyfunction]`.
    Function,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Class => "class",
            Kind::Function => "function",
        }
    }
}

/// Adds one item to the module it is given and returns the added object.
pub type AddFn = for<'py> fn(&Bound<'py, PyModule>) -> PyResult<Bound<'py, PyAny>>;

/// One `#[pyclass]` or `#[pyfunction]`, submitted where it is defined.
#[derive(Debug)]
pub struct Item {
    /// `module_path!()` at the definition: its first segment is the defining crate.
    pub module_path: &'static str,
    /// The Rust identifier, for messages.
    pub rust_name: &'static str,
    /// The Python name (`name = "..."` or the identifier).
    pub name: &'static str,
    /// The dotted submodule path below the module, `""` for the module itself.
    pub submodule: &'static str,
    /// Class or function.
    pub kind: Kind,
    /// Whether registration sets `__module__` (false when the class names its own module).
    pub set_module: bool,
    /// Adds the item to a module.
    pub add: AddFn,
}

inventory::collect!(Item);

/// One method of a `#[pymethods]` block, submitted beside the block (with the method's
/// `#[cfg]`s, so a configured-out method is not recorded).
#[derive(Debug)]
pub struct Method {
    /// `module_path!()` at the block.
    pub module_path: &'static str,
    /// The class as written in `impl <class>`.
    pub class: &'static str,
    /// The name the method has on the class (`__new__` for `#[new]`, a getter's property name).
    pub name: &'static str,
    /// `method`, `new`, `getter`, `setter`, `staticmethod`, `classmethod` or `classattr`.
    pub kind: &'static str,
    /// The class's type object.
    pub type_object: for<'py> fn(Python<'py>) -> Bound<'py, pyo3::types::PyType>,
}

inventory::collect!(Method);

/// Every `#[pymethods]` method linked into this binary (any crate, unordered).
pub fn methods() -> impl Iterator<Item = &'static Method> {
    inventory::iter::<Method>.into_iter()
}

/// Every registered item linked into this binary (any crate, unordered).
pub fn items() -> impl Iterator<Item = &'static Item> {
    inventory::iter::<Item>.into_iter()
}

fn crate_of(module_path: &str) -> &str {
    module_path.split("::").next().unwrap_or(module_path)
}

/// The items `#[guarded_pymodule]` adds: those of the crate of `module_path` and of `crates`,
/// sorted by (submodule, name, defining path).
pub fn selected(module_path: &str, crates: &[&str]) -> Vec<&'static Item> {
    let own = crate_of(module_path);
    let mut items: Vec<_> = items()
        .filter(|item| {
            let krate = crate_of(item.module_path);
            krate == own || crates.contains(&krate)
        })
        .collect();
    items.sort_by_key(|i| (i.submodule, i.name, i.module_path, i.rust_name));
    items
}

/// The dotted name users import the extension module `name` from: `demo` for `demo.demo`.
pub fn public_name(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((parent, last)) if parent.rsplit('.').next() == Some(last) => parent,
        _ => name,
    }
}

/// Not public API. Called by the function `#[guarded_pymodule]` generates, after the guard is
/// installed and before the user's body: adds the selected items, creating submodules.
pub fn register(module: &Bound<'_, PyModule>, module_path: &str, crates: &[&str]) -> PyResult<()> {
    let py = module.py();
    let name: String = module.getattr("__name__")?.extract()?;
    let public = public_name(&name).to_owned();
    let mut modules: BTreeMap<String, Bound<'_, PyModule>> = BTreeMap::new();
    // Per module (by dotted path below the top): names already taken, and by what.
    let mut taken: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let sys_modules = py.import("sys")?.getattr("modules")?;
    for item in selected(module_path, crates) {
        let target = submodule(module, &public, item.submodule, &mut modules, &mut taken, &sys_modules)?;
        let dotted = if item.submodule.is_empty() { public.clone() } else { format!("{public}.{}", item.submodule) };
        let object = (item.add)(&target)?;
        let added: String = object.getattr("__name__")?.extract()?;
        let what = format!("{} `{}::{}`", item.kind.describe(), item.module_path, item.rust_name);
        if let Some(before) = taken.entry(item.submodule.to_owned()).or_default().insert(added.clone(), what.clone()) {
            return Err(PyImportError::new_err(format!(
                "pyo3-guard: two items are registered as `{dotted}.{added}`: {before} and {what}; \
                 give one another name (`name = \"...\"`) or put it in a submodule (`#[guard(submodule = \"...\")]`)"
            )));
        }
        if item.set_module {
            // A type whose __module__ cannot be set (an immutable type) keeps PyO3's.
            let _ = object.setattr("__module__", &dotted);
        }
    }
    Ok(())
}

/// The module for `path` ("" = the top module), created with its parents on first use.
fn submodule<'py>(
    top: &Bound<'py, PyModule>,
    public: &str,
    path: &str,
    modules: &mut BTreeMap<String, Bound<'py, PyModule>>,
    taken: &mut BTreeMap<String, BTreeMap<String, String>>,
    sys_modules: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyModule>> {
    if path.is_empty() {
        return Ok(top.clone());
    }
    if let Some(module) = modules.get(path) {
        return Ok(module.clone());
    }
    let (parent_path, last) = path.rsplit_once('.').unwrap_or(("", path));
    let parent = submodule(top, public, parent_path, modules, taken, sys_modules)?;
    let dotted = format!("{public}.{path}");
    let what = format!("submodule `{dotted}`");
    if let Some(before) = taken.entry(parent_path.to_owned()).or_default().insert(last.to_owned(), what) {
        return Err(PyImportError::new_err(format!(
            "pyo3-guard: `{dotted}` is both a submodule and the {before}; rename one of them"
        )));
    }
    let module = PyModule::new(top.py(), &dotted)?;
    parent.add(last, &module)?;
    sys_modules.set_item(&dotted, &module)?;
    modules.insert(path.to_owned(), module.clone());
    Ok(module)
}

/// Not public API. The `add` of a registered `#[pyclass]`.
pub fn add_class<'py, T: pyo3::PyClass>(module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyAny>> {
    module.add_class::<T>()?;
    Ok(<T as pyo3::PyTypeInfo>::type_object(module.py()).into_any())
}

/// Not public API. The `add` of a registered `#[pyfunction]`.
pub fn add_function<'py>(
    module: &Bound<'py, PyModule>,
    function: Bound<'py, pyo3::types::PyCFunction>,
) -> PyResult<Bound<'py, PyAny>> {
    module.add_function(function.clone())?;
    Ok(function.into_any())
}

/// Not public API. The type object of a `#[pymethods]` block's class.
pub fn type_object<T: pyo3::PyTypeInfo>(py: Python<'_>) -> Bound<'_, pyo3::types::PyType> {
    T::type_object(py)
}

#[cfg(test)]
mod tests {
    use super::public_name;

    #[test]
    fn public_name_drops_the_repeated_last_component_of_the_pure_layout() {
        assert_eq!(public_name("demo.demo"), "demo");
        assert_eq!(public_name("pkg.demo.demo"), "pkg.demo");
        assert_eq!(public_name("demo"), "demo");
        assert_eq!(public_name("pkg._native"), "pkg._native");
        assert_eq!(public_name("a.b.a"), "a.b.a");
    }
}
