//! The registry behind `use pyo3_guard::prelude::*`: every `#[pyclass]` and `#[pyfunction]`
//! submits an [`Item`]; `#[guarded_pymodule]` adds
//! the items of its crate (and of the crates named in `crates = [...]`) to the module.
//!
//! Rules kept here, in one place:
//!
//! - Order: PyO3's, for what the module's own code adds. A function module's registration runs
//!   after its body and leaves out what the body placed ([`drop_placed_by_body`]); an item a
//!   declarative module's `#[pymodule_init]` (or the top function) adds by hand (the record's
//!   `by_hand_top`) does not register either. The rest is added sorted by (submodule, Python
//!   name), so `__all__` and `dir()` do not depend on link order (inventory's order differs
//!   between LTO and non-LTO builds): a function module's body's items in the user's order,
//!   then the new ones; a declarative module's new ones before its init's.
//! - Public name: the module the items name as theirs, a module where they really are. In
//!   maturin's pure-Rust layout the extension is `demo.demo` inside the package `demo` that
//!   maturin generates to star-import it: the public name is `demo`. Otherwise (the mixed
//!   layout, whose package is the user's, or no maturin project) it is the extension's own
//!   `__name__` (`pkg.pkg`, `pkg._native`). The build script tells the layout (the record's
//!   `layout`); the shape of the name alone never does.
//! - `__module__` of a registered class or function is the public name, plus `.sub` for items in
//!   submodule `sub`, unless the class sets `module = "..."` itself (or is an `immutable_type`,
//!   whose attributes cannot change after creation).
//! - Submodule `sub` is a module named `<public>.sub`, an attribute `sub` of its parent, and
//!   `sys.modules["<public>.sub"]`: `import demo.sub` and `from demo.sub import X` work. Below
//!   the extension's own name in the mixed layout, it never hides a module of the user's package.
//! - An item the sources add by hand to a submodule (the record's `by_hand`) is that
//!   submodule's: it is not added at the top as well (unless the top's own code adds it too).

use pyo3::exceptions::PyImportError;
use pyo3::impl_::pyfunction::WrapPyFunctionArg;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyModule, PyString};

use crate::attrs::cat;

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

/// How an item's object is made. Registration adds it to the module under the item's name, as
/// PyO3's `add_class` and `add_function` do, in code shared by every item: a function's entry
/// is data only, a class's one generic call.
pub enum Make {
    /// The class's type object, made on first use ([`class`]).
    Class(for<'py> fn(Python<'py>) -> PyResult<Bound<'py, PyAny>>),
    /// The function's definition, PyO3's `_PYO3_DEF` (what `wrap_pyfunction!` reads).
    Function(&'static pyo3::impl_::pyfunction::PyFunctionDef),
}

impl std::fmt::Debug for Make {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Make::Class(_) => "Class",
            Make::Function(_) => "Function",
        })
    }
}

/// One `#[pyclass]` or `#[pyfunction]`, submitted where it is defined.
#[derive(Debug)]
pub struct Item {
    /// `module_path!()` at the definition, the Rust identifier, the Python name (`name = "..."`
    /// or the identifier) and the dotted submodule below the module (`""` for the module
    /// itself), one after the other: one pointer for the dynamic loader to relocate at every
    /// load where four `&str` fields took four (for a module of many items, the relocations
    /// were the largest part of what registration adds to an import's time).
    text: &'static str,
    /// Where each part of `text` ends.
    ends: [u16; 4],
    /// Class or function.
    pub kind: Kind,
    /// Whether registration sets `__module__` (false when the class names its own module).
    pub set_module: bool,
    /// How its object is made.
    pub make: Make,
}

impl Item {
    /// `text` is the four parts concatenated, `lens` their lengths in bytes.
    pub const fn new(
        text: &'static str,
        lens: [usize; 4],
        kind: Kind,
        set_module: bool,
        make: Make,
    ) -> Item {
        let mut ends = [0u16; 4];
        let (mut end, mut i) = (0, 0);
        while i < 4 {
            end += lens[i];
            assert!(
                end <= u16::MAX as usize,
                "pyo3-guard: an item's names are too long"
            );
            ends[i] = end as u16;
            i += 1;
        }
        assert!(
            end == text.len(),
            "pyo3-guard: the parts' lengths do not add up to the text's"
        );
        Item {
            text,
            ends,
            kind,
            set_module,
            make,
        }
    }

