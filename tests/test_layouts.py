"""The layouts real projects have (issue #12), each generated from small templates, built once
with the real maturin into a venv made by uv, then checked: fresh, touched-but-unchanged is
fresh, an edit is stale and named (in `check()`, in `StaleBuildError`, in `doctor`), a wrong
`#[pymodule]` name fails the build with the module-name check, and the fix doctor prints works
when pasted into a shell."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from conftest import REPO, Project, doctor, fix_commands, show, tool, write_tree

LIB = """use pyo3_guard::prelude::*;

#[pyfunction]
fn greet() -> String {
    GREETING
}

#[pyclass]
struct Word;

#[guarded_pymodule]
fn MODULE(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}
"""


def cargo_toml(package: str, deps: str = "", extra: str = "\n[workspace]\n") -> str:
    """An extension crate depending on this checkout's pyo3-guard (as the examples do)."""
    return f"""[package]
name = "{package}"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
pyo3 = {{ version = ">=0.27, <0.31" }}
pyo3-guard = {{ path = "{REPO / 'pyo3-guard'}" }}
{deps}
[build-dependencies]
pyo3-guard-build = {{ path = "{REPO / 'pyo3-guard-build'}" }}
{extra}"""


def pyproject(name: str, maturin: str = "") -> str:
    return f"""[build-system]
requires = ["maturin>=1.10,<2"]
build-backend = "maturin"

[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.9"

[tool.maturin]
{maturin}"""


def lib_rs(module: str, greeting: str = '"hello".to_owned()') -> str:
    return LIB.replace("MODULE", module).replace("GREETING", greeting)


def init_py(native: str) -> str:
    return f"from .{native} import greet, Word, __build_id__, __build_info__, __guard__\n"


CORE = {"Cargo.toml": '[package]\nname = "lay-core"\nversion.workspace = true\nedition = "2021"\n',
        "src/lib.rs": 'pub fn word() -> &\'static str {\n    "hello"\n}\n'}


@dataclass
class Layout:
    """One generated project and what to expect of it."""
    files: dict[str, str]
    project: str = "."          # where pyproject.toml is (maturin and uv run there)
    crate: str = "."            # where the extension's Cargo.toml is
    module: str = ""            # the name users import
    items: str = ""             # the module registered items name as theirs (default: module)
    fn: str = ""                # the #[guarded_pymodule] function (maturin's extension name)
    edit: str = "src/lib.rs"    # the input to edit, relative to the crate
    changed: str = "src/lib.rs" # how check() names it
    doctor_from: str = "."      # where doctor runs (and the fix is pasted)
    develop: tuple[str, ...] = ()
    extra: Callable[[Project, Path, str], None] | None = None
    pyo3_lock: str = "Cargo.lock"  # the lock file __build_info__["pyo3"] must come from, relative to the crate
    pin_pyo3: str = ""          # a pyo3 version to lock the crate to before the build


def data_is_not_an_input(project: Project, crate: Path, module: str) -> None:
    """python-source = "src": package data and Python files beside the Rust sources never stale."""
    (crate / "src/lay_src/data.json").write_text('{"changed": true}\n')
    (crate / "src/lay_src/new.txt").write_text("more data\n")
    (crate / "src/lay_src/__init__.py").write_text(init_py("_native") + "EXTRA = 1\n")
    assert verdict(project, module) == ("fresh", [])


def other_lock_is_not_an_input(project: Project, crate: Path, module: str) -> None:
    """The other workspace's lock file is not the one cargo uses; its manifest is (inheritance)."""
    other = crate.parent / "other"
    (other / "Cargo.lock").write_text((other / "Cargo.lock").read_text().replace("0.29.0", "0.29.1"))
    assert verdict(project, module) == ("fresh", [])
    lock = crate / "Cargo.lock"
    lock.write_text(lock.read_text() + "\n")
    assert verdict(project, module) == ("stale", ["Cargo.lock"])
    lock.write_text(lock.read_text()[:-1])
    assert verdict(project, module) == ("fresh", [])


