"""A distribution build (`PYO3_GUARD_DIST=1`): real maturin wheels of the demo, installed with uv
into their own venvs, imported in a real interpreter, and checked from outside by the real
`pyo3-guard` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import Project, tool

REPORT = """
import json, demo, demo.demo as ext
print(json.dumps({"id": demo.__build_id__, "info": demo.__build_info__, "check": demo.__guard__.check(),
                  "verify": demo.__guard__.verify(), "hook": demo.__guard__.pytest_sessionstart(None),
                  "file": ext.__file__, "counter": demo.Counter(2).value}))
"""
# Text only the check code holds: in the binary of a full build, never in a distribution build.
CHECK_ONLY = [b"StaleBuildError", b"reinstall-package"]


def installed(demo: Project, dest: Path, **env: str) -> tuple[Path, dict]:
    """Builds a release wheel with `env`, installs it into a new venv, and imports it there."""
    wheels = dest / "wheels"
    demo.run(tool("maturin"), "build", "--quiet", "--release", "--interpreter", sys.executable, "--out", wheels,
             env=demo.env(**env))
    venv = dest / "venv"
    demo.run(tool("uv"), "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    demo.run(tool("uv"), "pip", "install", "--quiet", "--python", python, *wheels.glob("*.whl"))
    return python, json.loads(demo.run(python, "-c", REPORT, cwd=dest).stdout)


def test_a_distribution_wheel_has_the_full_builds_id_no_check_code_and_the_cli_verifies_it(
        demo: Project, cli: Path, tmp_path: Path):  # noqa: F811
    _, full = installed(demo, tmp_path / "full")
    python, dist = installed(demo, tmp_path / "dist", PYO3_GUARD_DIST="1")

    assert dist["id"] == full["id"] == full["info"]["build_id"]
    assert dist["info"]["source_root"] is None and full["info"]["source_root"] == str(demo.root)
    assert full["check"]["verdict"] == "fresh"
    check = dist["check"]
    assert check["verdict"] == "unverifiable", check
    assert "distribution build (PYO3_GUARD_DIST=1" in check["message"]
    assert check["notes"] and check["notes"][0] in check["message"]
    assert check["fixes"] == [f"read its build id without importing it: pyo3-guard inspect {dist['file']}",
                              f"compare it with a checkout, in the checkout's directory: pyo3-guard doctor --python {python}"]
    assert set(check) == set(full["check"])
    assert dist["verify"] is None and dist["hook"] is None and dist["counter"] == 2

    full_binary, dist_binary = Path(full["file"]).read_bytes(), Path(dist["file"]).read_bytes()
    for text in CHECK_ONLY:
        assert text in full_binary and text not in dist_binary, text
    assert str(demo.root).encode() not in dist_binary

    # From outside: the id without importing, then the installed file against the checkout.
    inspected = json.loads(demo.run(cli, "inspect", "--json", dist["file"]).stdout)
    assert [r["build_id"] for r in inspected] == [full["id"]]
    # `__build_info__` (the record's fields, read in place at import) says what the command's
    # full parse of the same file says, key for key, in both builds.
    for build, record in ((dist, inspected[0]), (full, json.loads(demo.run(cli, "inspect", "--json", full["file"]).stdout)[0])):
        assert len(build["info"]) == 16 and {key: record[key] for key in build["info"]} == build["info"]
    fresh = demo.run(cli, "doctor", "--json", "--python", python, check=False)
    assert fresh.returncode == 0 and json.loads(fresh.stdout)["outcome"] == "fresh", fresh.stdout + fresh.stderr
    demo.edit("src/lib.rs", '"hello, {name}"', '"hello there, {name}"')
    stale = demo.run(cli, "doctor", "--json", "--python", python, check=False)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert json.loads(stale.stdout)["copies"][0]["changed"] == ["src/lib.rs"], stale.stdout
