//! What every guarded module carries, full or distribution build: `__build_id__`,
//! `__build_info__` and a `__guard__`, set on the module and, in maturin's pure-Rust layout, on
//! the package around it; then the registered items are added.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyModule, PyString};
use pyo3_guard_engine::record::PURE_LAYOUT;

/// Reads the embedded record's fields (the input and export lines are parsed only when a check
/// runs), makes the guard with `make_guard(build id, module name)`, sets the three names
/// and adds the registered items of the module's crate (`module_path`) and of `named_crates`
/// (less what `filter` takes out).
pub fn install<'py>(
    module: &Bound<'py, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    filter: Option<crate::registry::Filter>,
    make_guard: impl FnOnce(String, String) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<()> {
    let py = module.py();
    let module_name: String = module.getattr("__name__")?.extract()?;
    let info = PyDict::new(py);
    // One pass over the record's field lines for everything read here.
    let fields = field_values(raw);
    let build_id = build_info(&info, &fields)?;
    let guard = make_guard(build_id.clone(), module_name.clone())?;
    // One value type for `setattr`: each is code of its own.
    let values = [
        ("__build_id__", PyString::new(py, &build_id).into_any()),
        ("__build_info__", info.into_any()),
        ("__guard__", guard),
    ];

    // `demo.demo` inside the package `demo` maturin generates: its `from .demo import *` skips
    // dunder names, so set them on the package (already in sys.modules while it imports us) as
    // well. Never on a package the user writes (the mixed layout): it says what it exports.
    let public = if fields[LAYOUT] == Some(PURE_LAYOUT.as_bytes()) {
        crate::registry::public_name(&module_name)
    } else {
        &module_name
    };
    let package = if public != module_name {
        let modules = PyModule::import(py, "sys")?.getattr("modules")?;
        modules.get_item(public).ok()
    } else {
        None
    };
    for target in std::iter::once(module.as_any()).chain(package.as_ref()) {
        for (name, value) in &values {
            target.setattr(*name, value)?;
        }
    }
    // Paths (`demo::meta::is_valid`): nothing in them is escaped.
    let paths = |value: Option<&'static [u8]>| {
        value
            .and_then(|v| std::str::from_utf8(v).ok())
            .unwrap_or_default()
    };
    let by_hand = [paths(fields[BY_HAND_AT]), paths(fields[BY_HAND_AT + 1])];
    crate::registry::register(module, public, &by_hand, module_path, named_crates, filter)
}

/// The module the registered items of the extension `name` name as theirs: the package around
/// it in maturin's pure-Rust layout (`demo` for `demo.demo`; the record says which layout the
/// build script found), else the extension itself, where they are.
pub(crate) fn items_module<'n>(raw: &[u8], name: &'n str) -> &'n str {
    if field(raw, "layout") == Some(PURE_LAYOUT.as_bytes()) {
        crate::registry::public_name(name)
    } else {
        name
    }
}

/// The record's field lines as (key, value as written), up to its lists.
fn fields(raw: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    split(raw, b'\n')
        .skip(1)
        .map(|line| match line.iter().position(|&b| b == b' ') {
            Some(at) => (&line[..at], &line[at + 1..]),
            None => (line, &line[line.len()..]),
        })
        // The fields come first; the lists (inputs, exports...) and the end line after them.
        .take_while(|(key, _)| {
            !matches!(
                *key,
                b"input" | b"tree" | b"file" | b"python" | b"export" | b"walked" | b"end"
            )
        })
}

/// The parts of `bytes` between the separators: for the record's lines and the lists of keys
/// below (one splitter for all, and no string searcher).
pub(crate) fn split(bytes: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
    bytes.split(move |&b| b == separator)
}

/// `parts` one after the other (what `format!` would make of them, without the formatting
/// machinery: this code is in every published wheel).
#[inline(never)]
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut text = String::new();
    for part in parts {
        text.push_str(part);
    }
    text
}

/// The value of the record's field `key` as written (the last of a repeated key).
fn field<'r>(raw: &'r [u8], key: &str) -> Option<&'r [u8]> {
    let mut found = None;
    for (k, value) in fields(raw) {
        if k == key.as_bytes() {
            found = Some(value);
        }
    }
    found
}

/// Words separated by single spaces, each word's bounds found at compile time: a table of
/// integers, where an array of `&str` would be a relocation per word for the loader to apply at
/// every import (and 24 bytes of the file each).
pub(crate) struct Words<const N: usize> {
    text: &'static str,
    bounds: [(u16, u16); N],
}

