//! The `__guard__` of a distribution build (`PYO3_GUARD_DIST=1` at build time): the same build
//! record, `__build_id__` and `__build_info__`, but no check. `#[guarded_pymodule]` then names
//! [`install`] instead of the full one, so the engine (walk, hashing, diagnosis, export check)
//! is not linked. The installed file is checked from outside, by the `pyo3-guard` command.
//! Kept small on purpose: this is in every published wheel. The guard is a module object with
//! four functions, not a class (a class costs a type object, its slots and their trampolines),
//! and `check()` makes its values from a table in one loop.

use pyo3::impl_::pyfunction::WrapPyFunctionArg;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyModule, PyString};

use crate::attrs::{cat, Words};

/// Not public API. The guard's four functions, in the order `verify`, `check`,
/// `pytest_sessionstart`, `pytest_addoption`: PyO3's definitions, which `#[guarded_pymodule]`
/// generates in the user's crate (see `pyo3-guard-macros`' `build_kind`). There their argument
/// parsing shares PyO3's generic code with the module's own functions; made here, it was a
/// second copy of it (about 2 KiB: generic code is instantiated once per crate).
pub type GuardFunctions = [&'static pyo3::impl_::pyfunction::PyFunctionDef; 4];

/// Not public API. What `#[guarded_pymodule]` calls in a distribution build, in place of
/// `guard::install`, with the guard's `functions`.
pub fn install(
    module: &Bound<'_, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<crate::registry::Filter>,
    functions: &GuardFunctions,
) -> PyResult<()> {
    crate::attrs::install(
        module,
        raw,
        module_path,
        named_crates,
        filter,
        |build_id, module_name| guard(module, build_id, module_name, functions),
    )
}

/// Where the guard keeps the name of the module it guards (its own `__name__` is what its repr
/// shows).
const GUARDED: &str = "__guarded__";

/// `module.__guard__` of a distribution build: `check()` says "unverifiable" and why,
/// `verify()` and the pytest hook never raise. Its repr says what it is:
/// `<module 'pyo3-guard for demo build 5f0c2a9d3e1b7a64 (distribution build: no check)'>`.
fn guard<'py>(
    module: &Bound<'py, PyModule>,
    build_id: String,
    module_name: String,
    functions: &GuardFunctions,
) -> PyResult<Bound<'py, PyAny>> {
    let name = crate::registry::public_name(&module_name);
    let repr = cat(&[
        "pyo3-guard for ",
        name,
        " build ",
        &build_id,
        " (distribution build: no check)",
    ]);
    let py = module.py();
    let guard = PyModule::new(py, &repr)?;
    // The types of `attrs::install`'s `setattr` (a reference): one copy of its code.
    let (build_id, module_name) = (
        PyString::new(py, &build_id).into_any(),
        PyString::new(py, &module_name).into_any(),
    );
    guard.setattr("__build_id__", &build_id)?;
    guard.setattr(GUARDED, &module_name)?;
    for def in functions {
        guard.add_function((&guard).wrap_pyfunction(def)?)?;
    }
    Ok(guard.into_any())
}

/// Not public API. The body of the guard's `pytest_addoption(parser)`: the full build's hook
/// adds `--pyo3-guard-rebuild`; here the option is accepted and does nothing, so the same
/// command line works.
pub fn pytest_addoption(parser: &Bound<'_, PyAny>) -> PyResult<()> {
    crate::attrs::add_rebuild_option(parser)
}