    // Out of line: the sort's comparison and the messages call it often, inlined it is code
    // at each call.
    #[inline(never)]
    fn part(&self, i: usize) -> &'static str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let text: &'static str = self.text;
        text.get(start..self.ends[i] as usize).unwrap_or_default()
    }

    /// `module_path!()` at the definition, for messages and selection by crate.
    pub fn module_path(&self) -> &'static str {
        self.part(0)
    }

    /// The defining crate: the module path's first segment (`CARGO_CRATE_NAME` under cargo).
    pub fn krate(&self) -> &'static str {
        crate_of(self.module_path())
    }

    /// The Rust identifier, for messages.
    pub fn rust_name(&self) -> &'static str {
        self.part(1)
    }

    /// The Python name.
    pub fn name(&self) -> &'static str {
        self.part(2)
    }

    /// The dotted submodule path below the module, `""` for the module itself.
    pub fn submodule(&self) -> &'static str {
        self.part(3)
    }

    /// The submodule and the Python name, the last two parts, in one call (what registration
    /// reads of every item: the sort, the duplicate check and the adding).
    #[inline(never)]
    fn submodule_and_name(&self) -> (&'static str, &'static str) {
        let text: &'static str = self.text;
        let (start, end) = (self.ends[1] as usize, self.ends[2] as usize);
        let (name, submodule) = text
            .get(start..)
            .and_then(|rest| rest.split_at_checked(end.saturating_sub(start)))
            .unwrap_or_default();
        (submodule, name)
    }

    /// What messages call the item: function `demo::meta::f`.
    fn describe(&self) -> String {
        cat(&[
            self.kind.describe(),
            " `",
            self.module_path(),
            "::",
            self.rust_name(),
            "`",
        ])
    }
}

inventory::collect!(Item);

/// Every registered item linked into this binary (any crate, unordered).
pub fn items() -> impl Iterator<Item = &'static Item> {
    inventory::iter::<Item>.into_iter()
}

fn crate_of(module_path: &str) -> &str {
    split_at_byte(module_path, b':', false).map_or(module_path, |(krate, _)| krate)
}

/// `s` split around its first (or `last`) ASCII byte `separator`. For the short names here, a
/// loop over the bytes: no string searcher (a `str` pattern links one per pattern type).
#[inline(never)]
fn split_at_byte(s: &str, separator: u8, last: bool) -> Option<(&str, &str)> {
    let at = if last {
        s.bytes().rposition(|b| b == separator)
    } else {
        s.bytes().position(|b| b == separator)
    }?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

/// The items `#[guarded_pymodule]` adds: those of the crate of `module_path` and of `crates`,
/// sorted by (submodule, name, defining path).
pub fn selected(module_path: &str, crates: &[&str]) -> Vec<&'static Item> {
    let own = crate_of(module_path);
    // Most comparisons end at the integer prefix, without a call: two string comparisons per
    // step made this sort a third of registration's own cost.
    let mut chosen: Vec<(u64, &'static Item)> = items()
        .filter(|item| belongs(item, own, crates))
        .map(|item| (sort_prefix(item.submodule_and_name()), item))
        .collect();
    heap_sort(&mut chosen, |(ka, a), (kb, b)| {
        ka < kb
            || ka == kb
                && ((a.submodule(), a.name()), (a.module_path(), a.rust_name()))
                    < ((b.submodule(), b.name()), (b.module_path(), b.rust_name()))
    });
    chosen.into_iter().map(|(_, item)| item).collect()
}

/// Sorts `v` by `less` in place: a heap sort, O(n log n) comparisons, no allocation, and a
/// fraction of the code of the standard library's sorts (this is in every published wheel).
/// Not stable, which needs no care here: `less` orders the items by everything they are named
/// by, and two items named alike in every part cannot both be compiled.
fn heap_sort<T: Copy>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift_down = |v: &mut [T], mut node: usize| loop {
        let (left, right) = (2 * node + 1, 2 * node + 2);
        let child = match (v.get(left), v.get(right)) {
            (Some(l), Some(r)) if less(l, r) => right,
            (Some(_), _) => left,
            (None, _) => break,
        };
        match (v.get(node), v.get(child)) {
            (Some(n), Some(c)) if less(n, c) => v.swap(node, child),
            _ => break,
        }
        node = child;
    };
    for node in (0..v.len() / 2).rev() {
        sift_down(v, node);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(&mut v[..end], 0);
    }
}

