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
    assert "MissingExportError: mixed_demo._native is missing 2 items its sources declare for Python" in failed.stderr
    assert "class Forgotten (src/lib.rs:" in failed.stderr
    assert "m.add_class::<Forgotten>()" in failed.stderr
    assert "function forgotten_fn (src/lib.rs:" in failed.stderr
    assert "NeverCompiled" not in failed.stderr  # behind a cfg that is off: not expected

    report = project.py("import mixed_demo; r = mixed_demo.__guard__.check(); print(r['verdict'], sorted(m['name'] for m in r['missing']))")
    assert report.stdout.strip() == "fresh ['Forgotten', 'forgotten_fn']"

    project.edit("src/lib.rs", "    m.add_function(wrap_pyfunction!(add, m)?)?;",
                 "    m.add_function(wrap_pyfunction!(add, m)?)?;\n    m.add_class::<Forgotten>()?;\n"
                 "    m.add_function(wrap_pyfunction!(forgotten_fn, m)?)?;")
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