impl<const N: usize> Words<N> {
    /// `text`'s `N` words (a different count does not compile).
    pub(crate) const fn new(text: &'static str) -> Self {
        let bytes = text.as_bytes();
        let mut bounds = [(0, 0); N];
        let (mut at, mut start, mut word) = (0, 0, 0);
        while at <= bytes.len() {
            if at == bytes.len() || bytes[at] == b' ' {
                assert!(word < N && at > start, "more than N words, or an empty one");
                bounds[word] = (start as u16, at as u16);
                word += 1;
                start = at + 1;
            }
            at += 1;
        }
        assert!(word == N, "fewer than N words");
        Words { text, bounds }
    }

    /// Word `i` (`""` past the end).
    pub(crate) fn get(&self, i: usize) -> &'static str {
        let text: &'static str = self.text;
        match self.bounds.get(i) {
            Some(&(start, end)) => text.get(start as usize..end as usize).unwrap_or_default(),
            None => "",
        }
    }

    /// Which word `word` is.
    pub(crate) fn position(&self, word: &[u8]) -> Option<usize> {
        (0..N).find(|&i| self.get(i).as_bytes() == word)
    }
}

/// The fields `__build_info__` holds, in this order (`build_id` first: see `build_info`), and
/// after them the three `install` reads (`layout`, `by_hand`, `by_hand_top`).
const KEYS: Words<19> = Words::new(
    "build_id source_id crate version module profile opt_level target features rustc pyo3 \
     source_root inputs git_commit git_dirty built_at layout by_hand by_hand_top",
);
/// Where `layout` is in [`KEYS`].
const LAYOUT: usize = 16;
/// Where `by_hand` is in [`KEYS`] (`by_hand_top` follows it).
const BY_HAND_AT: usize = 17;
/// How each of the first 16 [`KEYS`] becomes a Python value in `__build_info__`.
const KINDS: [Value; 16] = {
    use Value::*;
    [
        Text, Text, Text, Text, Optional, Text, Text, Text, List, Text, Optional, Optional, Number,
        Optional, Flag, Number,
    ]
};

/// The value of each of [`KEYS`] as the record writes it (escaped), `None` when absent; the
/// last of a repeated key wins, as in the full parse.
fn field_values(raw: &[u8]) -> [Option<&[u8]>; 19] {
    let mut values = [None; 19];
    for (key, value) in fields(raw) {
        if let Some(slot) = KEYS.position(key).and_then(|i| values.get_mut(i)) {
            *slot = Some(value);
        }
    }
    values
}

/// Fills `info`, `__build_info__`, with the record's fields in this order (docs/python.md lists
/// them), and returns the build id. The record is the one the build script wrote and
/// `include_bytes!` embedded: read as written, in one pass over its field lines, with no
/// parser of untrusted input (the full build's check and the `pyo3-guard` command have that).
#[inline(never)]
fn build_info(info: &Bound<'_, PyDict>, values: &[Option<&[u8]>; 19]) -> PyResult<String> {
    use Value::*;
    let py = info.py();
    let build_id = values[0].map(unescape).unwrap_or_default();
    for (i, (kind, &value)) in KINDS.into_iter().zip(values).enumerate() {
        let key = KEYS.get(i);
        let text = value.map(unescape);
        let value = match (kind, text) {
            (Text, text) => PyString::new(py, text.as_deref().unwrap_or("")).into_any(),
            (Optional | Flag, None) => py.None().into_bound(py),
            (Optional, Some(text)) => PyString::new(py, &text).into_any(),
            (Flag, Some(text)) => PyBool::new(py, text == "true").to_owned().into_any(),
            (List, text) => {
                let list = PyList::empty(py);
                for name in split(text.as_deref().unwrap_or("").as_bytes(), b',') {
                    // Parts of UTF-8 text split at an ASCII byte: UTF-8 too.
                    match std::str::from_utf8(name) {
                        Ok(name) if !name.is_empty() => list.append(name)?,
                        _ => {}
                    }
                }
                list.into_any()
            }
            (Number, text) => {
                PyInt::new(py, text.and_then(|t| t.parse::<u64>().ok()).unwrap_or(0)).into_any()
            }
        };
        info.set_item(key, value)?;
    }
    Ok(build_id)
}

/// A field's value as the record writes it (`\\`, `\n`, `\r`, `\s` escaped), as text.
fn unescape(value: &[u8]) -> String {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.iter();
    while let Some(&b) = bytes.next() {
        let escaped = if b == b'\\' { bytes.next() } else { None };
        out.push(match escaped {
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b's') => b' ',
            Some(&other) => other,
            None => b,
        });
    }
    // The build script writes UTF-8 (Rust strings); anything else reads as empty.
    String::from_utf8(out).unwrap_or_default()
}

