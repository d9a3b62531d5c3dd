"""Self-registering classes and functions end to end: real maturin builds, real installs, a
real interpreter. The examples have no add_class / add_function line anywhere."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from conftest import Project, copy_example, tool, wheel_venv, write_tree

REPO = Path(__file__).resolve().parent.parent


def pin_pyo3(project: Project, version: str) -> None:
    # The package registry has been seen to answer two commands in a row differently (a version
    # `generate-lockfile` locked was missing for the `update` after it), so a failure is tried
    # once more before it counts.
    for last in (False, True):
        locked = project.run("cargo", "generate-lockfile", "--quiet", check=last)
        pinned = project.run("cargo", "update", "--quiet", "-p", "pyo3", "--precise", version, check=last)
        if locked.returncode == 0 and pinned.returncode == 0:
            return
        time.sleep(5)


def run_example_tests(project: Project) -> str:
    """The example's own pytest suite, inside the example's venv."""
    project.run(tool("uv"), "pip", "install", "--quiet", "--python", project.python, "pytest")
    result = project.run(project.python, "-m", "pytest", "-q", "tests", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("pyo3", ["0.27.0", "0.30.1"])
def test_items_from_every_file_and_module_register_themselves(tmp_path: Path, pyo3: str):
    project = copy_example("registration", tmp_path / "registration")
    calls = re.findall(r"\.add_(?:class|function)\b", "\n".join(p.read_text() for p in (project.root / "src").rglob("*.rs")))
    assert calls == [".add_class"]  # the one addition by hand, in the module body: the body's only
    pin_pyo3(project, pyo3)
    project.uv_venv()
    project.maturin_develop()
    assert "6 passed" in run_example_tests(project)
    assert project.py("import registration; print(registration.__build_info__['pyo3'])").stdout.strip() == pyo3

    # The opted-out iterator type exists (iteration works) but is not in the module.
    out = project.py(
        "import registration as r; it = iter(r.Polygon([r.Point(1, 2)]));"
        "print(type(it).__name__, hasattr(r, type(it).__name__), sorted(r.__all__))"
    ).stdout.split(" ", 2)
    assert out[:2] == ["PolygonIter", "False"]
    assert out[2].strip() == str(sorted(["Labelled", "Origin", "Point", "Polygon", "VERSION", "answer", "shout", "text"]))


def test_submodules_import_from_an_installed_wheel(tmp_path: Path):
    project = copy_example("registration", tmp_path / "registration")
    python = wheel_venv(project, tmp_path)
    code = (
        "import registration.text.case\n"
        "from registration.text import Token, words\n"
        "from registration.text.case import title\n"
        "import registration\n"
        "print(Token.__module__, words.__module__, title.__module__, registration.Point.__module__)\n"
        "import sys; print(sys.modules['registration.text.case'] is registration.text.case)\n"
    )
    # From another directory, so only the installed wheel can be imported.
    result = project.run(python, "-c", code, cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "registration.text registration.text registration.text.case registration", "True"]


def test_a_path_dependency_is_registered_only_when_the_module_names_it(tmp_path: Path):
    project = copy_example("workspace-deps", tmp_path / "workspace-deps")
    project.uv_venv()
    project.maturin_develop()
    run_example_tests(project)

    # A named crate's class the body adds by hand (the build script reads only the module's own
    # crate's lines): added by the body, in its place, and not registered a second time.
    project.edit("src/lib.rs", "    let _ = m;\n", "    m.add_class::<core_types::Point>()?;\n")
    project.maturin_develop()
    assert project.py("import app; print(app.__all__)").stdout.strip() == "['Point', 'describe', 'units']"
    project.edit("src/lib.rs", "    m.add_class::<core_types::Point>()?;\n", "    let _ = m;\n")

    # Not named: its items are not added, even when the extension uses the crate (so it is
    # linked); and a crate used nowhere is not even linked, so its registrations are gone.
    project.edit("src/lib.rs", "#[guarded_pymodule(crates = [core_types])]", "#[guarded_pymodule]")
    project.edit("src/lib.rs", "#[pyfunction]\nfn describe()",
                 "#[pyfunction]\nfn origin() -> core_types::Point {\n    core_types::Point { x: 0.0, y: 0.0 }\n}\n\n"
                 "#[pyfunction]\nfn describe()")
    project.maturin_develop()
    out = project.py("import app; print(sorted(app.__all__), hasattr(app, 'Point'), type(app.origin()).__name__)")
    assert out.stdout.split() == ["['describe',", "'origin']", "False", "Point"]


def test_a_renamed_path_dependency_is_named_as_the_code_names_it(tmp_path: Path):
    project = copy_example("workspace-deps", tmp_path / "workspace-deps")
    project.edit("Cargo.toml", 'core-types = { path = "core_types" }', 'types = { package = "core-types", path = "core_types" }')
    project.edit("src/lib.rs", "#[guarded_pymodule(crates = [core_types])]", "#[guarded_pymodule(crates = [types])]")
    project.uv_venv()
    project.maturin_develop()
    run_example_tests(project)
    # The export check agrees: the renamed crate is named, so nothing it declares is missing.
    assert project.py("import app; print(app.__guard__.check()['missing'])").stdout.strip() == "[]"
    # Not named: the check's hint names it as the code does.
    project.edit("src/lib.rs", "#[guarded_pymodule(crates = [types])]", "#[guarded_pymodule]")
    project.maturin_develop()
    reasons = project.py("import app; print({m['reason'] for m in app.__guard__.check()['missing']})").stdout
    assert "write `#[guarded_pymodule(crates = [types])]`" in reasons, reasons


MISMATCH = re.compile(r"error: module is named `(\w+)` here but maturin builds `(\w+)` \(from ([^)]*)\), "
                      r"so its import would fail \(no `PyInit_\w+`\); (.*)\n\s*--> src/lib.rs:(\d+):4")


def cargo_check(project: Project, check: bool = True):
    return project.run("cargo", "check", "--quiet", check=check, env=project.env(PYO3_PYTHON=sys.executable))


@pytest.mark.parametrize("case", ["module-name", "lib-name", "pyo3-name"])
def test_a_module_name_maturin_will_not_find_fails_to_compile(demo: Project, case: str):
    if case == "module-name":
        (demo.root / "pyproject.toml").write_text((demo.root / "pyproject.toml").read_text() + '\n[tool.maturin]\nmodule-name = "pkg.other"\n')
        expected = ("demo", "other", "`pkg.other`, `module-name` in pyproject.toml [tool.maturin]",
                    'rename the function to `other` or add `#[pyo3(name = "other")]`')
    elif case == "lib-name":
        demo.edit("Cargo.toml", "[lib]\n", '[lib]\nname = "other"\n')
        expected = ("demo", "other", "`name` in Cargo.toml [lib]",
                    'rename the function to `other` or add `#[pyo3(name = "other")]`')
    else:
        demo.edit("src/lib.rs", "#[guarded_pymodule]\n", '#[guarded_pymodule]\n#[pyo3(name = "other")]\n')
        expected = ("other", "demo", "`name` in pyproject.toml [project]",
                    'write `name = "demo"` instead of `name = "other"`')
    result = cargo_check(demo, check=False)
    assert result.returncode != 0
    match = MISMATCH.search(result.stderr)
    assert match, result.stderr
    assert match.groups()[:4] == expected
    # Spanned at the function name, and the only error.
    line = demo.root.joinpath("src/lib.rs").read_text().splitlines()[int(match.group(5)) - 1]
    assert line.startswith("fn demo(")
    # The error itself and cargo's "could not compile".
    assert len(re.findall(r"^error", result.stderr, re.M)) == 2, result.stderr


def test_matching_names_and_crates_without_pyproject_compile(demo: Project):
    # The name given with #[pyo3(name)] is the one maturin builds: fine.
    (demo.root / "pyproject.toml").write_text((demo.root / "pyproject.toml").read_text() + '\n[tool.maturin]\nmodule-name = "pkg.renamed"\n')
    demo.edit("src/lib.rs", "#[guarded_pymodule]\n", '#[guarded_pymodule]\n#[pyo3(name = "renamed")]\n')
    cargo_check(demo)

    # No pyproject.toml: not a maturin project, nothing to check.
    other = copy_example("demo", demo.root.parent / "no-pyproject")
    (other.root / "pyproject.toml").unlink()
    other.edit("src/lib.rs", "fn demo(", "fn anything(")
    cargo_check(other)


# Issue 23: a converted module is PyO3's module plus the guard, and nothing else. Each project
# below is the minimal shape of a real one where registration changed what users see.

BESIDE_LIB = """use pyo3_guard::prelude::*;

