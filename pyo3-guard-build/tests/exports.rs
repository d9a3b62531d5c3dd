//! The export scan: what the sources declare for Python, following the module tree and `#[cfg]`.
#![cfg(feature = "exports")]

mod common;

use pyo3_guard_build::cfg::CfgEnv;
use pyo3_guard_build::exports::{scan, scan_crate};
use pyo3_guard_engine::record::{Expect, ExportKind, Macro};

use common::{write, TempDir};

const LIB: &str = r#"
use pyo3::prelude::*;
mod shapes;
#[path = "odd/place.rs"]
mod placed;
#[cfg(feature = "extra")]
mod extra;
#[cfg(windows)]
mod win;

#[pyclass(name = "Counter", frozen)]
struct RustCounter {
    #[pyo3(get, set)]
    value: i64,
    #[pyo3(get, name = "label")]
    tag: String,
    hidden: u8,
}

#[pymethods]
impl RustCounter {
    #[new]
    fn new() -> Self { todo!() }
    fn increment(&mut self) {}
    #[getter]
    fn get_double(&self) -> i64 { 0 }
    #[setter(total)]
    fn set_sum(&mut self, v: i64) {}
    #[staticmethod]
    #[pyo3(name = "zero")]
    fn make_zero() -> i64 { 0 }
    #[classattr]
    const LIMIT: i64 = 3;
    #[cfg(windows)]
    fn only_windows(&self) {}
    fn r#type(&self) {}
}

#[pyfunction]
#[pyo3(name = "greet")]
fn greet_impl() {}

#[pyclass]
#[guard(skip)]
struct Iter;

#[pyclass]
#[guard(submodule = "geo")]
struct Point;

#[cfg_attr(unix, pyclass(name = "Bound"))]
struct OptionalBinding {
    #[cfg_attr(unix, pyo3(get))]
    size: u8,
}

#[cfg_attr(all(unix, feature = "python"), pyclass)]
struct FeatureOff;

#[cfg_attr(unix, cfg_attr(target_os = "linux", pyfunction), allow(dead_code))]
fn nested() {}

// Whether these are exported as written cannot be known here: expected only when compiled
// (their registration, when linked, gives the name).
#[pyclass]
#[cfg_attr(my_flag, pyo3(name = "Other"))]
struct MaybeRenamed;

#[pyfunction]
#[cfg_attr(my_flag, guard(skip))]
fn maybe_skipped() {}

// An unknown cfg_attr of something the scan does not read changes nothing.
#[pyclass]
#[cfg_attr(docsrs, doc = "docs.rs only")]
struct Documented;
"#;

/// One line per export, as the assertions read them.
fn describe(exports: &[pyo3_guard_engine::record::Export]) -> Vec<String> {
    exports
        .iter()
        .map(|e| {
            let mut s = format!("{} {}:{}", e.kind.as_str(), e.rust_name, e.python_name);
            if let Some(sub) = &e.submodule {
                s += &format!(" in {sub}");
            }
            match e.expect {
                Expect::Checked => {}
                Expect::OptedOut => s += " skipped",
                Expect::Unchecked => s += " unchecked",
                Expect::IfCompiled => s += " if-compiled",
            }
            s
        })
        .collect()
}

/// Scans a crate of `files` (path and text; `src/lib.rs` is its root), no features, no target cfg.
fn scan_files(files: &[(&str, &str)]) -> Vec<pyo3_guard_engine::record::Export> {
    let temp = TempDir::new();
    let dir = &temp.0;
    for (path, text) in files {
        write(&dir.join(path), text);
    }
    scan_crate(
        dir,
        &dir.join("src/lib.rs"),
        "m",
        &CfgEnv::from_vars([], Some(&[])),
    )
    .unwrap()
}

const DECLARATIVE: &str = r#"
use pyo3_guard::prelude::*;
mod elsewhere;