/// Whether `item` comes from the crate `own` or one of `crates`. Its `krate` is the bare crate
/// name under cargo (compared whole first: the common case), a module path outside cargo.
fn belongs(item: &Item, own: &str, crates: &[&str]) -> bool {
    // Compared in place: the module path is the crate's name, then `::` or nothing.
    let path = item.module_path();
    let of = |krate: &str| {
        path.strip_prefix(krate)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    };
    of(own) || crates.iter().any(|krate| of(krate))
}

/// The first 8 bytes of `submodule NUL name`, zero-padded, as a big-endian integer: ordered as
/// (submodule, name) is, since every byte of a Python name or a dotted path is above NUL.
fn sort_prefix((submodule, name): (&str, &str)) -> u64 {
    let mut prefix = [0u8; 8];
    let (submodule, name) = (submodule.as_bytes(), name.as_bytes());
    let sub_len = submodule.len().min(8);
    prefix[..sub_len].copy_from_slice(&submodule[..sub_len]);
    let start = (submodule.len() + 1).min(8); // after the NUL
    let name_len = name.len().min(8 - start);
    prefix[start..start + name_len].copy_from_slice(&name[..name_len]);
    u64::from_be_bytes(prefix)
}

/// `demo` for `demo.demo`: the package maturin's pure-Rust layout puts around the extension.
/// Only for that layout (see `attrs::items_module`) and for messages: in the mixed layout
/// `pkg.pkg` is the user's package `pkg` holding the extension, a different module.
pub fn public_name(name: &str) -> &str {
    match split_at_byte(name, b'.', true) {
        Some((parent, last))
            if split_at_byte(parent, b'.', true).map_or(parent, |(_, end)| end) == last =>
        {
            parent
        }
        _ => name,
    }
}

/// Called by `install` (see guard.rs), after the guard is installed: adds the selected items,
/// creating submodules. In a function module that is after the body; in a declarative module,
/// after PyO3's exports and before the `#[pymodule_init]`.
///
/// Import time matters (a module with hundreds of items pays this on every start): the work per
/// item is the item's own `add` plus one `setattr` with an interned name and a shared value.
pub(crate) fn register(
    module: &Bound<'_, PyModule>,
    public: &str,
    by_hand: &[&str],
    module_path: &str,
    crates: &[&str],
    filter: Option<Filter>,
) -> PyResult<()> {
    let py = module.py();
    let mut selected = selected(module_path, crates);
    for by_hand in by_hand.iter().filter(|list| !list.is_empty()) {
        selected.retain(|item| !added_by_hand(item, by_hand));
    }
    if let Some(filter) = filter {
        filter(module, &mut selected)?;
    }
    check_selection(public, &selected, crates)?;
    let module_attr = intern!(py, "__module__");
    let mut modules = Submodules {
        top: module.clone(),
        public,
        created: Vec::new(),
        sys_modules: None,
    };
    // Sorted by submodule first: each submodule's items are contiguous, and its module is
    // looked up once (each item's names read in one call).
    let mut group = None;
    for &item in &selected {
        let (submodule, name) = item.submodule_and_name();
        if !matches!(&group, Some((current, _, _)) if *current == submodule) {
            let target = modules.get(submodule)?;
            let dotted = match submodule {
                "" => PyString::new(py, public),
                sub => PyString::new(py, &cat(&[public, ".", sub])),
            };
            group = Some((submodule, target, dotted));
        }
        let Some((_, target, dotted)) = &group else {
            continue;
        };
        // What PyO3's `add_class` and `add_function` do, with `__module__` set first. A
        // function is added by the `__name__` it has (one string object, as PyO3 does: a
        // new one from the item's name took more instructions at import).
        let set_module = |object: &Bound<'_, PyAny>| {
            if item.set_module {
                // A type whose __module__ cannot be set (an immutable type) keeps PyO3's.
                let _ = object.setattr(module_attr, dotted);
            }
        };
        match item.make {
            Make::Class(class) => {
                let class = class(py)?;
                set_module(&class);
                target.add(name, &class)?;
            }
            Make::Function(def) => {
                let function = target.wrap_pyfunction(def)?;
                set_module(function.as_any());
                target.add_function(function)?;
            }
        }
    }
    Ok(())
}