/// >>> f()
/// 1
#[pyfunction]
fn f() -> i32 {
    2
}

#[pyclass]
struct C;

#[pyfunction]
#[guard(submodule = "geo")]
fn g() -> i32 {
    3
}

#[guarded_pymodule]
fn pkg(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}
"""

NAMES = """
import pickle, sys
import pkg, pkg.pkg as ext
import pkg.geo
print(ext.__name__, ext.f.__module__, ext.C.__module__, repr(ext.C), ext.geo.g.__module__)
print(pkg.geo.WHERE, sys.modules.get("pkg.pkg.geo") is ext.geo)
print(pickle.loads(pickle.dumps(ext.f)) is ext.f, "__guard__" in vars(pkg))
"""


def test_a_package_beside_cargo_toml_keeps_pyo3s_names(tmp_path: Path):
    """maturin's mixed layout without module-name: the package folder `pkg` beside Cargo.toml
    holds the extension `pkg.pkg`. Its items name `pkg.pkg`, where they are (not the package,
    which is the user's), and `#[guard(submodule)]` never hides the package's own `geo.py`: no
    doctest of the extension is collected as the package's, and pickling finds the function,
    with a star import in `__init__.py` and without one."""
    from test_layouts import cargo_toml, pyproject
    write_tree(tmp_path, {"Cargo.toml": cargo_toml("pkg"), "build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                          "pyproject.toml": pyproject("pkg"), "src/lib.rs": BESIDE_LIB,
                          "pkg/__init__.py": "from .pkg import *\n", "pkg/geo.py": 'WHERE = "python"\n'})
    project = Project(tmp_path)
    project.uv_venv()
    project.maturin_develop()
    project.run(tool("uv"), "pip", "install", "--quiet", "--python", project.python, "pytest==9.2.0")
    for init in ("from .pkg import *\n", ""):
        (tmp_path / "pkg/__init__.py").write_text(init)
        out = project.py(NAMES).stdout.splitlines()
        assert out == ["pkg.pkg pkg.pkg pkg.pkg <class 'pkg.pkg.C'> pkg.pkg.geo", "python True", "True False"], init
        doctests = project.run(project.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules", "pkg",
                               check=False)
        # Nothing collected (exit 5), as before conversion: `f` is the extension's, not the package's.
        assert doctests.returncode == 5, doctests.stdout + doctests.stderr


HAND_LIB = """use pyo3_guard::prelude::*;

#[pyclass]
struct Kept;

#[pyclass]
struct Moved;

#[pyfunction]
fn is_valid() -> bool {
    true
}

mod meta {
    use pyo3_guard::prelude::*;

    #[pyfunction]
    pub fn is_valid() -> bool {
        false
    }

    #[pyclass]
    pub struct Schema;
}

#[pymodule]
fn sub(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Kept>()?;
    Ok(())
}

// Functions a `macro_rules!` makes, where the build script does not see them, named by a
// fragment: one Python name in two submodules (fastcrc's shape).
macro_rules! checksum {
    ($name:ident, $py:literal, $value:expr) => {
        #[pyfunction]
        #[pyo3(name = $py)]
        fn $name() -> u8 {
            $value
        }
    };
}
checksum!(crc_8_autosar, "autosar", 8);
checksum!(crc_16_autosar, "autosar", 16);

// Functions defined and added by a helper function the body calls, one Python name in two
// submodules, bound to the submodule or to nothing: the build script does not follow the call,
// only what the module holds once the body has run tells (tsdownsample's shape, whose
// `macro_rules!` and `paste!` define its functions inside the module function).
fn fill(py: Python<'_>, parent: &Bound<'_, PyModule>, name: &str, double: bool) -> PyResult<()> {
    #[pyfunction]
    fn scale(x: i32) -> i32 {
        x
    }
    #[pyfunction]
    #[pyo3(name = "scale")]
    fn scale_twice(x: i32) -> i32 {
        2 * x
    }
    let sub = PyModule::new(py, name)?;
    if double {
        sub.add_function(wrap_pyfunction!(scale_twice, &sub)?)?;
    } else {
        sub.add_wrapped(wrap_pyfunction!(scale))?;
    }
    parent.add_submodule(&sub)
}

// A lifetime parameter, as PyO3 allows (fastobo's module function has one).
#[guarded_pymodule]
fn hand<'py>(py: Python<'py>, m: &Bound<'py, PyModule>) -> PyResult<()> {
    fill(py, m, "plain", false)?;
    fill(py, m, "double", true)?;
    m.add_wrapped(pyo3::wrap_pymodule!(sub))?;
    let meta = PyModule::new(py, "meta")?;
    meta.add_function(wrap_pyfunction!(meta::is_valid, &meta)?)?;
    meta.add_class::<meta::Schema>()?;
    m.add_submodule(&meta)?;
    let crc8 = PyModule::new(py, "hand.crc8")?;
    crc8.add_function(wrap_pyfunction!(crc_8_autosar, &crc8)?)?;
    m.add("crc8", &crc8)?;
    let crc16 = PyModule::new(py, "hand.crc16")?;
    crc16.add_function(wrap_pyfunction!(crc_16_autosar, &crc16)?)?;
    m.add("crc16", &crc16)?;
    Ok(())
}
"""

HAND_NAMES = """
import hand, hand.hand as ext
public = lambda m: sorted(n for n in vars(m) if not n.startswith("__"))
print(public(ext), public(hand.sub), public(hand.meta))
print(hand.is_valid(), hand.meta.is_valid(), hand.sub.Kept.__module__, hand.meta.Schema.__module__)
print(public(ext.crc8), ext.crc8.autosar(), public(ext.crc16), ext.crc16.autosar())
print(public(ext.plain), ext.plain.scale(3), public(ext.double), ext.double.scale(3))
print(hand.__guard__.verify())
"""


def test_items_added_by_hand_to_a_submodule_stay_there_only(tmp_path: Path):
    """A `#[pymodule] fn` the module adds with `wrap_pymodule!`, and a module built with
    `PyModule::new` and `add_submodule`: what they add by hand is theirs only (not also at the
    top, where `meta::is_valid` would meet the top `is_valid` and fail the import), with PyO3's
    names; `Moved`, which nothing adds, registers at the top. The same for functions a
    `macro_rules!` makes and names (`#[pyo3(name = $py)]`), which the build script cannot see:
    one name in two submodules, neither at the top; and for functions a helper function
    defines and adds, which only identity at run time can place. The module function has a
    lifetime parameter."""
    from test_layouts import cargo_toml, pyproject
    write_tree(tmp_path, {"Cargo.toml": cargo_toml("hand"), "build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                          "pyproject.toml": pyproject("hand"), "src/lib.rs": HAND_LIB})
    project = Project(tmp_path)
    project.uv_venv()
    project.maturin_develop()
    out = project.py(HAND_NAMES).stdout.splitlines()
    assert out == ["['Moved', 'crc16', 'crc8', 'double', 'is_valid', 'meta', 'plain', 'sub'] ['Kept'] "
                   "['Schema', 'is_valid']",
                   "True False builtins builtins", "['autosar'] 8 ['autosar'] 16", "['scale'] 3 ['scale'] 6", "None"]


# Plain PyO3: a function module whose body adds its items in an order of its own (not by name),
# one class at the top and in a `PyModule::new` submodule, and a value between the additions.
ORDER_LIB = """use pyo3::prelude::*;

