"""The stale-binary guard end to end: real maturin, real uv, real pytest, a real interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import Project, fix_commands, tool, wheel_venv

NEW_METHOD = "    /// Sets the counter back to zero.\n    fn reset(&mut self) {\n        self.value = 0;\n    }\n\n    #[getter]"

CHECK_RESET = "import demo; print('has reset:', hasattr(demo.Counter(), 'reset')); demo.__guard__.verify(); print('verified')"


def build_id(project: Project, python: Path | None = None, **env: str) -> str:
    return project.py("import demo; print(demo.__build_id__)", python=python, **env).stdout.strip()


def test_uv_reinstalling_its_cached_wheel_is_caught_and_blamed_on_uv(demo: Project):
    demo.uv_venv()
    # uv builds a release wheel through maturin's PEP 517 hook, caches it and installs it.
    demo.uv_run("python", "-c", "import demo")
    demo.edit("src/lib.rs", "    #[getter]", NEW_METHOD)
    demo.maturin_develop()

    direct = demo.py(CHECK_RESET)
    assert "has reset: True" in direct.stdout and "verified" in direct.stdout

    # `uv run` reinstalls the cached old wheel over the fresh build: the guard must say so.
    stale = demo.uv_run("python", "-c", CHECK_RESET, check=False)
    assert stale.returncode != 0
    assert "has reset: False" in stale.stdout
    message = stale.stderr
    assert "StaleBuildError: demo is stale" in message
    assert "changed: src/lib.rs" in message
    assert "release profile" in message
    assert "uv reinstalled a release wheel it built and cached" in message
    assert "uv_build.json" in message
    assert 'cache-keys = [' in message and '{ file = "src/**/*.rs" }' in message
    assert "fix: or rebuild once: uv sync --inexact --reinstall-package demo\n" in message
    # The names work on the package maturin generates around the extension module.
    same = demo.py("import demo, demo.demo as ext; print(demo.__build_id__ == ext.__build_id__, demo.__guard__ is ext.__guard__)")
    assert same.stdout.strip() == "True True"

    # The fix the message names works when pasted: after it, the fresh build stays.
    rebuild, = [command for command in fix_commands(message) if "--reinstall-package" in command]
    demo.run("sh", "-c", rebuild)
    assert "verified" in demo.uv_run("python", "-c", CHECK_RESET).stdout


def test_touch_never_reports_stale_and_a_revert_restores_the_id(demo: Project):
    demo.uv_venv()
    demo.maturin_develop()
    original_id = build_id(demo)
    lib = demo.root / "src" / "lib.rs"
    original = lib.read_text()

    # Touched, and rewritten with the same content (what a `git checkout` back does): fresh.
    os.utime(lib, (1_000_000_000, 1_000_000_000))
    lib.write_text(original)
    report = demo.py("import demo; r = demo.__guard__.check(); print(r['verdict'], r['touched'])").stdout.split()
    assert report == ["fresh", "1"]
    demo.py("import demo; demo.__guard__.verify()")

    # Any change of content is stale and names the file, without a rebuild.
    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    (demo.root / "src" / "extra.rs").write_text("// not yet used\n")
    out = demo.py("import demo; r = demo.__guard__.check(); print(r['verdict'], r['changed'], r['added'], r['removed'])")
    assert out.stdout.strip() == "stale ['src/lib.rs'] ['src/extra.rs'] []"

    demo.maturin_develop()
    changed_id = build_id(demo)
    assert changed_id != original_id
    demo.py("import demo; demo.__guard__.verify()")

    lib.write_text(original)
    (demo.root / "src" / "extra.rs").unlink()
    demo.maturin_develop()
    assert build_id(demo) == original_id


def links_thread_spawning(library: Path) -> bool:
    """Whether the library holds the standard library's thread spawning (by its symbols)."""
    symbols = subprocess.run(["nm", "-C", str(library)], capture_output=True, text=True, check=True).stdout
    return "spawn_unchecked" in symbols


def test_only_a_crate_of_400_inputs_or_more_links_the_check_that_starts_threads(demo: Project):
    # The demo (a handful of inputs) checks on the calling thread, and its binary holds no
    # thread code; with 400 inputs the build script sets the cfg that links the threaded check,
    # which must give the same answers.
    demo.uv_venv()
    demo.maturin_develop()
    loaded = "import demo; print(demo.__guard__.check()['file'])"
    assert not links_thread_spawning(Path(demo.py(loaded).stdout.strip()))

    for i in range(400):
        (demo.root / "src" / "gen" / f"f{i}.rs").parent.mkdir(exist_ok=True)
        (demo.root / "src" / "gen" / f"f{i}.rs").write_text(f"// generated {i}\n")
    demo.maturin_develop()
    assert links_thread_spawning(Path(demo.py(loaded).stdout.strip()))
    report = "import demo; r = demo.__guard__.check(); print(r['verdict'], r['changed'], r['touched'])"
    assert demo.py(report).stdout.strip() == "fresh [] 0"
    demo.edit("src/gen/f399.rs", "generated", "changed")
    assert demo.py(report).stdout.strip() == "stale ['src/gen/f399.rs'] 0"


