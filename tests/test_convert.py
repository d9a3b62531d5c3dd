"""`pyo3-guard convert`, the command: the projects `maturin new` and `uv init` generate and a
function module are converted by it and built with the real maturin, with the same Python names
before and after; and every refusal (a dirty git tree, source that does not parse, two candidate
modules, a workspace of several projects, an old PyO3, files not writable, not a maturin
project) is one message that changes no file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, Project, show, tool, write_tree

# Every public name reachable from the package, submodules included (`a.b.c`), dunders left out:
# what a default conversion must leave as it was.
NAMES = """
import importlib, json, sys, types
top = sys.argv[1]
def walk(module, prefix, seen):
    names = []
    for name in sorted(dir(module)):
        if name.startswith("__"):
            continue
        names.append(prefix + name)
        value = getattr(module, name)
        if isinstance(value, types.ModuleType) and id(value) not in seen:
            seen.add(id(value))
            names += walk(value, prefix + name + ".", seen)
    return names
print(json.dumps(walk(importlib.import_module(top), "", set())))
"""


def names(project: Project, module: str) -> list[str]:
    return json.loads(project.run(project.python, "-c", NAMES, module).stdout)


def convert(project: Project, cli: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = project.run(cli, "convert", *args, "--path", REPO, check=False)
    if check:
        assert result.returncode == 0, show(result)
    return result


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (but .git and .venv) and a hash of its bytes and mode."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] not in (".git", ".venv", "target"):
            files[str(rel)] = hashlib.sha256(path.read_bytes() + oct(path.stat().st_mode).encode()).hexdigest()
    return files


def git(project: Project, *args: str) -> None:
    env = project.env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                      GIT_COMMITTER_EMAIL="t@example.com")
    project.run("git", *args, env=env)


def commit_all(project: Project) -> None:
    if not (project.root / ".git").exists():
        git(project, "init", "--quiet")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "before pyo3-guard")


def build(project: Project) -> None:
    if not project.venv.exists():
        project.uv_venv()
    project.maturin_develop()


# A function module that adds two items by hand, sets a constant, and declares a class and a
# function nothing adds: those stay unpublished by default.
FUNCTION_MODULE = {
    "Cargo.toml": """[package]
name = "fmod"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]

[dependencies]
# PyO3 (the version the tests build)
pyo3 = { version = ">=0.27, <0.31" }

[workspace]
""",
    "pyproject.toml": """[build-system]
requires = ["maturin>=1.10,<2"]
build-backend = "maturin"

[project]
name = "fmod"
version = "0.1.0"
""",
    "src/lib.rs": """use pyo3::prelude::*;

mod items;

/// The module.
#[pymodule]
fn fmod(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<items::Counter>()?;
    // The function, wrapped.
    m.add_function(wrap_pyfunction!(items::double, m)?)?;
    m.add("VERSION", "1.0")?;
    Ok(())
}
""",
    "src/items.rs": """use pyo3::{prelude::*, types::PyDict};

#[pyclass]
pub struct Counter {
    #[pyo3(get)]
    value: i64,
}

#[pymethods]
impl Counter {
    #[new]
    fn new() -> Self {
        Counter { value: 0 }
    }

    fn options<'py>(&self, py: Python<'py>) -> Bound<'py, PyDict> {
        PyDict::new(py)
    }
}

/// Never added by hand.
#[pyclass]
pub struct Iter;

#[pyfunction]
pub fn double(x: i64) -> i64 {
    2 * x
}