/// Whether `item` is one of `by_hand` (comma-separated `module_path::Ident`s): an item the
/// sources add by hand, to a submodule or to the top module.
fn added_by_hand(item: &Item, by_hand: &str) -> bool {
    let (path, ident) = (item.module_path().as_bytes(), item.rust_name().as_bytes());
    // Compared by bytes, from the end: an identifier has no `::` in it.
    for entry in crate::attrs::split(by_hand.as_bytes(), b',') {
        let rest = entry
            .strip_suffix(ident)
            .and_then(|e| e.strip_suffix(b"::"));
        if rest == Some(path) {
            return true;
        }
    }
    false
}

/// What a declarative module takes out of the selection before it is added; a module function
/// passes none, so its build does not link the declarative module's (see
/// [`install_declarative`]).
pub type Filter = fn(&Bound<'_, PyModule>, &mut Vec<&'static Item>) -> PyResult<()>;

/// Takes out of `selected` the classes PyO3 has placed in a submodule already: in a declarative
/// module, `#[pymodule_export] use inner::Decompressor;` in a nested or exported `#[pymodule]
/// mod` puts the class there, and only there, as in plain PyO3 (several codec modules may each
/// have a `Decompressor` made by one `macro_rules!`, which the prelude cannot mark as it marks
/// the items written in such a module). Told apart by identity: the class object PyO3 placed is
/// the one registration would add.
fn drop_placed_by_pyo3(
    module: &Bound<'_, PyModule>,
    selected: &mut Vec<&'static Item>,
) -> PyResult<()> {
    let mut placed = Vec::new();
    placed_in(module.as_any(), false, SUBMODULE_DEPTH, &mut placed);
    placed.retain(|(_, object)| object.is_instance_of::<pyo3::types::PyType>());
    drop_placed(module, selected, &placed)
}

/// Not public API. The filter of a function module, whose registration runs after the body:
/// takes out of `selected` every item the body placed itself, at the top or in a submodule it
/// made (`wrap_pymodule!`, `PyModule::new`), so it stays where the user put it and only there,
/// as in plain PyO3. This sees what the build script's reading of the sources cannot: items
/// added in a loop, by a `macro_rules!` (tsdownsample's `paste!`-named functions defined in the
/// body), or by a helper function. Told apart by identity, never by name alone: two items
/// named `is_valid`, one at the top and one in `meta`, stay two.
pub fn drop_placed_by_body(
    module: &Bound<'_, PyModule>,
    selected: &mut Vec<&'static Item>,
) -> PyResult<()> {
    if selected.is_empty() {
        return Ok(());
    }
    let mut placed = Vec::new();
    placed_in(module.as_any(), true, SUBMODULE_DEPTH, &mut placed);
    drop_placed(module, selected, &placed)
}

/// Takes out of `selected` each item whose object is one of `placed` (found under the item's
/// name). Makes an item's object only when a placed object has its name: nothing for the
/// others.
fn drop_placed<'py>(
    module: &Bound<'py, PyModule>,
    selected: &mut Vec<&'static Item>,
    placed: &[(String, Bound<'py, PyAny>)],
) -> PyResult<()> {
    if placed.is_empty() {
        return Ok(());
    }
    let py = module.py();
    let mut kept = Vec::with_capacity(selected.len());
    'items: for &item in selected.iter() {
        for (name, object) in placed {
            if name == item.name() && is_object_of(py, item, object)? {
                continue 'items;
            }
        }
        kept.push(item);
    }
    *selected = kept;
    Ok(())
}

