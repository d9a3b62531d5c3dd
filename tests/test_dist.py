"""A distribution build (`PYO3_GUARD_DIST=1`): real maturin wheels of the demo, installed with uv
into their own venvs, imported in a real interpreter, and checked from outside by the real
`pyo3-guard` command."""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import yaml

from conftest import REPO, Project, show, tool

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


def release_wheel(demo: Project, dest: Path, **env: str) -> tuple[Path, list[str]]:
    """A release wheel built by maturin with only `env` of the two variables set, and the lines of
    its output that pyo3-guard's build script printed."""
    clean = demo.env(**env)
    for name in ("CIBUILDWHEEL", "PYO3_GUARD_DIST"):
        if name not in env:
            clean.pop(name, None)
    proc = demo.run(tool("maturin"), "build", "--release", "--interpreter", sys.executable, "--out", dest, env=clean)
    wheel, = dest.glob("*.whl")
    return wheel, [line for line in (proc.stdout + proc.stderr).splitlines() if "pyo3-guard: " in line]


def readme_workflow() -> dict:
    """The GitHub Actions workflow in docs/distribution.md, parsed."""
    section = (REPO / "docs" / "distribution.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(blocks) == 1, blocks
    return yaml.safe_load(blocks[0])


def test_cibuildwheel_builds_are_distribution_builds_and_inspect_require_dist_tells_them_apart(
        demo: Project, cli: Path, tmp_path: Path):
    dist, dist_said = release_wheel(demo, tmp_path / "cibw", CIBUILDWHEEL="1")
    full, full_said = release_wheel(demo, tmp_path / "cibw-full", CIBUILDWHEEL="1", PYO3_GUARD_DIST="0")
    # One warning line each, saying which build and why.
    assert dist_said == ["warning: demo@0.1.0: pyo3-guard: distribution build: the build record without the check "
                         "(CIBUILDWHEEL=1: cibuildwheel builds wheels to publish; PYO3_GUARD_DIST=0 for a full build)"]
    assert full_said == ["warning: demo@0.1.0: pyo3-guard: full build: with the check "
                         "(PYO3_GUARD_DIST=0, over CIBUILDWHEEL=1)"]
    # What the wheels hold, not only what their records say.
    binaries = {}
    for name, wheel in (("dist", dist), ("full", full)):
        with zipfile.ZipFile(wheel) as z:
            binaries[name] = z.read(next(n for n in z.namelist() if n.endswith(".so")))
    for text in CHECK_ONLY:
        assert text in binaries["full"] and text not in binaries["dist"], text

    records = json.loads(demo.run(cli, "inspect", "--json", dist, full).stdout)
    assert [r["build"] for r in records] == ["distribution", "full"]
    assert records[0]["build_id"] == records[1]["build_id"]
    text = demo.run(cli, "inspect", dist, full).stdout
    assert "  build        distribution (no check linked)\n" in text and "  build        full (with the check)\n" in text

    lean = demo.run(cli, "inspect", "--require-dist", dist, check=False)
    assert lean.returncode == 0 and lean.stderr == "", show(lean)
    both = demo.run(cli, "inspect", "--require-dist", "--json", dist, full, check=False)
    assert both.returncode == 1 and len(json.loads(both.stdout)) == 2, show(both)
    member = records[1]["member"]
    assert both.stderr.splitlines() == [f"pyo3-guard: {full} ({member}): a full build (with the check), not a distribution "
                                        "build; build wheels to publish with PYO3_GUARD_DIST=1"], show(both)

    # The guide's workflow: valid YAML, the variable on maturin-action's step, and its release
    # check, run as written on wheels in `dist/`: passes on the distribution wheel, fails on the full one.
    steps = readme_workflow()["jobs"]["linux"]["steps"]
    build, = (s for s in steps if s.get("uses", "").startswith("PyO3/maturin-action@"))
    assert str(build["env"]["PYO3_GUARD_DIST"]) == "1" and "--out dist" in build["with"]["args"]
    check, = (s["run"] for s in steps if s.get("run", "").startswith("pyo3-guard inspect"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pyo3-guard").symlink_to(cli)
    for wheel, status in ((dist, 0), (full, 1)):
        job = tmp_path / f"job-{status}"
        (job / "dist").mkdir(parents=True)
        shutil.copy(wheel, job / "dist")
        ran = demo.run("bash", "-c", check, cwd=job, check=False, env=demo.env(PATH=f"{bin_dir}:{demo.env()['PATH']}"))
        assert ran.returncode == status, show(ran)