#[pyclass]
struct Zebra;

#[pyclass]
struct Both;

#[pyclass]
struct Apple;

#[pyfunction]
fn middle() -> i32 {
    1
}

#[pyfunction]
fn alpha() -> i32 {
    2
}

#[pymodule]
fn order(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Zebra>()?;
    m.add_function(wrap_pyfunction!(middle, m)?)?;
    m.add_class::<Both>()?;
    m.add("VERSION", "1.0")?;
    m.add_function(wrap_pyfunction!(alpha, m)?)?;
    let sub = PyModule::new(py, "sub")?;
    sub.add_class::<Both>()?;
    m.add_submodule(&sub)?;
    m.add_class::<Apple>()?;
    Ok(())
}
"""

ORDER_FACTS = """
import json, order
print(json.dumps({"all": order.__all__, "sub": sorted(n for n in vars(order.sub) if not n.startswith("__")),
                  "both": order.Both is order.sub.Both}))
"""

ORDER_CHECK = """
import json, order
found = order.__guard__.check()
print(json.dumps({"verdict": found["verdict"], "missing": [(m["name"], m["reason"]) for m in found["missing"]]}))
"""


def test_a_converted_function_module_keeps_pyo3s_all_order(tmp_path: Path, cli: Path):
    """Converted by the command (which keeps the add lines), the module's `__all__` is PyO3's,
    in the body's order; a class added at the top and in a submodule is in both; the check is
    fresh with nothing missing, and still covers what the body adds by hand."""
    import json
    from test_layouts import pyproject
    cargo = ('[package]\nname = "order"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\ncrate-type = ["cdylib"]\n\n'
             '[dependencies]\npyo3 = { version = ">=0.27, <0.31" }\n\n[workspace]\n')
    write_tree(tmp_path, {"Cargo.toml": cargo, "pyproject.toml": pyproject("order"), "src/lib.rs": ORDER_LIB})
    project = Project(tmp_path)
    project.uv_venv()
    project.maturin_develop()
    before = json.loads(project.py(ORDER_FACTS).stdout)
    assert before == {"all": ["Zebra", "middle", "Both", "VERSION", "alpha", "sub", "Apple"], "sub": ["Both"],
                      "both": True}, before

    done = project.run(cli, "convert", "--path", REPO)
    assert ("Kept 5 add lines in the module function: its body adds those items in its own order, as PyO3 did, "
            "so __all__ keeps its order (--delete-add-lines deletes them)\n") in done.stdout, done.stdout
    assert "Not published" not in done.stdout, done.stdout
    project.maturin_develop()
    assert json.loads(project.py(ORDER_FACTS).stdout) == before
    assert json.loads(project.py(ORDER_CHECK).stdout) == {"verdict": "fresh", "missing": []}

    # Lines the build script reads but that do not run: those items do not register (the body
    # adds them), so the check names them missing, Both at the top although it is in the
    # submodule. A line deleted: the item registers, and comes last (registration runs after
    # the body), where it was.
    project.edit("src/lib.rs", "    m.add_function(wrap_pyfunction!(middle, m)?)?;\n    m.add_class::<Both>()?;\n",
                 '    if std::env::var_os("ORDER_SKIP").is_none() {\n'
                 "        m.add_function(wrap_pyfunction!(middle, m)?)?;\n        m.add_class::<Both>()?;\n    }\n")
    project.edit("src/lib.rs", "    m.add_class::<Apple>()?;\n", "")
    project.maturin_develop()
    after = json.loads(project.py(ORDER_FACTS).stdout)
    assert after["all"] == ["Zebra", "middle", "Both", "VERSION", "alpha", "sub", "Apple"], after
    assert json.loads(project.py(ORDER_CHECK).stdout) == {"verdict": "fresh", "missing": []}
    skipped = json.loads(project.run(project.python, "-c", ORDER_CHECK, env=project.env(ORDER_SKIP="1")).stdout)
    reason = ("added by hand in the module's own code (the build script read the line, so it does not register), "
              "but not in the module: see whether that line runs")
    assert skipped["verdict"] == "fresh" and sorted(skipped["missing"]) == [["Both", reason], ["middle", reason]], skipped