/// Whether `placed` is `item`'s object: its class object, or a function of its definition.
/// Each `wrap_pyfunction!` makes a new function object; Python's `==` on built-in functions
/// compares their C function and what they are bound to (`__self__`), so the item's is made
/// bound to the same and compared.
fn is_object_of(py: Python<'_>, item: &Item, placed: &Bound<'_, PyAny>) -> PyResult<bool> {
    match item.make {
        Make::Class(class) => Ok(class(py)?.is(placed)),
        Make::Function(def) => {
            if !placed.is_instance_of::<pyo3::types::PyCFunction>() {
                return Ok(false);
            }
            let bound_to = placed.getattr(intern!(py, "__self__"))?;
            let made = if let Ok(module) = bound_to.cast::<PyModule>() {
                module.wrap_pyfunction(def)?
            } else if bound_to.is_none() {
                py.wrap_pyfunction(def)?
            } else {
                return Ok(false);
            };
            made.eq(placed)
        }
    }
}

/// How deep a search of the submodules made at run time goes (here, and in the export check).
pub const SUBMODULE_DEPTH: usize = 4;

/// Whether `value` is a module made at run time (by PyO3, or by `PyModule::new` in user code):
/// it has no `__file__`, unlike a module loaded from disk (`sys` and other built-ins have none
/// either, but they are not attributes of an extension module PyO3 just made).
pub fn is_run_time_module(value: &Bound<'_, PyAny>) -> bool {
    value.is_instance_of::<PyModule>()
        && !value
            .hasattr(intern!(value.py(), "__file__"))
            .unwrap_or(true)
}

/// Adds to `found` the classes and built-in functions in `module`'s namespace, with the names
/// they have there (when `own`), then those of each submodule made at run time, to `depth`
/// levels. One walk for both uses: its code is in every published wheel.
fn placed_in<'py>(
    module: &Bound<'py, PyAny>,
    own: bool,
    depth: usize,
    found: &mut Vec<(String, Bound<'py, PyAny>)>,
) {
    let Ok(dict) = module.getattr(intern!(module.py(), "__dict__")) else {
        return;
    };
    let Ok(dict) = dict.cast_into::<pyo3::types::PyDict>() else {
        return;
    };
    for (name, value) in dict.iter() {
        if is_run_time_module(&value) {
            if depth > 0 {
                placed_in(&value, true, depth - 1, found);
            }
        } else if own
            && (value.is_instance_of::<pyo3::types::PyType>()
                || value.is_instance_of::<pyo3::types::PyCFunction>())
        {
            if let Ok(name) = name.extract::<String>() {
                found.push((name, value));
            }
        }
    }
}