def layouts(tmp: Path) -> dict[str, Layout]:
    core_elsewhere = tmp / "elsewhere" / "deep" / "lay-core"
    return {
        "pure": Layout(
            files={"Cargo.toml": cargo_toml("lay-pure"), "build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "pyproject.toml": pyproject("lay_pure"), "src/lib.rs": lib_rs("lay_pure")},
            module="lay_pure", fn="lay_pure"),
        "mixed-python": Layout(
            files={"Cargo.toml": cargo_toml("lay-mixed"), "build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "pyproject.toml": pyproject("lay_mixed", 'python-source = "python"\nmodule-name = "lay_mixed._native"\n'),
                   "python/lay_mixed/__init__.py": init_py("_native"), "src/lib.rs": lib_rs("_native")},
            module="lay_mixed._native", fn="_native", develop=("--release",)),
        # maturin's mixed layout without module-name (issue 23): the package folder beside
        # Cargo.toml, named like the extension, holds it as `lay_beside.lay_beside`.
        "mixed-beside": Layout(
            files={"Cargo.toml": cargo_toml("lay-beside"), "build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "pyproject.toml": pyproject("lay_beside"), "lay_beside/__init__.py": init_py("lay_beside"),
                   "src/lib.rs": lib_rs("lay_beside")},
            module="lay_beside", items="lay_beside.lay_beside", fn="lay_beside"),
        "mixed-src": Layout(
            files={"Cargo.toml": cargo_toml("lay-src"), "build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "pyproject.toml": pyproject("lay_src", 'python-source = "src"\nmodule-name = "lay_src._native"\n'),
                   "src/lay_src/__init__.py": init_py("_native"), "src/lay_src/data.json": "{}\n",
                   "src/lib.rs": lib_rs("_native")},
            module="lay_src._native", fn="_native", extra=data_is_not_an_input),
        "manifest-path": Layout(
            files={"pyproject.toml": pyproject("lay_mp", 'manifest-path = "rust/Cargo.toml"\n'),
                   "rust/Cargo.toml": cargo_toml("lay-mp-rs"), "rust/build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "rust/src/lib.rs": lib_rs("lay_mp")},
            crate="rust", module="lay_mp", fn="lay_mp", doctor_from="rust"),
        # pendulum's shape (found converting pendulum 3.3.0): the crate in rust/, the package in
        # python/; an editable build copies the extension into python/, outside the crate.
        "manifest-path-mixed": Layout(
            files={"pyproject.toml": pyproject("lay_mpm", 'manifest-path = "rust/Cargo.toml"\npython-source = "python"\n'
                                                          'module-name = "lay_mpm._native"\n'),
                   "python/lay_mpm/__init__.py": init_py("_native"),
                   "rust/Cargo.toml": cargo_toml("lay-mpm-rs"), "rust/build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "rust/src/lib.rs": lib_rs("_native")},
            crate="rust", module="lay_mpm._native", fn="_native", doctor_from="."),
        "workspace-member": Layout(
            files={"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n[workspace.package]\nversion = "0.2.0"\n'
                                 '[workspace.dependencies]\nlay-core = { path = "crates/core" }\n',
                   **{f"crates/core/{k}": v for k, v in CORE.items()},
                   "crates/lay-ws-python/Cargo.toml": cargo_toml("lay-ws-python", "lay-core = { workspace = true }\n", extra=""),
                   "crates/lay-ws-python/build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "crates/lay-ws-python/pyproject.toml": pyproject("lay_ws"),
                   "crates/lay-ws-python/src/lib.rs": lib_rs("lay_ws", "lay_core::word().to_owned()")},
            project="crates/lay-ws-python", crate="crates/lay-ws-python", module="lay_ws", fn="lay_ws",
            edit="../core/src/lib.rs", changed="../core/src/lib.rs", doctor_from=".", pyo3_lock="../../Cargo.lock"),
        "path-dep-in-other-workspace": Layout(
            files={"app/Cargo.toml": cargo_toml("lay-app", 'lay-core = { path = "../other/core" }\n', extra=""),
                   "app/build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "app/pyproject.toml": pyproject("lay_app"), "app/src/lib.rs": lib_rs("lay_app", "lay_core::word().to_owned()"),
                   "other/Cargo.toml": '[workspace]\nmembers = ["core"]\n[workspace.package]\nversion = "0.3.0"\n',
                   # Never read by the app's build: a pyo3 version it does not use.
                   "other/Cargo.lock": 'version = 4\n\n[[package]]\nname = "pyo3"\nversion = "0.29.0"\n',
                   **{f"other/core/{k}": v for k, v in CORE.items()}},
            project="app", crate="app", module="lay_app", fn="lay_app", doctor_from="app",
            edit="../other/Cargo.toml", changed="../other/Cargo.toml", extra=other_lock_is_not_an_input,
            # Neither the other lock's pyo3 nor this checkout's (a path dependency's workspace too).
            pin_pyo3="0.27.0"),
        "path-dep-absolute": Layout(
            files={"app/Cargo.toml": cargo_toml("lay-abs", f'lay-core = {{ path = "{core_elsewhere}" }}\n'),
                   "app/build.rs": "fn main() { pyo3_guard_build::emit(); }\n",
                   "app/pyproject.toml": pyproject("lay_abs"), "app/src/lib.rs": lib_rs("lay_abs", "lay_core::word().to_owned()"),
                   **{f"elsewhere/deep/lay-core/{k}": v.replace("version.workspace = true", 'version = "0.1.0"\n[workspace]')
                      for k, v in CORE.items()}},
            project="app", crate="app", module="lay_abs", fn="lay_abs", doctor_from="app",
            edit=f"{core_elsewhere}/src/lib.rs", changed="../elsewhere/deep/lay-core/src/lib.rs"),
    }


CHECK = "import {top} as m; r = m.__guard__.check(); print(r['verdict']); print(r['changed']); print(r['message'])"


def check(project: Project, module: str) -> tuple[str, list[str], str]:
    top = module.split(".")[0]
    out = project.py(CHECK.format(top=top)).stdout
    verdict_line, changed, message = out.split("\n", 2)
    return verdict_line, eval(changed), message.strip()


def verdict(project: Project, module: str) -> tuple[str, list[str]]:
    return check(project, module)[:2]


@pytest.mark.parametrize("name", ["pure", "mixed-python", "mixed-beside", "mixed-src", "manifest-path", "manifest-path-mixed", "workspace-member",
                                  "path-dep-in-other-workspace", "path-dep-absolute"])
def test_layout(name: str, tmp_path: Path, cli: Path):
    layout = layouts(tmp_path)[name]
    write_tree(tmp_path, layout.files)
    project = Project(tmp_path / layout.project)
    crate = (tmp_path / layout.crate).resolve()
    project.uv_venv()
    if layout.pin_pyo3:
        project.run("cargo", "generate-lockfile", "--quiet", cwd=crate)
        project.run("cargo", "update", "--quiet", "-p", "pyo3", "--precise", layout.pin_pyo3, cwd=crate)
    project.maturin_develop(*layout.develop)

    # Fresh, under the name users import, and with the pyo3 of the lock file cargo used.
    verdict_, changed, message = check(project, layout.module)
    assert (verdict_, changed) == ("fresh", []), message
    assert message == f"{layout.module} is fresh: built from the sources on disk"
    info = project.py(f"import {layout.module.split('.')[0]} as m; print(m.__build_info__['pyo3'], m.__build_info__['module'])").stdout.split()
    locked = tomllib.loads((crate / layout.pyo3_lock).read_text())
    # Registered items name the module they are in: the generated package in the pure layout,
    # else the extension itself (never the user's package).
    items = layout.items or layout.module
    names = project.py(f"import {layout.module.split('.')[0]} as m; print(m.greet.__module__, repr(m.Word))").stdout.split(" ", 1)
    assert names == [items, f"<class '{items}.Word'>\n"]
    print("INFO", info, (crate / layout.pyo3_lock)); assert info == [next(p["version"] for p in locked["package"] if p["name"] == "pyo3"), layout.module]
    here = tmp_path / layout.doctor_from
    fresh = doctor(project, cli, cwd=here)
    assert fresh.returncode == 0 and fresh.stdout.startswith(f"{layout.module} is fresh"), show(fresh)

    # Touched, and rewritten with the same content: fresh.
    edited = crate / layout.edit
    original = edited.read_text()
    os.utime(edited, (1_000_000_000, 1_000_000_000))
    edited.write_text(original)
    assert verdict(project, layout.module) == ("fresh", [])
    if layout.extra:
        layout.extra(project, crate, layout.module)

    # An edit is stale, named the same way in check(), StaleBuildError and doctor.
    edited.write_text(original + ("\n# edited\n" if edited.suffix == ".toml" else "\n// edited\n"))
    verdict_, changed, message = check(project, layout.module)
    assert (verdict_, changed) == ("stale", [layout.changed]), message
    top = layout.module.split(".")[0]
    raised = project.py(f"import {top} as m; m.__guard__.verify()", check=False)
    assert f"StaleBuildError: {layout.module} is stale" in raised.stderr, raised.stderr
    assert message.splitlines()[0] in raised.stderr
    stale = doctor(project, cli, cwd=here)
    assert stale.returncode == 1 and stale.stdout.startswith(f"{layout.module} is stale"), show(stale)
    assert layout.changed in stale.stdout, show(stale)
    develop = "maturin develop" + (" --release" if layout.develop else "")
    assert any(c.endswith(develop) for c in fix_commands(message)), message
    rebuild = [c for c in fix_commands(stale.stdout) if c.endswith(develop)]
    assert rebuild, show(stale)

    # The module-name check: a #[pymodule] under another name fails the build at the function.
    lib = crate / "src/lib.rs"
    good = lib.read_text()
    lib.write_text(good.replace(f"fn {layout.fn}(", "fn wrong_name("))
    failed = project.run(tool("maturin"), "develop", "--quiet", *layout.develop, check=False,
                         env=project.env(VIRTUAL_ENV=str(project.venv)))
    assert failed.returncode != 0, show(failed)
    assert f"module is named `wrong_name` here but maturin builds `{layout.fn}`" in failed.stderr, show(failed)
    lib.write_text(good)

    # The fix doctor printed, pasted into a shell where doctor ran (no venv activated: maturin
    # finds the project's .venv): fresh again.
    project.run("sh", "-c", rebuild[0], cwd=here)
    assert verdict(project, layout.module) == ("fresh", [])
    assert doctor(project, cli, cwd=here).returncode == 0


def test_doctor_says_what_a_directory_is_when_it_is_not_the_project(tmp_path: Path, cli: Path):
    """A virtual workspace with two maturin members, a member that is not a maturin project, and a
    pyproject.toml whose manifest-path names nothing: each is named with what to run instead."""
    write_tree(tmp_path, {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
        "crates/a/Cargo.toml": cargo_toml("a", extra=""), "crates/a/pyproject.toml": pyproject("a"),
        "crates/b/Cargo.toml": cargo_toml("b", extra=""), "crates/b/pyproject.toml": pyproject("b"),
        "crates/c/Cargo.toml": cargo_toml("c", extra=""),
        "broken/pyproject.toml": pyproject("broken", 'manifest-path = "rust/Cargo.toml"\n'),
    })
    project = Project(tmp_path)
    two = doctor(project, cli)
    assert two.returncode == 2, show(two)
    assert f"a Cargo workspace with 2 maturin projects; name one: `pyo3-guard doctor {tmp_path.resolve()}/crates/a`" in two.stderr
    not_maturin = doctor(project, cli, "crates/c")
    assert "the Rust crate `c` is not a maturin project" in not_maturin.stderr and "maturin develop" not in not_maturin.stderr
    broken = doctor(project, cli, "broken")
    assert "maturin would build" in broken.stderr and "rust/Cargo.toml, which does not exist" in broken.stderr, show(broken)
    # What doctor names works when pasted.
    named = two.stderr.split("`")[1]
    assert "cannot tell: " in project.run("sh", "-c", f"{cli} {named.removeprefix('pyo3-guard ')}", check=False).stdout
