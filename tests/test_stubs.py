"""Type stubs (pyo3-guard's `stub-gen` feature), on copies of the examples that commit them:
the stub command's check mode, regeneration, `mypy --strict` over the example's tests and
`stubtest` against the installed module, for maturin's pure layout (examples/demo: `demo.pyi`
beside Cargo.toml) and its mixed layout (examples/mixed: `module-name = "mixed_demo._native"`,
stubs under `python/`, with a registered submodule `ops`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, Project, copy_example, stub_gen, tool


def mypy_strict(project: Project, *paths: str, check: bool = True) -> subprocess.CompletedProcess:
    return project.run(tool("mypy"), "--strict", "--no-incremental", "--python-executable", project.python, *paths,
                       check=check)


def stubtest(project: Project, module: str, cwd: Path) -> subprocess.CompletedProcess:
    """mypy's stubtest against the module installed in the project's venv. It runs in the tools'
    interpreter (the same Python) with the venv's site-packages added, .pth files included, and
    from a directory outside the project, so it reads the installed stubs."""
    site_packages = next(project.venv.glob("lib/python*/site-packages"))
    code = (f"import site, sys; site.addsitedir({str(site_packages)!r})\n"
            "from mypy.stubtest import main\n"
            f"sys.argv = ['stubtest', {module!r}, '--ignore-missing-stub']\n"
            "sys.exit(main())")
    return project.run(sys.executable, "-c", code, check=False, cwd=cwd)


LAYOUTS = {
    # example, files the command writes, a signature edit, the stub line it gives, the module
    "pure": ("demo", ["demo.pyi"], ("fn greet(name: &str)", "fn greet(name: &str, loud: bool)"),
             "+def greet(name: builtins.str, loud: builtins.bool) -> builtins.str:", "demo"),
    "mixed": ("mixed", ["python/mixed_demo/_native/__init__.pyi", "python/mixed_demo/_native/ops/__init__.pyi"],
              ("fn scale(value: f64, factor: f64)", "fn scale(value: f64, factor: f64, _round: bool)"),
              "+def scale(value: builtins.float, factor: builtins.float, _round: builtins.bool) -> builtins.float:", "mixed_demo._native"),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_committed_stubs_are_checked_regenerated_and_type_check(tmp_path: Path, layout: str):
    example, files, (old, new), changed_line, module = LAYOUTS[layout]
    for rel in files:
        assert (EXAMPLES / example / rel).is_file(), f"examples/{example} does not commit {rel}"
    project = copy_example(example, tmp_path / example)

    ok = stub_gen(project, "--check")
    assert "stubs up to date" in ok.stdout

    project.edit("src/lib.rs", old, new)
    stale = stub_gen(project, "--check", check=False)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert changed_line in stale.stdout.splitlines(), stale.stdout
    assert "differ from the sources" in stale.stderr
    written = stub_gen(project)
    assert all(f"wrote {rel}" in written.stdout for rel in files), written.stdout
    stub_gen(project, "--check")
    project.edit("src/lib.rs", new, old)
    stub_gen(project)

    project.uv_venv()
    project.maturin_develop()
    mypy_strict(project, "tests")
    # The stubs are what mypy reads: a wrong use fails.
    (project.root / "wrong.py").write_text(f"import {module}\nx: str = {module}.__build_id__ + 1\n")
    wrong = mypy_strict(project, "wrong.py", check=False)
    assert wrong.returncode == 1 and "wrong.py:2: error" in wrong.stdout, wrong.stdout

    result = stubtest(project, module, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


# examples/mixed as a declarative module: `scale` in a nested `#[pymodule] mod ops`.
DECLARATIVE_MIXED = """use pyo3_guard::prelude::*;

#[guarded_pymodule]
mod _native {
    use pyo3_guard::prelude::*;

    /// Adds two numbers in Rust.
    #[pyfunction]
    fn add(a: i64, b: i64) -> i64 {
        a + b
    }

    #[pymodule]
    mod ops {
        use pyo3_guard::prelude::*;

        /// Multiplies by a factor.
        #[pyfunction]
        fn scale(value: f64, factor: f64) -> f64 {
            value * factor
        }
    }
}
"""


def test_a_declarative_module_has_the_same_stubs_nested_modules_included(tmp_path: Path):
    project = copy_example("mixed", tmp_path / "mixed")
    (project.root / "src" / "lib.rs").write_text(DECLARATIVE_MIXED)
    # The committed stubs of the function-module form, `_native/ops/__init__.pyi` among them.
    assert "stubs up to date" in stub_gen(project, "--check").stdout
    project.uv_venv()
    project.maturin_develop()
    mypy_strict(project, "tests")
    result = stubtest(project, "mixed_demo._native", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubtest_catches_a_stub_that_disagrees_with_the_module(tmp_path: Path):
    project = copy_example("demo", tmp_path / "demo")
    project.edit("demo.pyi", "def greet(name: builtins.str)", "def greet(nom: builtins.str)")
    project.uv_venv()
    project.maturin_develop()
    result = stubtest(project, "demo", cwd=tmp_path)
    assert result.returncode == 1
    assert 'demo.greet is inconsistent, stub parameter "nom" differs from runtime parameter "name"' in result.stdout


def test_the_pure_layout_has_no_place_for_submodule_stubs(tmp_path: Path):
    project = copy_example("demo", tmp_path / "demo")
    project.edit("src/lib.rs", "#[guarded_pymodule]",
                 '#[pyfunction]\n#[guard(submodule = "sub")]\nfn inner() {}\n\n#[guarded_pymodule]')
    failed = stub_gen(project, "--check", check=False)
    assert failed.returncode == 1
    assert ("stub_gen: `demo.sub` is a submodule, but maturin's pure Rust layout packs one stub file, "
            "`demo.pyi`: use the mixed layout") in failed.stderr
    assert "panicked" not in failed.stderr


def test_the_command_needs_the_feature_and_the_dependency(tmp_path: Path):
    project = copy_example("demo", tmp_path / "demo")
    no_feature = project.run("cargo", "run", "--quiet", "--bin", "stub_gen", check=False)
    assert no_feature.returncode != 0
    assert "requires the features: `stub-gen`" in no_feature.stderr

    project.edit("Cargo.toml", 'stub-gen = ["pyo3-guard/stub-gen", "dep:pyo3-stub-gen"]', 'stub-gen = ["pyo3-guard/stub-gen"]')
    project.edit("Cargo.toml", "pyo3-stub-gen = {", "# removed = {")
    project.edit("Cargo.toml", "# Only for the stubs", "# Only for the")
    no_dependency = stub_gen(project, check=False)
    assert no_dependency.returncode != 0
    assert "pyo3-guard's `stub-gen` feature is on, but this crate does not depend on pyo3-stub-gen" in no_dependency.stderr
