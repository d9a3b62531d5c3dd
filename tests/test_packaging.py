"""The lines of docs/converting.md for depending on pyo3-guard before a release, pasted into a new crate:
real cargo, a real git dependency on this repository (its HEAD commit)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import REPO, Project

PLACEHOLDER = "/path/to/pyo3-guard"
LIB = """use pyo3_guard::prelude::*;

#[pyfunction]
fn hello() -> String {
    "hi".into()
}

#[guarded_pymodule]
fn pasted(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let _ = m;
    Ok(())
}
"""


def readme_dependency_lines() -> str:
    """The toml block of "Before pyo3-guard is on crates.io"."""
    text = (REPO / "docs" / "converting.md").read_text()
    section = text[text.index("**Before pyo3-guard is on crates.io**"):]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block and PLACEHOLDER in block.group(1), "docs/converting.md: the pre-release dependency block moved"
    return block.group(1)


def test_the_readmes_pre_release_git_dependency_lines_build_a_guarded_crate(tmp_path: Path):
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    crate = Project(tmp_path / "pasted")
    (crate.root / "src").mkdir(parents=True)
    lines = readme_dependency_lines().replace(PLACEHOLDER, REPO.as_posix())
    (crate.root / "Cargo.toml").write_text(
        f'[package]\nname = "pasted"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\ncrate-type = ["cdylib"]\n\n'
        f"{lines}\n[workspace]\n")
    (crate.root / "build.rs").write_text("fn main() {\n    pyo3_guard_build::emit();\n}\n")
    (crate.root / "src" / "lib.rs").write_text(LIB)
    crate.run("cargo", "check", "--quiet")
    lock = (crate.root / "Cargo.lock").read_text()
    for name in ("pyo3-guard", "pyo3-guard-build", "pyo3-guard-core", "pyo3-guard-engine", "pyo3-guard-macros"):
        assert re.search(rf'name = "{name}"\nversion = "[^"]+"\nsource = "git\+file://[^"]*#{head}"', lock), name