/// Every named crate registers something, and no two items take the same name in one module.
fn check_selection(public: &str, selected: &[&'static Item], crates: &[&str]) -> PyResult<()> {
    if let Some(missing) = crates
        .iter()
        .find(|&&k| !selected.iter().any(|item| item.krate() == k))
    {
        return Err(import_error(cat(&[
            "pyo3-guard: `crates = [...]` of module `",
            public,
            "` names `",
            missing,
            "`, but no registered item comes from a crate of that name; its items must use \
             `pyo3_guard::prelude` (for a dependency renamed in Cargo.toml, `",
            missing,
            "` is the crate name it was renamed from)",
        ])));
    }
    // Sorted: two items of one name are neighbours. Each item's names read once.
    let mut previous: Option<(&str, &str, &Item)> = None;
    for &item in selected {
        let (submodule, name) = item.submodule_and_name();
        if let Some((_, _, earlier)) = previous.filter(|p| (p.0, p.1) == (submodule, name)) {
            return Err(registered_twice(public, earlier, item));
        }
        previous = Some((submodule, name, item));
    }
    Ok(())
}

/// The error of two items registered under one name (never on a working import: out of line).
#[cold]
#[inline(never)]
fn registered_twice(public: &str, a: &Item, b: &Item) -> PyErr {
    let dot = if a.submodule().is_empty() { "" } else { "." };
    import_error(cat(&[
        "pyo3-guard: two items are registered as `",
        public,
        dot,
        a.submodule(),
        ".",
        a.name(),
        "`: ",
        &a.describe(),
        " and ",
        &b.describe(),
        "; give one another name (`name = \"...\"`) or put it in a submodule \
         (`#[guard(submodule = \"...\")]`); if something else adds them already (a \
         `#[pymodule_export]` in a `#[pymodule] mod` that a module function adds by hand), mark \
         them `#[guard(skip)]`",
    ]))
}

/// Registration's `ImportError`s, made in one place.
#[cold]
#[inline(never)]
fn import_error(message: String) -> PyErr {
    PyImportError::new_err(message)
}

/// The submodules created so far, by dotted path below the top module.
struct Submodules<'py, 'a> {
    top: Bound<'py, PyModule>,
    public: &'a str,
    created: Vec<(String, Bound<'py, PyModule>)>,
    sys_modules: Option<Bound<'py, PyAny>>,
}

impl<'py> Submodules<'py, '_> {
    /// The module for `path` ("" = the top module), created with its parents on first use:
    /// named `<public>.<path>`, an attribute of its parent, and in `sys.modules`.
    fn get(&mut self, path: &str) -> PyResult<Bound<'py, PyModule>> {
        if path.is_empty() {
            return Ok(self.top.clone());
        }
        if let Some((_, module)) = self.created.iter().find(|(p, _)| p == path) {
            return Ok(module.clone());
        }
        let (parent_path, last) = split_at_byte(path, b'.', true).unwrap_or(("", path));
        let parent = self.get(parent_path)?;
        let py = parent.py();
        let dotted = cat(&[self.public, ".", path]);
        let module = match parent.getattr(last) {
            // A submodule that exists already (a declarative module's nested `#[pymodule] mod`).
            Ok(existing) => existing
                .cast_into::<PyModule>()
                .map_err(|_| both_submodule_and_item(&dotted))?,
            Err(_) => {
                let module = PyModule::new(py, &dotted)?;
                // The types of `register`'s `add`: one copy of its code.
                parent.add(last, module.as_any())?;
                module
            }
        };
        self.enter(&dotted, &module)?;
        self.created.push((path.to_owned(), module.clone()));
        Ok(module)
    }

    /// `sys.modules[dotted] = module`, so `import <dotted>` finds it.
    fn enter(&mut self, dotted: &str, module: &Bound<'py, PyModule>) -> PyResult<()> {
        let sys_modules = match self.sys_modules.take() {
            Some(sys_modules) => sys_modules,
            None => module.py().import("sys")?.getattr("modules")?,
        };
        let entered = sys_modules.set_item(dotted, module);
        self.sys_modules = Some(sys_modules);
        entered
    }
}

#[cold]
#[inline(never)]
fn both_submodule_and_item(dotted: &str) -> PyErr {
    let parent = split_at_byte(dotted, b'.', true).map_or(dotted, |(parent, _)| parent);
    import_error(cat(&[
        "pyo3-guard: `",
        dotted,
        "` is both a submodule and an item of `",
        parent,
        "`; rename one of them",
    ]))
}

/// The guard's install of this build: the full one, or a distribution build's lean one.
pub type Install =
    fn(&Bound<'_, PyModule>, &'static [u8], &str, &[&str], Option<Filter>) -> PyResult<()>;