def wheel_build_id(project: Project, out: Path, *args: str, target_dir: Path | None = None) -> tuple[str, str]:
    """Builds a wheel with `maturin build`, unpacks it, imports it: (build id, source id)."""
    env = project.env(**({"CARGO_TARGET_DIR": str(target_dir)} if target_dir else {}))
    project.run(tool("maturin"), "build", "--quiet", "--interpreter", sys.executable, "--out", out, *args, env=env)
    wheel, = out.glob("*.whl")
    unpacked = out / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = "import demo; print(demo.__build_id__, demo.__build_info__['source_id'])"
    result = project.run(sys.executable, "-c", code, env=project.env(PYTHONPATH=str(unpacked)), cwd=out)
    build, source = result.stdout.split()
    return build, source


def test_same_inputs_same_id_in_another_target_dir_and_config_changes_the_id(demo: Project, tmp_path: Path):
    shared = wheel_build_id(demo, tmp_path / "a")
    clean = wheel_build_id(demo, tmp_path / "b", target_dir=tmp_path / "clean-target")
    assert clean == shared

    with_feature = wheel_build_id(demo, tmp_path / "c", "--features", "extra")
    release = wheel_build_id(demo, tmp_path / "d", "--release")
    assert len({shared[0], with_feature[0], release[0]}) == 3
    # Configuration is not a source: the source part of the id does not move.
    assert shared[1] == with_feature[1] == release[1]


def test_a_wheel_whose_sources_are_absent_is_unverifiable_not_stale(demo: Project, tmp_path: Path):
    python = wheel_venv(demo, tmp_path)

    moved = tmp_path / "elsewhere"
    demo.root.rename(moved)
    code = "import demo; demo.__guard__.verify(); r = demo.__guard__.check(); print(r['verdict']); print(r['message'])"
    result = demo.run(python, "-c", code, cwd=tmp_path)
    verdict, message = result.stdout.split("\n", 1)
    assert verdict == "unverifiable"
    assert "PYO3_GUARD_SOURCE_ROOT" in message and str(demo.root) in message

    pointed = demo.run(python, "-c", code, cwd=tmp_path, env=demo.env(PYO3_GUARD_SOURCE_ROOT=str(moved)))
    assert pointed.stdout.startswith("fresh\n")


def test_pytest_integration_stops_a_stale_session_at_its_start(demo: Project):
    demo.uv_venv()
    demo.run(tool("uv"), "pip", "install", "--quiet", "--python", demo.python, "pytest")
    demo.maturin_develop()
    fresh = demo.run(demo.python, "-m", "pytest", "-q", "tests", check=False)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "passed" in fresh.stdout

    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    stale = demo.run(demo.python, "-m", "pytest", "-q", "tests", check=False)
    output = stale.stdout + stale.stderr
    assert stale.returncode == 1, output
    assert "demo is stale" in output and "changed: src/lib.rs" in output
    assert "passed" not in output and "failed" not in output


def test_a_rebuild_with_no_change_does_no_work(demo: Project):
    env = demo.env(PYO3_PYTHON=sys.executable)
    demo.run("cargo", "build", env=env)
    again = demo.run("cargo", "build", "-v", env=env)
    assert "Fresh demo" in again.stderr
    assert "Compiling" not in again.stderr and "Running" not in again.stderr, again.stderr


@pytest.mark.parametrize("pyo3", ["0.27.0", "0.30.1"])
def test_builds_and_verifies_with_the_lowest_and_highest_supported_pyo3(demo: Project, pyo3: str):
    demo.run("cargo", "generate-lockfile", "--quiet")
    demo.run("cargo", "update", "--quiet", "-p", "pyo3", "--precise", pyo3)
    demo.uv_venv()
    demo.maturin_develop()
    info = demo.py("import demo; demo.__guard__.verify(); print(demo.__build_info__['pyo3'])")
    assert info.stdout.strip() == pyo3


def test_mixed_layout_package_carries_the_guard_and_python_files_are_not_inputs(tmp_path: Path):
    from conftest import copy_example

    mixed = copy_example("mixed", tmp_path / "mixed")
    mixed.uv_venv()
    mixed.run(tool("uv"), "pip", "install", "--quiet", "--python", mixed.python, "pytest")
    mixed.maturin_develop()
    tests = mixed.run(mixed.python, "-m", "pytest", "-q", "tests", check=False)
    assert tests.returncode == 0, tests.stdout + tests.stderr

    # Python sources, and the extension maturin copies next to them, are not build inputs.
    init = mixed.root / "python" / "mixed_demo" / "__init__.py"
    init.write_text(init.read_text() + "\nEXTRA = 1\n")
    mixed.py("import mixed_demo; mixed_demo.__guard__.verify()")

    mixed.edit("src/lib.rs", "a + b", "b + a")
    out = mixed.py("import mixed_demo; r = mixed_demo.__guard__.check(); print(r['verdict'], r['changed']); print(r['cause'])")
    verdict, cause = out.stdout.strip().split("\n")
    assert verdict == "stale ['src/lib.rs']"
    assert "editable install" in cause