#[pyfunction]
pub fn hidden() {}
""",
}


def function_module(root: Path) -> Project:
    write_tree(root, FUNCTION_MODULE)
    return Project(root)


def test_a_maturin_new_project_is_converted_by_the_command_with_the_same_names(tmp_path: Path, cli: Path):
    Project(tmp_path).run(tool("maturin"), "new", "--bindings", "pyo3", "my_project")
    project = Project(tmp_path / "my_project")
    build(project)
    before = names(project, "my_project")
    assert "sum_as_string" in before and "my_project.sum_as_string" in before, before

    done = convert(project, cli)
    assert done.stdout.startswith(f"Converted {project.root} (module my_project, top module at src/lib.rs:5):\n"), show(done)
    assert "  src/lib.rs: pyo3-guard's prelude for PyO3's (2 `use`); #[guarded_pymodule] on `my_project` (line 5)\n" in done.stdout
    assert "  build.rs: created, calling pyo3_guard_build::emit()\n" in done.stdout
    assert "Next:\n  maturin develop   # builds the converted module into the virtualenv\n  pytest\n" in done.stdout
    assert "Not published" not in done.stdout  # the template's one function was published already
    lib = (project.root / "src" / "lib.rs").read_text()
    assert "use pyo3_guard::prelude::*;\n\n/// A Python module implemented in Rust.\n#[guarded_pymodule]\nmod my_project {\n" in lib

    build(project)
    assert names(project, "my_project") == before
    project.run(tool("uv"), "pip", "install", "--quiet", "--python", project.python, "pytest")
    (project.root / "tests").mkdir()
    (project.root / "tests" / "test_it.py").write_text("import my_project\n\ndef test_it():\n    assert my_project.sum_as_string(1, 2) == '3'\n")
    assert "1 passed" in project.run(project.python, "-m", "pytest", "-q").stdout
    # The hook in the conftest.py the command wrote stops a session on a stale build.
    project.edit("src/lib.rs", "(a + b).to_string()", "(b + a).to_string()")
    stale = project.run(project.python, "-m", "pytest", "-q", check=False)
    assert stale.returncode == 1 and "my_project is stale" in stale.stdout + stale.stderr, show(stale)

    again = convert(project, cli)
    assert again.stdout == (f"{project.root}: converted already (#[guarded_pymodule] on `my_project` at src/lib.rs:5); "
                            "nothing to do\n"), show(again)
    # The cache keys it added are all doctor --fix wants: --fix finds nothing to add.
    build(project)
    fix = json.loads(project.run(cli, "doctor", "--fix", "--json", check=False).stdout)
    assert (fix["outcome"], fix["fix_added"]) == ("fresh", []), fix


def test_a_uv_init_project_in_a_clean_git_tree(tmp_path: Path, cli: Path):
    Project(tmp_path).run(tool("uv"), "init", "--quiet", "--build-backend", "maturin", "--no-workspace", "uvproj")
    project = Project(tmp_path / "uvproj")
    commit_all(project)
    build(project)
    before = names(project, "uvproj")
    assert "_core.hello_from_bin" in before, before

    done = convert(project, cli)
    assert "  src/uvproj/__init__.py: the guard's names re-exported from _core\n" in done.stdout, show(done)
    assert "Next:\n  uv add --dev pytest\n  uv run pytest   # builds and installs the converted module first\n" in done.stdout, show(done)
    init = (project.root / "src" / "uvproj" / "__init__.py").read_text()
    assert init.startswith("from uvproj._core import hello_from_bin\nfrom ._core import __build_id__, __build_info__, __guard__\n"), init
    build(project)
    assert names(project, "uvproj") == before
    verdict = project.run(project.python, "-c", "import uvproj; uvproj.__guard__.verify(); print(uvproj.__guard__.check()['verdict'])")
    assert verdict.stdout.strip() == "fresh"


ALL = "import fmod; print(' '.join(fmod.__all__))"


def test_a_function_module_keeps_its_names_and_says_what_it_kept(tmp_path: Path, cli: Path):
    project = function_module(tmp_path / "fmod")
    build(project)
    before = names(project, "fmod")
    assert {"Counter", "VERSION", "double", "fmod.Counter"} <= set(before) and "Iter" not in before, before
    order = project.run(project.python, "-c", ALL).stdout
    assert order == "Counter double VERSION\n", order
    publish_all = Project(tmp_path / "all")
    shutil.copytree(project.root, publish_all.root, ignore=shutil.ignore_patterns(".venv"))

    # The add lines stay (the body adds those items in its order), and the summary says why.
    done = convert(project, cli)
    out = done.stdout
    assert "  src/lib.rs: pyo3-guard's prelude for PyO3's (1 `use`); #[guarded_pymodule] on `fmod` (line 7)\n" in out, show(done)
    assert ("Kept 2 add lines in the module function: its body adds those items in its own order, as PyO3 did, "
            "so __all__ keeps its order (--delete-add-lines deletes them)\n") in out, show(done)
    assert "deleted" not in out and "Kept in the module function" not in out, show(done)
    assert "Not published, as before (nothing added them), so marked #[guard(skip)]; delete a mark to publish " \
           "that item:\n  src/items.rs:23: class Iter\n  src/items.rs:31: function hidden\n" in out, show(done)
    lib = (project.root / "src" / "lib.rs").read_text()
    assert lib == FUNCTION_MODULE["src/lib.rs"].replace("use pyo3::", "use pyo3_guard::").replace(
        "#[pymodule]", "#[guarded_pymodule]"), lib
    items = (project.root / "src" / "items.rs").read_text()
    assert items.startswith("use pyo3::{types::PyDict};\nuse pyo3_guard::prelude::*;\n"), items
    assert "#[pyclass]\n#[guard(skip)]\npub struct Iter;" in items and "#[pyfunction]\n#[guard(skip)]\npub fn hidden" in items
    build(project)
    assert names(project, "fmod") == before
    assert project.run(project.python, "-c", ALL).stdout == order
    project.run(project.python, "-c", "import fmod; fmod.__guard__.verify()")

    # --publish-all --delete-add-lines: the two become public, the add lines that only add an
    # item go (any other stays, said with why), and registration adds those items after the body's,
    # by name.
    done = convert(publish_all, cli, "--publish-all", "--delete-add-lines")
    out = done.stdout
    assert "  src/lib.rs: pyo3-guard's prelude for PyO3's (1 `use`); #[guarded_pymodule] on `fmod` (line 7); " \
           "2 add lines deleted (the items add themselves)\n" in out, show(done)
    assert "Kept in the module function (they do more than add an item that now adds itself):\n" \
        '  src/lib.rs:11: m.add("VERSION", "1.0")?;  (it adds a value under a name of its own)\n' in out, show(done)
    assert "Kept 2 add lines" not in out, show(done)
    lib = (publish_all.root / "src" / "lib.rs").read_text()
    assert lib.endswith("fn fmod(m: &Bound<'_, PyModule>) -> PyResult<()> {\n    // The function, wrapped.\n"
                        '    m.add("VERSION", "1.0")?;\n    Ok(())\n}\n'), lib
    build(publish_all)
    assert set(names(publish_all, "fmod")) - set(before) == {"Iter", "hidden", "fmod.Iter", "fmod.hidden"}
    assert publish_all.run(publish_all.python, "-c", ALL).stdout == "VERSION Counter Iter double hidden\n"


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path, cli: Path):
    project = function_module(tmp_path / "fmod")
    files = snapshot(project.root)
    result = convert(project, cli, "--dry-run")
    assert snapshot(project.root) == files
    assert result.stderr == "pyo3-guard convert: 6 files would change (--dry-run: nothing was written)\n", show(result)
    diff = result.stdout
    assert "--- /dev/null\n+++ b/build.rs\n@@ -0,0 +1,3 @@\n+fn main() {\n+    pyo3_guard_build::emit();\n+}\n" in diff
    assert ("--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,9 +1,9 @@\n-use pyo3::prelude::*;\n+use pyo3_guard::prelude::*;\n"
            " \n mod items;\n \n /// The module.\n-#[pymodule]\n+#[guarded_pymodule]\n fn fmod(m: &Bound<'_, PyModule>) -> PyResult<()> {\n"
            "     m.add_class::<items::Counter>()?;\n     // The function, wrapped.\n--- ") in diff, diff
    deleting = project.run(cli, "convert", "--dry-run", "--delete-add-lines", "--path", REPO).stdout
    assert ("--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,13 +1,11 @@\n-use pyo3::prelude::*;\n+use pyo3_guard::prelude::*;\n"
            " \n mod items;\n \n /// The module.\n-#[pymodule]\n+#[guarded_pymodule]\n fn fmod(m: &Bound<'_, PyModule>) -> PyResult<()> {\n"
            "-    m.add_class::<items::Counter>()?;\n     // The function, wrapped.\n"
            "-    m.add_function(wrap_pyfunction!(items::double, m)?)?;\n") in deleting, deleting
    assert f'+pyo3-guard = {{ path = "{REPO}/pyo3-guard" }}\n' in diff
    # --git: the pre-release lines of docs/converting.md.
    git_lines = project.run(cli, "convert", "--dry-run", "--git", f"file://{REPO}").stdout
    assert (f'+pyo3-guard = {{ git = "file://{REPO}" }}\n' in git_lines
            and f'+pyo3-guard-build = {{ git = "file://{REPO}" }}\n' in git_lines), git_lines
    # The diff applies: git apply --check accepts it as it is.
    (tmp_path / "convert.diff").write_text(diff)
    project.run("git", "apply", "--check", tmp_path / "convert.diff")


def test_a_mixed_layout_without_module_name_gets_the_reexport_and_a_hook_on_the_extension(tmp_path: Path, cli: Path):
    # cramjam's shape: the package `fmod/` beside the crate star-imports the extension fmod.fmod.
    project = function_module(tmp_path / "fmod")
    write_tree(project.root, {"fmod/__init__.py": '"""The package."""\nfrom .fmod import *\n'})
    convert(project, cli)
    assert (project.root / "fmod" / "__init__.py").read_text() == (
        '"""The package."""\nfrom .fmod import *\nfrom .fmod import __build_id__, __build_info__, __guard__\n')
    assert (project.root / "conftest.py").read_text().startswith("import fmod.fmod\n")


def test_a_dirty_git_tree_is_refused_unless_allowed(tmp_path: Path, cli: Path):
    project = function_module(tmp_path / "fmod")
    commit_all(project)
    project.edit("src/items.rs", "2 * x", "x + x")
    files = snapshot(project.root)
    refused = convert(project, cli, check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "pyo3-guard convert: these files have uncommitted changes, which the conversion would mix with its own: "
        "src/items.rs; commit or stash them first, or pass --allow-dirty (see the edits first with --dry-run)\n"
        "Nothing was changed.\n"), show(refused)
    assert snapshot(project.root) == files
    allowed = convert(project, cli, "--allow-dirty")
    assert allowed.stdout.startswith("Converted "), show(allowed)


def test_source_that_does_not_parse_changes_nothing(tmp_path: Path, cli: Path):
    project = function_module(tmp_path / "fmod")
    project.edit("src/items.rs", "pub fn hidden() {}", "pub fn hidden( {}")
    files = snapshot(project.root)
    result = convert(project, cli, check=False)
    assert result.returncode == 1, show(result)
    assert result.stderr.startswith("pyo3-guard convert: src/items.rs:31:"), show(result)
    assert ": does not parse as Rust: " in result.stderr.splitlines()[0]
    assert result.stderr.endswith("; fix it (cargo build reports the same), then convert again\nNothing was changed.\n")
    assert snapshot(project.root) == files


def test_a_second_run_says_nothing_to_do_and_an_older_conversion_gets_what_is_missing(tmp_path: Path, cli: Path):
    project = function_module(tmp_path / "fmod")
    convert(project, cli)
    files = snapshot(project.root)
    again = convert(project, cli)
    assert again.stdout == f"{project.root}: converted already (#[guarded_pymodule] on `fmod` at src/lib.rs:7); nothing to do\n"
    assert snapshot(project.root) == files
    # Converted by hand before the pytest hook and build.rs were asked for: only those are added,
    # and no Rust source is touched.
    (project.root / "conftest.py").unlink()
    (project.root / "build.rs").unlink()
    rust = {k: v for k, v in snapshot(project.root).items() if k.startswith("src/")}
    completed = convert(project, cli)
    assert completed.stdout.startswith(f"Completed the conversion of {project.root} (module fmod, guarded already at "
                                       "src/lib.rs:7); added what was missing:\n  build.rs: created"), show(completed)
    assert "conftest.py: created" in completed.stdout and "Not published" not in completed.stdout
    assert {k: v for k, v in snapshot(project.root).items() if k.startswith("src/")} == rust


def test_two_candidate_modules_are_named(tmp_path: Path, cli: Path):
    project = function_module(tmp_path / "fmod")
    (project.root / "src" / "items.rs").write_text(FUNCTION_MODULE["src/items.rs"] + (
        "\n#[pymodule]\n#[pyo3(name = \"fmod\")]\npub fn other(_m: &Bound<'_, PyModule>) -> PyResult<()> {\n    Ok(())\n}\n"))
    files = snapshot(project.root)
    result = convert(project, cli, check=False)
    assert result.returncode == 1 and result.stderr == (
        "pyo3-guard convert: 2 modules are named `fmod`, which maturin imports as PyInit_fmod: src/items.rs:35, "
        "src/lib.rs:7; keep one (or give the others another name), then convert again\nNothing was changed.\n"), show(result)
    assert snapshot(project.root) == files
    # None at all: the name maturin expects, and what there is.
    project.edit("src/lib.rs", "fn fmod(", "fn renamed(")
    project.edit("src/items.rs", '#[pyo3(name = "fmod")]\n', "")
    none = convert(project, cli, check=False)
    assert none.stderr.startswith("pyo3-guard convert: no #[pymodule] named `fmod` in the crate's sources, and maturin "
                                  "imports the module as PyInit_fmod (found `other` (src/items.rs:34), `renamed` "
                                  "(src/lib.rs:7))"), show(none)


def test_a_workspace_root(tmp_path: Path, cli: Path):
    root = tmp_path / "ws"
    write_tree(root, {"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n',
                      "crates/core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
                      "crates/core/src/lib.rs": ""})
    write_tree(root / "crates" / "fmod", {k: v.replace("[workspace]\n", "") for k, v in FUNCTION_MODULE.items()})
    ws = Project(root)
    # One maturin project among the members: that one is converted.
    done = convert(ws, cli, "--dry-run")
    assert "+++ b/src/lib.rs" in done.stdout and "+++ b/build.rs" in done.stdout, show(done)
    # Two: both are named, with the command for each.
    write_tree(root / "crates" / "gmod", {k: v.replace("fmod", "gmod").replace("[workspace]\n", "")
                                          for k, v in FUNCTION_MODULE.items()})
    files = snapshot(root)
    two = convert(ws, cli, check=False)
    real = root.resolve()
    assert two.returncode == 1 and two.stderr == (
        f"pyo3-guard convert: {real}: a Cargo workspace with 2 maturin projects; name one: "
        f"`pyo3-guard convert {real}/crates/fmod`, `pyo3-guard convert {real}/crates/gmod`\nNothing was changed.\n"), show(two)
    assert snapshot(root) == files
    # The command it names works.
    named = ws.run(cli, "convert", f"{real}/crates/gmod", "--path", REPO)
    assert named.stdout.startswith(f"Converted {real}/crates/gmod (module gmod"), show(named)


@pytest.mark.parametrize("case", ["not maturin", "old pyo3", "read-only"])
def test_bad_input_is_one_message_and_no_change(tmp_path: Path, cli: Path, case: str):
    project = function_module(tmp_path / "fmod")
    if case == "not maturin":
        (project.root / "pyproject.toml").unlink()
        expected = (f"pyo3-guard convert: {project.root.resolve()}: the Rust crate `fmod` is not a maturin project: no "
                    "pyproject.toml beside it, and none above it names it with [tool.maturin] manifest-path; run convert "
                    "where the pyproject.toml that builds your extension is\n")
    elif case == "old pyo3":
        project.edit("Cargo.toml", 'pyo3 = { version = ">=0.27, <0.31" }', 'pyo3 = "0.26.0"')
        expected = ("pyo3-guard convert: Cargo.toml: the crate uses PyO3 0.26.0 (asked for in Cargo.toml), and pyo3-guard "
                    "needs PyO3 0.27 or later; update pyo3 first (cargo's and PyO3's migration guide), then convert again\n")
    else:
        os.chmod(project.root / "src" / "lib.rs", 0o444)
        expected = "pyo3-guard convert: src/lib.rs: cannot be written (read-only); make it writable, then convert again\n"
    files = snapshot(project.root)
    result = convert(project, cli, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", expected + "Nothing was changed.\n"), show(result)
    assert snapshot(project.root) == files
    assert not list(project.root.rglob(".*.pyo3-guard-convert"))


def test_help_follows_the_conventions_of_the_tools_beside_it(cli: Path, tmp_path: Path):
    project = Project(tmp_path)
    helped = project.run(cli, "help", "convert")
    assert "Usage: pyo3-guard convert [OPTIONS] [PROJECT_DIR]" in helped.stdout and "--allow-dirty" in helped.stdout
    wrong = project.run(cli, "convert", "--dry", check=False)
    assert wrong.returncode == 2 and "error: unexpected argument '--dry' found" in wrong.stderr, show(wrong)
    assert "Usage: pyo3-guard convert [OPTIONS] [PROJECT_DIR]" in wrong.stderr
    bare = project.run(cli, check=False)
    assert bare.returncode == 2 and "Usage: pyo3-guard <COMMAND>" in bare.stderr and "convert" in bare.stderr


# Spellings of #[pyclass] a default conversion must route and mark too: PyO3's explicit paths
# (added by hand, and never added) and a #[pyclass] inside #[cfg_attr] on a feature.
EXPLICIT_MODULE = {
    "Cargo.toml": FUNCTION_MODULE["Cargo.toml"].replace('"fmod"', '"emod"').replace(
        "[dependencies]", '[features]\nnopy = []\n\n[dependencies]'),
    "pyproject.toml": FUNCTION_MODULE["pyproject.toml"].replace('"fmod"', '"emod"'),
    "src/lib.rs": """use pyo3::prelude::*;

