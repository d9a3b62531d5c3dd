//! Make PyO3 extension modules prove which sources they were built from.
//!
//! Use the [`prelude`] instead of PyO3's, mark your module function `#[guarded_pymodule]` and
//! call [`pyo3_guard_build::emit`](https://docs.rs/pyo3-guard-build) from `build.rs`:
//!
// `ignore`: rustdoc cannot build a guarded module (it needs the record build.rs writes);
// tests/test_docs.py builds this example as a module and imports it.
//! ```ignore
//! use pyo3_guard::prelude::*;
//!
//! #[pyclass]
//! struct Counter {
//!     value: i64,
//! }
//!
//! #[pyfunction]
//! fn greet(name: &str) -> String {
//!     format!("hello, {name}")
//! }
//!
//! #[guarded_pymodule]
//! fn demo(m: &Bound<'_, PyModule>) -> PyResult<()> {
//!     Ok(()) // Counter and greet are added already: no add_class, no add_function
//! }
//! ```
//!
//! The module (and, in maturin's pure-Rust layout, the package around it) then has:
//!
//! - `__build_id__`: a 16-hex-digit id derived only from the build's inputs;
//! - `__build_info__`: a dict describing the build: `build_id`, `source_id`, `crate`, `version`,
//!   `module`, `profile`, `opt_level`, `target`, `features`, `rustc`, `pyo3`, `source_root`,
//!   `inputs`, `git_commit`, `git_dirty`, `built_at`;
//! - `__guard__`: an object whose `verify()` raises `__guard__.StaleBuildError` when the loaded
//!   binary was not built from the sources on disk now, naming each changed file and the likely
//!   cause, and whose `check()` returns the same findings as a dict.
//!
//! # Registration
//!
//! The prelude's `#[pyclass]` and `#[pyfunction]` are PyO3's, plus a registration:
//! `#[guarded_pymodule]` adds every registered item of its crate, from any file and any Rust
//! module, sorted by (submodule, name): after a function module's body has run, except what
//! that body placed itself, and before a declarative module's `#[pymodule_init]`. Items of a
//! path dependency are added when the module names that crate:
//! `#[guarded_pymodule(crates = [core_types])]`.
//! One helper attribute, below `#[pyclass]` or `#[pyfunction]`, takes our options:
//!
//! - `#[guard(skip)]`: not added to the module (an iterator type returned by a method, say);
//! - `#[guard(submodule = "sub")]`: added to submodule `sub` (dotted for nesting: `"sub.inner"`),
//!   which is created, attached to the module and entered in `sys.modules` as `<package>.sub`,
//!   so `import demo.sub` and `from demo.sub import X` work.
//!
//! A registered class or function reports the module users import it from as `__module__`:
//! `demo` (not the extension `demo.demo` of maturin's pure-Rust layout), `demo.sub` in a
//! submodule; a class that sets `module = "..."` keeps its own. The guide's chapter on modules
//! has the rules per layout.
//!
//! When maturin builds the crate (a `pyproject.toml` beside `Cargo.toml`), `#[guarded_pymodule]`
//! also checks at compile time that the module's Python name is the one maturin will look for.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod exports;
mod guard;
mod heal;
// Not public API: the registry generated code and this crate's tests reach.
#[doc(hidden)]
pub use pyo3_guard_core::registry;

/// Turns a PyO3 module into a guarded one. Accepts what `#[pyo3::pymodule]` accepts, plus
/// `crates = [name, ...]`, in both of PyO3's styles:
///
/// - a function module: the function takes `m: &Bound<'_, PyModule>` (optionally after
///   `py: Python<'_>`) and returns `PyResult<()>`. On import it runs its body, then installs
///   the guard and adds the registered items the body did not place itself (found by identity,
///   at the top and in the submodules the body made).
/// - a declarative module, `mod name { ... }`: PyO3 adds the items written inside it and makes
///   each nested `#[pymodule] mod` a submodule; then the guard is installed, the registered
///   items defined elsewhere are added, every nested module is entered in `sys.modules`
///   (so `import pkg.sub` works), and the module's `#[pymodule_init]` function, if any, runs.
///
/// Items PyO3 adds in a declarative module are not added again. `crates = [core_types]` adds the items of those dependency crates too, and
/// links them (an unused dependency's registrations are otherwise dropped by the linker); a
/// crate's items are never added unless the module names it. Name a crate as code does
/// (`core_types` for package `core-types`, `types` for a dependency renamed
/// `types = { package = "core-types", ... }` in Cargo.toml).
/// A named crate that registers nothing fails the import with a message.
///
/// Needs `pyo3_guard_build::emit()` in `build.rs`: without it, compilation fails with a
/// message saying what to add. In a maturin project it also fails to compile when the module's
/// Python name (the function's name, or `#[pyo3(name = "...")]`) is not the one maturin builds.
pub use pyo3_guard_macros::guarded_pymodule;

/// A drop-in replacement for `pyo3::prelude`: everything PyO3's prelude has, with `#[pyclass]`,
/// `#[pyfunction]` and `#[pymethods]` that also register the item, plus `#[guarded_pymodule]`
/// and the `#[guard(...)]` helper attribute. Its `#[pymodule]` is PyO3's; on a declarative
/// `mod` written outside the guarded module (and exported into it with
/// `#[pymodule_export] use crate::codec::codec;`), the items PyO3 adds to that module do not
/// register themselves anywhere else.
pub mod prelude {
    pub use pyo3::prelude::*;
    // Explicit re-exports shadow the glob's macros of the same names.
    pub use pyo3_guard_macros::{
        guard, guarded_pymodule, pyclass, pyfunction, pymethods, pymodule,
    };
}

pub use guard::{GuardError, MissingExportError, StaleBuildError};

#[cfg(feature = "stub-gen")]
pub mod stubs;

/// The `main` of the stub binary (feature `stub-gen`): `src/bin/stub_gen.rs` holds only
/// `pyo3_guard::stub_gen_main!(your_lib_crate);`. It writes the module's `.pyi` files where
/// maturin packs them, or with `--check` exits 1 and prints a diff when they differ from the
/// sources. See [`stubs`] (with the feature) for the details.
#[cfg(feature = "stub-gen")]
#[macro_export]
macro_rules! stub_gen_main {
    ($lib:ident) => {
        fn main() {
            ::std::process::exit($crate::stubs::main($lib::__pyo3_guard_stub_info));
        }
    };
}

/// The `main` of the stub binary; needs feature `stub-gen` of pyo3-guard.
#[cfg(not(feature = "stub-gen"))]
#[macro_export]
macro_rules! stub_gen_main {
    ($($any:tt)*) => {
        ::core::compile_error!(
            "stub_gen_main! needs pyo3-guard's `stub-gen` feature: run `cargo run --features stub-gen --bin stub_gen`, \
             with a crate feature `stub-gen = [\"pyo3-guard/stub-gen\", \"dep:pyo3-stub-gen\"]` \
             (and `required-features = [\"stub-gen\"]` on the `[[bin]]`)"
        );
        fn main() {}
    };
}

/// Not public API. Used by generated code.
#[doc(hidden)]
pub mod __private {
    pub use crate::guard::{install, install_threaded};
    #[cfg(feature = "stub-gen")]
    pub use crate::stubs;
    pub use inventory;
    pub use pyo3_guard_core::dist::{
        check as dist_check, install as install_dist, pytest_addoption as dist_pytest_addoption,
    };
    pub use pyo3_guard_core::registry::{
        class, drop_placed_by_body, install_declarative, Filter, InitResult, Item, Kind, Make,
    };
    pub use pyo3_guard_macros::declared_inline;
}