/// Not public API. What `#[guarded_pymodule] mod` runs after PyO3 added the module's items:
/// the guard and the registered items (`install`, the one this build links), then a
/// `sys.modules` entry for each nested declarative module (`declared`: dotted paths below the
/// module) and each one exported into the module, which PyO3 does not make (PyO3 issue #759),
/// so `import pkg.sub` works at every depth.
pub fn install_declarative(
    install: Install,
    module: &Bound<'_, PyModule>,
    raw: &'static [u8],
    module_path: &str,
    named_crates: &[&str],
    declared: &[&str],
) -> PyResult<()> {
    // Only here, never in a module function (whose body adds its submodules later): the
    // classes PyO3 exported into a nested module are not added at the top as well.
    install(
        module,
        raw,
        module_path,
        named_crates,
        Some(drop_placed_by_pyo3),
    )?;
    let name: String = module
        .getattr(intern!(module.py(), "__name__"))?
        .extract()?;
    let mut modules = Submodules {
        top: module.clone(),
        public: crate::attrs::items_module(raw, &name),
        created: Vec::new(),
        sys_modules: None,
    };
    dedupe_all(module)?;
    for path in declared {
        // A nested module whose #[cfg] is off is not there: nothing to enter.
        if has_path(module, path) {
            dedupe_all(&modules.get(path)?)?;
        }
    }
    // A `#[pymodule] mod` written outside and brought in with `#[pymodule_export]`: importable
    // too. PyO3 made it (no `__file__`), and nothing but PyO3 has run in the module yet.
    let dict = module
        .getattr(intern!(module.py(), "__dict__"))?
        .cast_into::<pyo3::types::PyDict>()?;
    let exported: Vec<String> = dict
        .iter()
        .filter(|(_, value)| is_run_time_module(value))
        .filter_map(|(name, _)| name.extract::<String>().ok())
        .filter(|name| !declared.contains(&name.as_str()))
        .collect();
    for name in exported {
        modules.get(&name)?;
    }
    Ok(())
}

/// An item PyO3 adds (`#[pymodule_export]`) that also registers itself is the same object set
/// twice, but PyO3 appends its name to `__all__` each time: keep each name once.
fn dedupe_all(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let Ok(all) = module.getattr(intern!(py, "__all__")) else {
        return Ok(());
    };
    let Ok(all) = all.cast_into::<PyList>() else {
        return Ok(());
    };
    let names: Vec<String> = all.extract()?;
    // Sorted names, searched by bisection: a hash set would link hashbrown's code for one more type.
    let mut seen: Vec<&str> = Vec::with_capacity(names.len());
    let unique: Vec<&String> = names
        .iter()
        .filter(|n| match seen.binary_search(&n.as_str()) {
            Ok(_) => false,
            Err(at) => {
                seen.insert(at, n);
                true
            }
        })
        .collect();
    if unique.len() == names.len() {
        return Ok(());
    }
    module.setattr(intern!(py, "__all__"), PyList::new(py, unique)?)
}

fn has_path(module: &Bound<'_, PyModule>, path: &str) -> bool {
    let mut current = module.clone().into_any();
    for part in path.split('.') {
        match current.getattr(part) {
            Ok(next) if next.is_instance_of::<PyModule>() => current = next,
            _ => return false,
        }
    }
    true
}

/// Not public API. What a `#[pymodule_init]` function may return, as PyO3 allows: `()` or
/// `Result<(), E>` with `PyErr: From<E>`.
pub trait InitResult {
    /// The result as a `PyResult`.
    fn into_init_result(self) -> PyResult<()>;
}

impl InitResult for () {
    fn into_init_result(self) -> PyResult<()> {
        Ok(())
    }
}

impl<E> InitResult for Result<(), E>
where
    pyo3::PyErr: From<E>,
{
    fn into_init_result(self) -> PyResult<()> {
        self.map_err(pyo3::PyErr::from)
    }
}

/// Not public API. How a registered `#[pyclass]` is made: its type object, made on first use.
pub fn class<T: pyo3::PyClass>(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    // What PyO3's `add_class` adds (not `type_object()`: its panic path, a message formatted
    // with the class's name, is code of its own for every class, never run).
    T::lazy_type_object()
        .get_or_try_init(py)
        .map(|ty| ty.clone().into_any())
}

#[cfg(test)]
mod tests {
    use super::{added_by_hand, belongs, heap_sort, public_name, sort_prefix, Item, Kind};

