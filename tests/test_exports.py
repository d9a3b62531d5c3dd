"""The export check: every class, method and function the sources declare must be reachable
from the loaded module, or verify() says which is not and why."""

from __future__ import annotations

from pathlib import Path

from conftest import Project, copy_example, tool

FORGOTTEN = '''
/// Declared for Python, never added to the module.
#[pyclass]
struct Forgotten {
    #[pyo3(get)]
    size: i64,
}

#[pymethods]
impl Forgotten {
    fn grow(&mut self) {}
}

#[pyfunction]
fn forgotten_fn() {}

/// Only returned by other functions: declared on purpose without being exported.
#[pyclass]
#[cfg(any())]
struct NeverCompiled;

/// Bindings behind a cfg, the way optional Python bindings are often written.
#[cfg_attr(unix, pyclass)]
struct OptionalBinding;

#[cfg_attr(any(), pyclass)]
struct BindingOff;
'''


def mixed(tmp_path: Path) -> Project:
    project = copy_example("mixed", tmp_path / "mixed")
    project.uv_venv()
    return project


def test_a_forgotten_add_class_is_named_with_the_fix(tmp_path: Path):
    project = mixed(tmp_path)
    project.edit("src/lib.rs", "#[pyo3_guard::guarded_pymodule]", FORGOTTEN + "\n#[pyo3_guard::guarded_pymodule]")
    project.maturin_develop()

    code = "import mixed_demo; mixed_demo.__guard__.verify()"
    failed = project.py(code, check=False)
    assert "MissingExportError: mixed_demo._native is missing 3 items its sources declare for Python" in failed.stderr
    assert "class Forgotten (src/lib.rs:" in failed.stderr
    assert "m.add_class::<crate::Forgotten>()" in failed.stderr
    assert "m.add_function(wrap_pyfunction!(crate::forgotten_fn, m)?)" in failed.stderr
    assert "function forgotten_fn (src/lib.rs:" in failed.stderr
    assert "class OptionalBinding (src/lib.rs:" in failed.stderr  # a #[cfg_attr] that is on
    assert "NeverCompiled" not in failed.stderr  # behind a cfg that is off: not expected
    assert "BindingOff" not in failed.stderr  # a #[cfg_attr] that is off

    report = project.py("import mixed_demo; r = mixed_demo.__guard__.check(); print(r['verdict'], sorted(m['name'] for m in r['missing']))")
    assert report.stdout.strip() == "fresh ['Forgotten', 'OptionalBinding', 'forgotten_fn']"

    project.edit("src/lib.rs", "    m.add_function(wrap_pyfunction!(add, m)?)?;",
                 # The fix lines as the message gives them, pasted.
                 "    m.add_function(wrap_pyfunction!(add, m)?)?;\n    m.add_class::<crate::Forgotten>()?;\n"
                 "    m.add_class::<crate::OptionalBinding>()?;\n"
                 "    m.add_function(wrap_pyfunction!(crate::forgotten_fn, m)?)?;")
    project.maturin_develop()
    project.py(code)


def test_a_missing_method_is_named(tmp_path: Path):
    project = mixed(tmp_path)
    # A class whose #[pymethods] block is never compiled into the binary... is not expected;
    # but a method the record lists and the class lacks is reported. Simulate the lack by
    # replacing the class object after import: the check reads the live module.
    project.edit("src/lib.rs", "#[pyo3_guard::guarded_pymodule]", FORGOTTEN + "\n#[pyo3_guard::guarded_pymodule]")
    project.edit("src/lib.rs", "    m.add_function(wrap_pyfunction!(add, m)?)?;",
                 "    m.add_function(wrap_pyfunction!(add, m)?)?;\n    m.add_class::<Forgotten>()?;\n"
                 "    m.add_function(wrap_pyfunction!(forgotten_fn, m)?)?;")
    project.maturin_develop()
    code = ("import mixed_demo, mixed_demo._native as n\n"
            "class Forgotten: size = 0\n"
            "n.Forgotten = Forgotten\n"
            "r = n.__guard__.check(); print([m['item'] for m in r['missing']])")
    out = project.py(code).stdout
    assert "member Forgotten.grow (src/lib.rs:" in out
    assert "size" not in out