#[guarded_pymodule]
mod top {
    use pyo3_guard::prelude::*;
    #[pymodule_export]
    use crate::elsewhere::{Exported, Twice as Renamed};
    #[pyclass] struct Inline;
    #[pyclass] #[guard(skip)] struct InlineSkipped;
    #[pyfunction] #[guard(submodule = "extra")] fn placed() {}
    #[pymodule]
    mod sub {
        use pyo3_guard::prelude::*;
        #[pyfunction] fn in_sub() {}
        #[pymodule_export] use crate::elsewhere::Deep;
        #[pymodule(name = "renamed")]
        mod deeper { #[pyo3::pyclass] struct Deepest; }
    }
    mod helpers {
        // A plain Rust module: registers as anywhere else.
        #[pyclass] struct Helper;
    }
}
"#;

#[test]
fn declarative_modules_place_their_items_where_pyo3_adds_them() {
    let elsewhere = "#[pyclass] pub struct Exported;\n#[pyclass] pub struct Twice;\n#[pyclass] pub struct Deep;\n\
                     #[pyclass] pub struct Alone;\nmod a { #[pyclass] pub struct Same; }\nmod b { #[pyclass] pub struct Same; }\n";
    let exports = scan_files(&[("src/lib.rs", DECLARATIVE), ("src/elsewhere.rs", elsewhere)]);
    assert_eq!(
        describe(&exports),
        [
            "class Alone:Alone",
            "class Deep:Deep in sub",
            "class Deepest:Deepest in sub.renamed",
            "class Exported:Exported",
            "class Helper:Helper",
            "class Inline:Inline",
            "class InlineSkipped:InlineSkipped skipped",
            "class Same:Same",
            "class Same:Same",
            "class Twice:Twice",
            "function in_sub:in_sub in sub",
            "function placed:placed in extra",
        ]
    );
}

#[test]
fn items_added_by_hand_to_a_submodule_are_expected_there() {
    // Issue 23's shapes: a `#[pymodule] fn` the top module adds with `wrap_pymodule!`, and a
    // module made with `PyModule::new`; two `is_valid`, told apart by the path that adds one.
    let lib = r#"
use pyo3_guard::prelude::*;
#[pyclass] struct Kept;
#[pyclass] struct Moved;
#[pyfunction] fn is_valid() -> bool { true }
mod meta {
    use pyo3_guard::prelude::*;
    #[pyfunction] pub fn is_valid() -> bool { false }
    #[pyclass] pub struct Schema;
}
#[pymodule]
fn sub(m: &Bound<'_, PyModule>) -> PyResult<()> { m.add_class::<Kept>()?; Ok(()) }
#[guarded_pymodule]
fn hand(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Moved>()?;
    m.add_wrapped(pyo3::wrap_pymodule!(sub))?;
    let meta = PyModule::new(py, "hand.meta")?;
    meta.add_function(wrap_pyfunction!(meta::is_valid, &meta)?)?;
    meta.add_class::<meta::Schema>()?;
    m.add_submodule(&meta)?;
    Ok(())
}
"#;
    assert_eq!(
        describe(&scan_files(&[("src/lib.rs", lib)])),
        [
            "class Kept:Kept in sub",
            "class Moved:Moved",
            "class Schema:Schema in meta",
            "function is_valid:is_valid",
            "function is_valid:is_valid in meta",
        ]
    );
}

/// The items the scan finds added by hand, `(top, in submodules)`, as `describe` spells them.
fn by_hand(files: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let temp = TempDir::new();
    let dir = &temp.0;
    for (path, text) in files {
        write(&dir.join(path), text);
    }
    let cfg = CfgEnv::from_vars([], Some(&[]));
    let mut scan =
        pyo3_guard_build::exports::scan(dir, &dir.join("src/lib.rs"), "m", &cfg).unwrap();
    scan.place_module_exports(&[]);
    let placed = scan.place_by_hand();
    (describe(&placed.top), describe(&placed.submodules))
}

#[test]
fn items_the_top_module_adds_by_hand_are_read_so_they_do_not_register() {
    // The body's order is the user's: registration leaves these to it. A class added at the top
    // and in a submodule is expected in the submodule, and listed at the top too.
    let lib = r#"
use pyo3_guard::prelude::*;
#[pyclass] struct Zebra;
#[pyclass] struct Both;
#[pyclass] struct Looped;
#[pyclass] #[guard(submodule = "geo")] struct Placed;
#[pyfunction] fn alpha() {}
#[guarded_pymodule]
fn top(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Zebra>()?;
    m.add_function(wrap_pyfunction!(alpha, m)?)?;
    m.add_class::<Both>()?;
    m.add_class::<Placed>()?;
    let sub = PyModule::new(py, "sub")?;
    sub.add_class::<Both>()?;
    m.add_submodule(&sub)?;
    for class in [py.get_type::<Looped>()] { m.add(class.name()?, class)?; }
    Ok(())
}
"#;
    let (top, submodules) = by_hand(&[("src/lib.rs", lib)]);
    assert_eq!(
        top,
        [
            "class Zebra:Zebra",
            "function alpha:alpha",
            "class Both:Both"
        ]
    );
    assert_eq!(submodules, ["class Both:Both in sub"]);
    // Before `#[guarded_pymodule]` (or as a plain function), nothing is the top's.
    let plain = lib.replace("#[guarded_pymodule]", "");
    assert_eq!(by_hand(&[("src/lib.rs", &plain)]).0, Vec::<String>::new());

    // A declarative module's `#[pymodule_init]` adds to the top module too.
    let declarative = r#"
use pyo3_guard::prelude::*;
mod io { use pyo3_guard::prelude::*; #[pyclass] pub struct Buffer; #[pyclass] pub struct File; }
#[guarded_pymodule]
mod top {
    use pyo3_guard::prelude::*;
    #[pyclass] struct Inline;
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_class::<crate::io::File>()?;
        m.add_class::<crate::io::Buffer>()?;
        m.add_class::<Inline>()?;
        Ok(())
    }
}
"#;
    let (top, _) = by_hand(&[("src/lib.rs", declarative)]);
    assert_eq!(top, ["class File:File", "class Buffer:Buffer"]);
}

#[test]
fn items_a_macro_makes_and_a_function_adds_by_hand_are_named_by_the_added_path() {
    // fastcrc's shape: `macro_rules!` makes the functions (the scan cannot see them), the
    // module function adds each to a `PyModule::new` submodule (and here one to itself too).
    // Registration must know them, or it adds them at the top as well.
    let lib = r#"
use pyo3_guard::prelude::*;
macro_rules! crc_fn {
    ($name:ident, $py:literal) => {
        #[pyfunction]
        #[pyo3(name = $py)]
        fn $name() -> u8 { 0 }
    };
}
crc_fn!(crc_8_autosar, "autosar");
crc_fn!(crc_16_autosar, "autosar");
mod seen { use pyo3_guard::prelude::*; #[pyfunction] pub fn seen() {} }
#[guarded_pymodule]
fn fastcrc(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    let crc8 = PyModule::new(py, "fastcrc.crc8")?;
    crc8.add_function(wrap_pyfunction!(crc_8_autosar, &crc8)?)?;
    crc8.add_function(wrap_pyfunction!(seen::seen, &crc8)?)?;
    m.add("crc8", &crc8)?;
    let crc16 = PyModule::new(py, "fastcrc.crc16")?;
    crc16.add_function(wrap_pyfunction!(crate::crc_16_autosar, &crc16)?)?;
    m.add("crc16", &crc16)?;
    m.add_function(wrap_pyfunction!(crc_8_autosar, m)?)?;
    Ok(())
}
"#;
    let temp = TempDir::new();
    write(&temp.0.join("src/lib.rs"), lib);
    let cfg = CfgEnv::from_vars([], Some(&[]));
    let mut scan = scan(&temp.0, &temp.0.join("src/lib.rs"), "m", &cfg).unwrap();
    let placed = scan.place_by_hand();
    let unseen: Vec<String> = placed
        .unseen
        .iter()
        .map(|u| {
            format!(
                "{} {}::{} top={}",
                u.kind.as_str(),
                u.rust_path,
                u.rust_name,
                u.top
            )
        })
        .collect();
    assert_eq!(
        unseen,
        [
            "function ::crc_8_autosar top=true",
            "function ::crc_8_autosar top=false",
            "function ::crc_16_autosar top=false"
        ]
    );
    assert_eq!(describe(&placed.submodules), ["function seen:seen in crc8"]);
    // Only the item the scan sees is expected in the submodule.
    assert_eq!(describe(&scan.exports), ["function seen:seen in crc8"]);
}

#[test]
fn an_export_that_names_one_of_several_items_leaves_them_unchecked() {
    // Through a re-export: which of the two is meant takes Rust's name resolution.
    let lib = "mod a { #[pyclass] pub struct Same; }\nmod b { #[pyclass] pub struct Same; }\nmod again { pub use crate::a::Same; }\n\
               #[guarded_pymodule] mod m { #[pymodule] mod sub { #[pymodule_export] use crate::again::Same; } }\n";
    let exports = scan_files(&[("src/lib.rs", lib)]);
    assert_eq!(
        describe(&exports),
        ["class Same:Same unchecked", "class Same:Same unchecked"]
    );
    // By the module it is declared in: that one goes there, the other stays where it registers.
    let direct = lib.replace("crate::again::Same", "crate::a::Same");
    let exports = scan_files(&[("src/lib.rs", &direct)]);
    let placed: Vec<(String, Option<String>)> = exports
        .iter()
        .map(|e| (e.rust_path.clone(), e.submodule.clone()))
        .collect();
    assert_eq!(
        placed,
        [("a".into(), Some("sub".into())), ("b".into(), None)]
    );
}

/// cramjam's layout: each codec is a `#[pymodule] pub mod` in a file of its own, outside the
/// guarded module, which exports it; two codecs have items of the same names.
const CODEC: &str = r#"
use pyo3_guard::prelude::*;
#[pymodule]
pub mod NAME {
    use pyo3_guard::prelude::*;
    #[pyfunction] fn compress() {}
    #[pyclass] pub struct Compressor;
    #[pymethods] impl Compressor { fn METHOD(&self) {} }
    #[pymodule(name = "framed")]
    mod frame { #[pyfunction] fn compress() {} }
    mod _decompressor { #[pyclass] pub struct Decompressor; }
    #[pymodule_export] use _decompressor::Decompressor;
}
"#;

#[test]
fn a_declarative_module_outside_the_guarded_one_goes_where_it_is_exported() {
    let lib = "mod alpha;
mod beta;
mod gamma;
#[guarded_pymodule] mod top {
    #[pymodule_export] use crate::alpha::alpha;
                   #[pymodule] mod codecs { #[pymodule_export] use crate::beta::beta; }
}
";
    let codec = |name: &str, method: &str| CODEC.replace("NAME", name).replace("METHOD", method);
    let (alpha, beta, gamma) = (
        codec("alpha", "flush"),
        codec("beta", "finish"),
        codec("gamma", "close"),
    );
    let exports = scan_files(&[
        ("src/lib.rs", lib),
        ("src/alpha.rs", &alpha),
        ("src/beta.rs", &beta),
        ("src/gamma.rs", &gamma),
    ]);
    let classes_and_functions: Vec<String> = describe(&exports)
        .into_iter()
        .filter(|line| !line.starts_with("member"))
        .collect();
    assert_eq!(
        classes_and_functions,
        [
            "class Compressor:Compressor in alpha",
            "class Compressor:Compressor in codecs.beta",
            // Exported nowhere: expected where `m.add_wrapped(wrap_pymodule!(...))` puts it.
            "class Compressor:Compressor in gamma",
            "class Decompressor:Decompressor in alpha",
            "class Decompressor:Decompressor in codecs.beta",
            "class Decompressor:Decompressor in gamma",
            "function compress:compress in alpha",
            "function compress:compress in alpha.framed",
            "function compress:compress in codecs.beta",
            "function compress:compress in codecs.beta.framed",
            "function compress:compress in gamma",
            "function compress:compress in gamma.framed",
        ]
    );
    // Each method belongs to its own module's class.
    let mut members: Vec<(String, String)> = exports
        .iter()
        .filter(|e| e.kind == ExportKind::Member)
        .map(|e| (e.rust_path.clone(), e.python_name.clone()))
        .collect();
    members.sort();
    assert_eq!(
        members,
        [
            ("alpha::alpha".into(), "flush".into()),
            ("beta::beta".into(), "finish".into()),
            ("gamma::gamma".into(), "close".into())
        ]
    );
}

#[test]
fn two_detached_modules_of_one_name_leave_their_items_unchecked() {
    let lib = "mod a;
mod b;
#[guarded_pymodule] mod top { #[pymodule_export] use crate::a::codec; }
";
    let codec = "#[pymodule] pub mod codec { #[pyfunction] fn compress() {} }
";
    let exports = scan_files(&[
        ("src/lib.rs", lib),
        ("src/a.rs", codec),
        ("src/b.rs", codec),
    ]);
    assert_eq!(
        describe(&exports),
        [
            "function compress:compress unchecked",
            "function compress:compress unchecked"
        ]
    );
}

#[test]
fn follows_the_module_tree_names_and_cfg() {
    let temp = TempDir::new();
    let dir = &temp.0;
    write(&dir.join("src/lib.rs"), LIB);
    write(
        &dir.join("src/shapes.rs"),
        "mod inner;\n#[pyo3::pyclass] pub struct Square;\n",
    );
    write(
        &dir.join("src/shapes/inner.rs"),
        "#[pyfunction] fn area() {}\n",
    );
    write(
        &dir.join("src/odd/place.rs"),
        "#[pyclass(eq)] enum Color { Red }\n",
    );
    write(&dir.join("src/extra.rs"), "#[pyclass] struct Extra;\n");
    write(&dir.join("src/win.rs"), "#[pyclass] struct Win;\n");
    write(
        &dir.join("src/orphan.rs"),
        "#[pyclass] struct NotInTheTree;\n",
    );

    let vars = [
        ("CARGO_CFG_UNIX".to_owned(), String::new()),
        ("CARGO_CFG_TARGET_OS".to_owned(), "linux".to_owned()),
    ];
    let cfg = CfgEnv::from_vars(vars, Some(&[]));
    let exports = scan_crate(dir, &dir.join("src/lib.rs"), "my-crate", &cfg).unwrap();

    assert_eq!(
        describe(&exports),
        [
            "class Color:Color",
            "class Documented:Documented",
            "class Iter:Iter skipped",
            "class MaybeRenamed:MaybeRenamed if-compiled",
            "class OptionalBinding:Bound",
            "class Point:Point in geo",
            "class RustCounter:Counter",
            "class Square:Square",
            "function area:area",
            "function greet_impl:greet",
            "function maybe_skipped:maybe_skipped if-compiled",
            "function nested:nested",
            "member Color:Red",
            "member OptionalBinding:size",
            "member RustCounter:LIMIT",
            "member RustCounter:double",
            "member RustCounter:increment",
            "member RustCounter:label",
            "member RustCounter:total",
            "member RustCounter:type",
            "member RustCounter:value",
            "member RustCounter:zero",
        ]
    );
    assert!(exports.iter().all(|e| e.crate_name == "my_crate"));
    let counter = exports
        .iter()
        .find(|e| e.kind == ExportKind::Class && e.rust_name == "RustCounter")
        .unwrap();
    assert_eq!((counter.file.as_str(), counter.line), ("src/lib.rs", 12));
}

const MEMBERS: &str = r#"
mod a {
    use pyo3::prelude::*;
    #[pyclass(get_all)]
    pub struct Same { pub x: i64, #[pyo3(name = "why")] pub y: i64, hidden: u8 }
    #[pymethods]
    impl Same {
        fn only_in_a(&self) {}
        fn __richcmp__(&self, other: &Self, op: CompareOp) -> bool { true }
        fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> { Ok(()) }
        fn __getbuffer__(&self) {}
        fn __len__(&self) -> usize { 0 }
        #[pyo3(name = "__eq__")]
        fn equals(&self, other: &Self) -> bool { true }
        #[guard(skip)]
        fn on_purpose(&self) {}
        // pydantic-core 2.50.5: a raw identifier names the Python attribute `type`.
        #[getter(r#type)]
        fn kind(&self) -> u8 { 0 }
        #[setter(r#type)]
        fn set_kind(&mut self, v: u8) {}
    }
}
mod b {
    #[pyclass(rename_all = "camelCase", set_all)]
    pub struct Same { pub snake_case: i64, #[pyo3(name = "given")] pub other: i64 }
    #[pyclass(rename_all = "UPPERCASE")]
    enum Color { Red, #[pyo3(name = "GREEN")] Green }
    pub mod inner {
        #[pymethods]
        impl super::Same { fn only_in_b(&self) {} }
    }
}
mod c {
    // Names a class this scan cannot place (imported from elsewhere): not checked.
    #[pymethods]
    impl Same { fn unplaced(&self) {} }
}
"#;

#[test]
fn members_follow_pyo3s_rules_and_their_own_class() {
    let exports = scan_files(&[("src/lib.rs", MEMBERS)]);
    let mut members: Vec<String> = exports
        .iter()
        .filter(|e| e.kind == ExportKind::Member)
        .map(|e| {
            format!(
                "{}::{}.{} {:?}",
                e.rust_path, e.rust_name, e.python_name, e.expect
            )
        })
        .collect();
    members.sort();
    assert_eq!(
        members,
        [
            "a::Same.hidden Checked",
            "a::Same.on_purpose OptedOut",
            "a::Same.only_in_a Checked",
            "a::Same.type Checked", // the getter
            "a::Same.type Checked", // and the setter
            "a::Same.why Checked",
            "a::Same.x Checked",
            "b::Color.GREEN Checked",
            "b::Color.Red Unchecked",
            "b::Same.given Checked",
            "b::Same.only_in_b Checked",
            "b::Same.snake_case Unchecked",
            "c::Same.unplaced Unchecked",
        ]
    );
}

#[test]
fn the_macro_an_attribute_names_follows_the_modules_imports() {
    let lib = "mod guard { use pyo3_guard::prelude::*; #[pyclass] struct A; }\n\
               mod plain { use pyo3::prelude::*; #[pyclass] struct B; #[pyo3_guard::prelude::pyfunction] fn f() {} }\n\
               mod named { use pyo3::{pyclass, types::PyAny}; use pyo3_guard::prelude::*; #[pyclass] struct C; #[pyfunction] fn g() {} }\n\
               mod inner { use pyo3_guard::prelude::*; mod deeper { #[pyclass] struct D; } }\n";
    let exports = scan_files(&[("src/lib.rs", lib)]);
    let via: Vec<(String, Macro)> = exports
        .iter()
        .map(|e| (e.rust_name.clone(), e.via))
        .collect();
    assert_eq!(
        via,
        [
            ("A".to_owned(), Macro::Guard),
            ("B".to_owned(), Macro::Pyo3),
            ("C".to_owned(), Macro::Pyo3ByName),
            // A glob import does not reach a child module.
            ("D".to_owned(), Macro::Unknown),
            ("f".to_owned(), Macro::Guard),
            ("g".to_owned(), Macro::Guard),
        ]
    );
}