/// How `build_info` turns a record field into a Python value.
#[derive(Clone, Copy)]
enum Value {
    /// A string, `""` when absent.
    Text,
    /// A string or None.
    Optional,
    /// True or False (the record says `true` or `false`), or None.
    Flag,
    /// A comma-separated list of strings.
    List,
    /// An integer, 0 when absent.
    Number,
}

/// The file Python loaded the module `name` from (`__file__` is set only after import).
pub fn loaded_file(py: Python<'_>, name: &str) -> Option<std::path::PathBuf> {
    loaded_module(py, name)?
        .getattr("__file__")
        .ok()?
        .extract()
        .ok()
}

/// The extension module `name`, as Python has it now.
pub fn loaded_module<'py>(py: Python<'py>, name: &str) -> Option<Bound<'py, PyAny>> {
    PyModule::import(py, "sys")
        .ok()?
        .getattr("modules")
        .ok()?
        .get_item(name)
        .ok()
}

/// Where pytest keeps `--pyo3-guard-rebuild` (`config.getoption(REBUILD_OPTION_DEST)`).
pub const REBUILD_OPTION_DEST: &str = "pyo3_guard_rebuild";

/// Adds the pytest option `--pyo3-guard-rebuild` to `parser` (the `__guard__.pytest_addoption`
/// hook of both builds), once per session however many guarded modules add it.
pub fn add_rebuild_option(parser: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = parser.py();
    let kwargs = PyDict::new(py);
    // One key and value type for every `set_item` of this crate: each pair of types is code of
    // its own.
    let text = |s: &str| PyString::new(py, s).into_any();
    kwargs.set_item("action", text("store_true"))?;
    kwargs.set_item("default", py.None().into_bound(py))?;
    kwargs.set_item("dest", text(REBUILD_OPTION_DEST))?;
    kwargs.set_item(
        "help",
        text("pyo3-guard: rebuild a stale extension module at the session's start, then start the session again"),
    )?;
    match parser.call_method("addoption", ("--pyo3-guard-rebuild",), Some(&kwargs)) {
        // Another guarded module of the session added it already.
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyValueError>(py) => Ok(()),
        other => other.map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyo3_guard_engine::record::{Fields, Record, BY_HAND, BY_HAND_TOP};

    #[test]
    fn install_reads_the_layout_and_by_hand_fields_by_their_record_keys() {
        assert_eq!(KEYS.get(LAYOUT), "layout");
        assert_eq!(KEYS.get(BY_HAND_AT), BY_HAND);
        assert_eq!(KEYS.get(BY_HAND_AT + 1), BY_HAND_TOP);
    }

    #[test]
    fn the_fields_read_as_the_engine_reads_them_escapes_included_up_to_the_lists() {
        let record = Record {
            build_id: "0123456789abcdef".into(),
            features: vec!["a".into(), "b-c".into()],
            source_root: Some("/tmp/with space\\and\nnew\rline".into()),
            git_dirty: Some(true),
            built_at: 42,
            ..Record::default()
        };
        let mut bytes = record.to_bytes();
        let fields = Fields::read(&bytes).unwrap();
        let values = field_values(&bytes);
        for (i, value) in values.into_iter().enumerate() {
            let key = KEYS.get(i);
            assert_eq!(value.map(unescape), fields.text(key), "{key}");
        }
        assert_eq!(
            values[11].map(unescape).as_deref(),
            Some("/tmp/with space\\and\nnew\rline")
        );
        // A list line ends the fields: a `crate` after it is not read.
        let at = bytes.len() - "end\n".len();
        bytes.splice(at..at, b"tree src\ncrate late\n".iter().copied());
        assert_eq!(field_values(&bytes)[2], Some(&b""[..]));
    }

    #[test]
    fn the_layout_decides_the_items_module_and_by_hand_is_read_as_written() {
        let record = |layout: Option<&str>| Record {
            build_id: "0123456789abcdef".into(),
            layout: layout.map(str::to_owned),
            by_hand: vec!["demo::meta::is_valid".into(), "demo::Kept".into()],
            ..Record::default()
        };
        let pure = record(Some(PURE_LAYOUT)).to_bytes();
        assert_eq!(items_module(&pure, "demo.demo"), "demo");
        assert_eq!(
            field(&pure, BY_HAND),
            Some(&b"demo::meta::is_valid,demo::Kept"[..])
        );
        // The mixed layout's `pkg.pkg` is the user's package holding the extension: kept whole,
        // as it is without a maturin project.
        for other in [Some("mixed"), None] {
            assert_eq!(
                items_module(&record(other).to_bytes(), "pkg.pkg"),
                "pkg.pkg"
            );
        }
    }
}