def test_classes_of_a_path_dependency_the_module_does_not_name_are_reported(tmp_path: Path):
    project = copy_example("workspace-deps", tmp_path / "workspace-deps")
    project.uv_venv()
    project.edit("src/lib.rs", "#[guarded_pymodule(crates = [core_types])]", "#[guarded_pymodule]")
    # Optional bindings: the extension enables `python`, which enables `bindings`; `extra` is off.
    project.edit("Cargo.toml", 'core-types = { path = "core_types" }', 'core-types = { path = "core_types", features = ["python"] }')
    (project.root / "core_types" / "Cargo.toml").write_text(
        (project.root / "core_types" / "Cargo.toml").read_text() + '\n[features]\npython = ["bindings"]\nbindings = []\nextra = []\n')
    lib = project.root / "core_types" / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "\n#[cfg(feature = \"bindings\")]\n#[pyclass]\npub struct Optional;\n\n"
                   "#[cfg_attr(feature = \"extra\", pyclass)]\npub struct NotEnabled;\n")
    project.maturin_develop()

    failed = project.py("import app; app.__guard__.verify()", check=False)
    message = failed.stderr
    assert "class Optional (core_types/src/lib.rs:" in message
    assert "NotEnabled" not in message
    assert "MissingExportError: app is missing" in message
    assert "class Point (../core_types/src/lib.rs:" not in message  # paths are relative to the crate
    assert "class Point (core_types/src/lib.rs:" in message
    assert "class Metres (core_types/src/lib.rs:" in message and "submodule units" in message
    assert "declared in path dependency `core_types`, which the module does not name" in message
    assert "crates = [core_types]" in message
    assert "describe" not in message  # the crate's own function is there

    project.edit("src/lib.rs", "#[guarded_pymodule]", "#[guarded_pymodule(crates = [core_types])]")
    project.maturin_develop()
    project.py("import app; app.__guard__.verify()")


def test_pyo3s_own_macros_get_the_fix_that_works(tmp_path: Path):
    """Found converting real projects: a macro imported from PyO3 by name (it wins over the
    prelude's glob), and a PyO3 class of a path dependency, behind a feature the extension
    enables by name. Each message names a fix; pasted, the module verifies."""
    project = copy_example("workspace-deps", tmp_path / "workspace-deps")
    project.edit("Cargo.toml", 'core-types = { path = "core_types" }', 'core-types = { path = "core_types", features = ["python"] }')
    core = project.root / "core_types"
    (core / "Cargo.toml").write_text((core / "Cargo.toml").read_text() + '\n[features]\npython = []\n')
    (core / "src" / "lib.rs").write_text((core / "src" / "lib.rs").read_text() + '\n#[cfg(feature = "python")]\npub mod py;\n')
    (core / "src" / "py.rs").write_text("use pyo3::prelude::*;\n\n#[pyclass]\npub struct Core;\n")
    (project.root / "src" / "named.rs").write_text(
        "use pyo3::pyclass;\n#[allow(unused_imports)]\nuse pyo3_guard::prelude::*;\n\n#[pyclass]\npub struct Named;\n")
    project.edit("src/lib.rs", "use pyo3_guard::prelude::*;\n", "use pyo3_guard::prelude::*;\n\nmod named;\n")
    project.uv_venv()
    project.maturin_develop()
    reasons = dict(line.split(" | ", 1) for line in project.py(
        "import app\nfor m in app.__guard__.check()['missing']: print(m['name'], '|', m['reason'])").stdout.splitlines())
    assert set(reasons) == {"Core", "Named"}, reasons
    assert reasons["Named"].startswith("not registered: declared with PyO3's own #[pyclass], and nothing adds it to the "
                                       "module. `pyclass` is imported from PyO3 by name in src/named.rs"), reasons
    assert reasons["Core"].startswith("declared in `core_types`, which the module names, with PyO3's own #[pyclass]"), reasons
    assert "use `pyo3_guard::prelude::*` in core_types/src/py.rs" in reasons["Core"]

    # Not named in crates = [...]: the fix is to add it by hand (or convert the crate).
    project.edit("src/lib.rs", "#[guarded_pymodule(crates = [core_types])]", "#[guarded_pymodule]")
    project.maturin_develop()
    missing = project.py("import app\nfor m in app.__guard__.check()['missing']: print(m['name'], '|', m['reason'])")
    core = next(line for line in missing.stdout.splitlines() if line.startswith("Core |"))
    assert ("declared with PyO3's own #[pyclass] in path dependency `core_types`, and nothing adds it: add it by hand "
            "(`m.add_class::<core_types::py::Core>()` in a module function") in core, core

    # The fixes, pasted: the name import goes (the prelude's glob gives pyo3-guard's macro), the
    # dependency's class is added by hand, the crate named again.
    project.edit("src/named.rs", "use pyo3::pyclass;\n", "")
    project.edit("src/lib.rs", "#[guarded_pymodule]", "#[guarded_pymodule(crates = [core_types])]")
    project.edit("src/lib.rs", "    let _ = m;\n", "    m.add_class::<core_types::py::Core>()?;\n")
    project.maturin_develop()
    project.py("import app; app.__guard__.verify(); print(app.Named, app.Core)")