    #[test]
    fn public_name_drops_the_repeated_last_component_of_the_pure_layout() {
        assert_eq!(public_name("demo.demo"), "demo");
        assert_eq!(public_name("pkg.demo.demo"), "pkg.demo");
        assert_eq!(public_name("demo"), "demo");
        assert_eq!(public_name("pkg._native"), "pkg._native");
        assert_eq!(public_name("a.b.a"), "a.b.a");
    }

    /// The `make` of a test item (never called).
    fn make(py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Bound<'_, pyo3::PyAny>> {
        Ok(py.None().into_bound(py))
    }

    fn test_item(
        module_path: &str,
        name: &str,
        submodule: &str,
        make: fn(pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Bound<'_, pyo3::PyAny>>,
    ) -> Item {
        let text: &'static str = format!("{module_path}{name}{name}{submodule}").leak();
        Item::new(
            text,
            [module_path.len(), name.len(), name.len(), submodule.len()],
            Kind::Class,
            true,
            super::Make::Class(make),
        )
    }

    #[test]
    fn an_item_gives_back_its_parts() {
        let item = Item::new(
            "demo::geoPointPtgeo.x",
            [9, 5, 2, 5],
            Kind::Class,
            true,
            super::Make::Class(make),
        );
        let parts = (
            item.module_path(),
            item.krate(),
            item.rust_name(),
            item.name(),
            item.submodule(),
        );
        assert_eq!(parts, ("demo::geo", "demo", "Point", "Pt", "geo.x"));
    }

    #[test]
    fn items_added_by_hand_are_matched_by_module_path_and_identifier() {
        let by_hand = "demo::meta::is_valid,demo::Kept";
        assert!(added_by_hand(
            &test_item("demo::meta", "is_valid", "", make),
            by_hand
        ));
        assert!(added_by_hand(&test_item("demo", "Kept", "", make), by_hand));
        assert!(!added_by_hand(
            &test_item("demo", "is_valid", "", make),
            by_hand
        ));
        assert!(!added_by_hand(
            &test_item("demo::meta", "Kept", "", make),
            by_hand
        ));
    }

    #[test]
    fn the_sort_prefix_orders_as_submodule_then_name() {
        let item = |submodule: &str, name: &str| test_item("k", name, submodule, make);
        // Shared 8-byte prefixes and a submodule that is a prefix of another among them.
        let keys = [
            ("", "A"),
            ("", "C1"),
            ("", "C10"),
            ("", "C2"),
            ("", "long_name_1"),
            ("", "long_name_2"),
        ];
        let keys = [&keys[..], &[("geo", "A"), ("geo.x", "B"), ("geox", "A")]].concat();
        for &a in &keys {
            for &b in &keys {
                let (pa, pb) = (
                    sort_prefix(item(a.0, a.1).submodule_and_name()),
                    sort_prefix(item(b.0, b.1).submodule_and_name()),
                );
                assert!(pa.cmp(&pb).then(a.cmp(&b)) == a.cmp(&b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn the_heap_sort_sorts_as_the_standard_library_does() {
        // Every length up to 70 (full and partial last levels of the heap), many keys equal.
        for len in 0..70usize {
            let items: Vec<(u32, usize)> =
                (0..len).map(|i| (((i * 7919) % 13) as u32, i)).collect();
            let mut ours = items.clone();
            heap_sort(&mut ours, |a, b| a < b);
            let mut expected = items;
            expected.sort();
            assert_eq!(ours, expected, "length {len}");
        }
    }

    #[test]
    fn items_belong_to_their_crate_under_cargo_and_outside_it() {
        let item = |module_path: &str| test_item(module_path, "A", "", make);
        for krate in ["demo", "demo::shapes"] {
            assert!(belongs(&item(krate), "demo", &[]), "{krate}");
        }
        assert!(belongs(&item("core_types::geo"), "demo", &["core_types"]));
        assert!(!belongs(&item("core_types"), "demo", &[]));
        assert!(!belongs(&item("demo_extra"), "demo", &[]));
    }
}