/// Not public API. The body of the guard's `check(source_root=None)`: the keys of a full
/// build's `check()`, with verdict "unverifiable", the reason in `notes` and `message`, and the
/// commands that check the installed file from outside in `fixes`.
pub fn check<'py>(guard: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyDict>> {
    let py = guard.py();
    let module_name: String = guard.getattr(GUARDED)?.extract()?;
    // Strings only (no path or OS-string conversion): a path that is not valid Unicode is
    // shown as FILE.
    let file: Option<String> = crate::attrs::loaded_module(py, &module_name)
        .and_then(|module| module.getattr("__file__").ok()?.extract().ok());
    let python: String = py.import("sys")?.getattr("executable")?.extract()?;
    let [reason, inspect, doctor, message] = texts(&module_name, file.as_deref(), &python);
    let build_id = guard.getattr("__build_id__")?;
    let dict = PyDict::new(py);
    for (i, value) in VALUES.into_iter().enumerate() {
        let key = KEYS.get(i);
        let text = |s: &str| PyString::new(py, s).into_any();
        let list = |items: &[&str]| {
            let list = PyList::empty(py);
            for item in items {
                list.append(*item)?;
            }
            PyResult::Ok(list.into_any())
        };
        let value = match value {
            Value::Unverifiable => text("unverifiable"),
            Value::None => py.None().into_bound(py),
            Value::Empty => PyList::empty(py).into_any(),
            Value::Zero => PyInt::new(py, 0u64).into_any(),
            Value::BuildId => build_id.clone(),
            Value::File => file
                .as_deref()
                .map_or_else(|| py.None().into_bound(py), text),
            Value::Notes => list(&[&reason])?,
            Value::Fixes => list(&[&inspect, &doctor])?,
            Value::Message => text(&message),
        };
        dict.set_item(key, value)?;
    }
    Ok(dict)
}

/// The keys of `check()`, in the full build's order, and their values.
const KEYS: Words<16> = Words::new(
    "verdict build_id file source_root changed added removed touched notes installer cause \
     fixes rebuild missing unchecked message",
);
const VALUES: [Value; 16] = {
    use Value::*;
    [
        Unverifiable,
        BuildId,
        File,
        None,
        Empty,
        Empty,
        Empty,
        Zero,
        Notes,
        None,
        None,
        Fixes,
        None,
        Empty,
        Empty,
        Message,
    ]
};

/// One value of `check()`'s dict: a constant, or one of the texts made per call.
#[derive(Clone, Copy)]
enum Value {
    Unverifiable,
    None,
    Empty,
    Zero,
    BuildId,
    File,
    Notes,
    Fixes,
    Message,
}

/// The reason, the two fix lines and the message (all of them, in one line).
#[inline(never)]
fn texts(module_name: &str, file: Option<&str>, python: &str) -> [String; 4] {
    let name = crate::registry::public_name(module_name);
    let reason = cat(&[name, " is a distribution build (PYO3_GUARD_DIST=1 at build time): it carries its build record, not the check"]);
    let path = file.map_or_else(|| "FILE".to_owned(), shell_word);
    let inspect = cat(&[
        "read its build id without importing it: pyo3-guard inspect ",
        &path,
    ]);
    let doctor = cat(&[
        "compare it with a checkout, in the checkout's directory: pyo3-guard doctor --python ",
        &shell_word(python),
    ]);
    let message = cat(&["unverifiable: ", &reason, "; ", &inspect, "; ", &doctor]);
    [reason, inspect, doctor, message]
}

/// `path` as one shell word, so the printed command works when pasted.
#[inline(never)]
fn shell_word(path: &str) -> String {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"/._-+=:@%,".contains(&b);
    if !path.is_empty() && path.bytes().all(plain) {
        return path.to_owned();
    }
    // In single quotes, each `'` written as `'\''` (bytes: ASCII quotes in UTF-8 text).
    let mut word = Vec::with_capacity(path.len() + 2);
    word.push(b'\'');
    for &b in path.as_bytes() {
        match b {
            b'\'' => word.extend_from_slice(br"'\''"),
            b => word.push(b),
        }
    }
    word.push(b'\'');
    String::from_utf8(word).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_keys_of_check_are_words() {
        let keys: Vec<&str> = (0..16).map(|i| super::KEYS.get(i)).collect();
        assert_eq!(keys[0], "verdict");
        assert_eq!(keys[15], "message");
        assert_eq!(super::KEYS.position(b"notes"), Some(8));
        assert_eq!(super::KEYS.get(16), "");
    }

    #[test]
    fn a_path_is_one_shell_word() {
        use super::shell_word;
        assert_eq!(shell_word("/usr/bin/python3.11"), "/usr/bin/python3.11");
        assert_eq!(shell_word("/tmp/a b/x.so"), "'/tmp/a b/x.so'");
        assert_eq!(shell_word("/tmp/it's/é.so"), r"'/tmp/it'\''s/é.so'");
        assert_eq!(shell_word(""), "''");
    }
}