#[pyo3::pyclass]
pub struct Added;

/// Nothing adds it.
#[::pyo3::prelude::pyclass(frozen)]
pub struct Explicit;

#[pyo3::pymethods]
impl Explicit {
    fn one(&self) -> i64 {
        1
    }
}

#[cfg_attr(not(feature = "nopy"), pyclass)]
pub struct Maybe;

#[pymodule]
fn emod(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Added>()?;
    Ok(())
}
""",
}


def test_explicit_pyo3_paths_and_cfg_attr_classes_are_converted_with_the_same_names(tmp_path: Path, cli: Path):
    """`#[pyo3::pyclass]` is routed to pyo3-guard's prelude (so it registers itself and the export
    check sees it), and a class nothing added is marked, whether its #[pyclass] is an explicit
    path or sits inside `#[cfg_attr]` (where the mark goes inside the cfg_attr)."""
    project = Project(tmp_path / "emod")
    write_tree(project.root, EXPLICIT_MODULE)
    build(project)
    before = names(project, "emod")
    assert "Added" in before and "Explicit" not in before and "Maybe" not in before, before
    publish_all = Project(tmp_path / "all")
    shutil.copytree(project.root, publish_all.root, ignore=shutil.ignore_patterns(".venv"))

    done = convert(project, cli)
    assert "  src/lib.rs: pyo3-guard's prelude for PyO3's (1 `use`); 3 explicit paths to PyO3's macros routed to " \
           "pyo3-guard's prelude; #[guarded_pymodule] on `emod` (line 21)" in done.stdout, show(done)
    assert "that item:\n  src/lib.rs:8: class Explicit\n  src/lib.rs:18: class Maybe\n" in done.stdout, show(done)
    lib = (project.root / "src" / "lib.rs").read_text()
    assert "#[pyo3_guard::prelude::pyclass]\npub struct Added;" in lib, lib
    assert "#[pyo3_guard::prelude::pyclass(frozen)]\n#[guard(skip)]\npub struct Explicit;" in lib, lib
    assert "#[pyo3_guard::prelude::pymethods]\nimpl Explicit" in lib, lib
    assert '#[cfg_attr(not(feature = "nopy"), pyclass, guard(skip))]\npub struct Maybe;' in lib, lib
    assert "    m.add_class::<Added>()?;\n" in lib, lib
    build(project)
    assert names(project, "emod") == before
    # Added is found by the export check: pyo3-guard's macro declares it, the body adds it.
    project.run(project.python, "-c", "import emod; emod.__guard__.verify()")
    # With the feature on, the cfg_attr holds neither the class nor its mark, and it builds.
    project.maturin_develop("--features", "nopy")
    assert names(project, "emod") == before

    # Unmarked, both register themselves: `#[pyo3::pyclass]` now reaches pyo3-guard's macro.
    convert(publish_all, cli, "--publish-all")
    build(publish_all)
    assert set(names(publish_all, "emod")) - set(before) == {"Explicit", "Maybe", "emod.Explicit", "emod.Maybe"}
