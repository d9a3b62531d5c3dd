"""The `pyo3-guard` command end to end: real maturin, uv, cargo and interpreter; the command is
the binary cargo builds from pyo3-guard-cli."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

from conftest import Project, doctor, show, tool

NEW_METHOD = "    /// Sets the counter back to zero.\n    fn reset(&mut self) {\n        self.value = 0;\n    }\n\n    #[getter]"
HAS_RESET = "import demo; print('has reset:', hasattr(demo.Counter(), 'reset'))"
EXTENSION = "import demo.demo as ext; print(ext.__file__); print(ext.__build_id__)"


def test_uv_reinstall_is_reported_as_uvs_cached_build_and_fix_makes_uv_rebuild(demo: Project, cli: Path):
    demo.uv_venv()
    demo.uv_run("python", "-c", "import demo")  # uv builds, caches and installs a release wheel
    demo.edit("src/lib.rs", "    #[getter]", NEW_METHOD)
    demo.maturin_develop()

    fresh = doctor(demo, cli)
    assert fresh.returncode == 0, show(fresh)
    assert fresh.stdout.startswith("demo is fresh"), show(fresh)
    assert "installed through uv (by maturin develop or uv pip)" in fresh.stdout
    assert "note: pyproject.toml has no [tool.uv] cache-keys" in fresh.stdout  # the trap is still set

    # `uv run` puts the cached release build back over the fresh dev build.
    assert "has reset: False" in demo.uv_run("python", "-c", HAS_RESET).stdout
    stale = doctor(demo, cli)
    print(show(stale))
    assert stale.returncode == 1, show(stale)
    out = stale.stdout
    assert out.startswith("demo is stale"), out
    assert "loads    stale  .venv/lib/" in out
    assert "release build" in out and "built by uv and cached (uv_build.json), editable" in out
    assert "changed: src/lib.rs" in out
    assert "cause: uv reinstalled a release wheel it built and cached earlier" in out
    assert "cache-keys = [" in out and '{ file = "src/**/*.rs" }' in out and '{ file = "Cargo.lock" }' in out
    assert "uv sync --inexact --reinstall-package demo" in out
    assert 'optional: let uv\'s editable builds be dev builds' in out and 'editable-profile = "dev"' in out
    assert len(out.splitlines()) <= 34, out  # the cache keys name all six pyo3-guard crates by path

    # The same findings for a script: one JSON object, the same exit status.
    as_json = doctor(demo, cli, "--json")
    assert as_json.returncode == 1, show(as_json)
    found = json.loads(as_json.stdout)
    assert (found["outcome"], found["exit_code"], found["reason"]) == ("stale", 1, None)
    loaded = found["copies"][0]
    assert (loaded["kind"], loaded["verdict"], loaded["profile"], loaded["changed"]) == ("extension", "stale", "release", ["src/lib.rs"])
    assert loaded["installed_by"] == "built by uv and cached (uv_build.json), editable"
    assert (loaded["installer"], loaded["built_by_uv"], loaded["editable"]) == ("uv", True, True)
    assert isinstance(loaded["built_at"], int) and loaded["dist_info"].endswith(".dist-info")
    assert found["cause"].startswith("uv reinstalled a release wheel it built and cached earlier")
    assert any("uv sync --inexact --reinstall-package demo" in fix for fix in found["fixes"])

    pyproject = demo.root / "pyproject.toml"
    before = pyproject.read_text()
    fixed = doctor(demo, cli, "--fix")
    assert fixed.returncode == 1, show(fixed)  # still stale until uv rebuilds
    assert fixed.stdout.startswith("--fix: added to [tool.uv] cache-keys in pyproject.toml:\n"), show(fixed)
    assert '    { file = "src/**/*.rs" }\n' in fixed.stdout
    after = pyproject.read_text()
    assert after.startswith(before) and "[tool.uv]\ncache-keys = [\n" in after, after
    assert '{ file = "src/**/*.rs" }' not in fixed.stdout.split("cause:")[-1]  # the fix is no longer offered
    # The cache keys cover the edit now: uv's next `uv run` rebuilds, and the message says so.
    assert "`uv run` rebuilds it (the [tool.uv] cache-keys in pyproject.toml cover the change)" in fixed.stdout
    assert "fix: start Python through uv, which rebuilds it first: uv run python\n" in fixed.stdout
    assert "fix: or rebuild it now: uv sync --inexact --reinstall-package demo\n" in fixed.stdout
    again = doctor(demo, cli, "--fix")
    assert "nothing changed" in again.stdout and pyproject.read_text() == after, show(again)

    # With the cache keys, `uv run` rebuilds from the sources on disk: fresh, and the method is there.
    assert "has reset: True" in demo.uv_run("python", "-c", HAS_RESET).stdout
    final = doctor(demo, cli)
    assert final.returncode == 0, show(final)
    assert final.stdout.startswith("demo is fresh") and "note:" not in final.stdout, show(final)


def test_a_leftover_build_in_the_current_directory_shadows_the_installed_module(demo: Project, cli: Path, tmp_path: Path):
    demo.uv_venv()
    demo.maturin_develop()
    installed = Path(demo.py(EXTENSION).stdout.split()[0])
    suffix = demo.py("import importlib.machinery as m; print(m.EXTENSION_SUFFIXES[0])").stdout.strip()
    leftover = demo.root / f"demo{suffix}"
    shutil.copy(installed, leftover)
    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    demo.maturin_develop()

    # Python itself, started in the project, loads the leftover.
    assert demo.py("import demo; print(demo.__file__)").stdout.strip() == str(leftover)
    shadowed = doctor(demo, cli)
    print(show(shadowed))
    assert shadowed.returncode == 1, show(shadowed)
    out = shadowed.stdout
    assert out.startswith(f"demo is shadowed: Python loads demo{suffix}, not the installed module"), out
    assert f"loads    stale  demo{suffix}\n" in out and "owned by no installed distribution" in out
    assert "hidden   fresh  .venv/lib/" in out
    assert "the current directory ('' on sys.path) is searched before site-packages" in out
    assert f"fix: remove it: rm {leftover}\n" in out

    # From another directory the leftover is not on sys.path: the installed build is what loads.
    elsewhere = doctor(demo, cli, str(demo.root), cwd=tmp_path)
    assert elsewhere.returncode == 0 and "demo is fresh" in elsewhere.stdout, show(elsewhere)
    leftover.unlink()
    assert doctor(demo, cli).returncode == 0


def test_a_fresh_project_gets_exit_0_and_a_short_report(demo: Project, cli: Path):
    demo.uv_venv()
    demo.maturin_develop()
    demo.run(tool("maturin"), "build", "--quiet", "--interpreter", demo.python, "--out", demo.root / "target" / "wheels")
    result = doctor(demo, cli)
    print(show(result))
    assert result.returncode == 0, show(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "demo is fresh: Python loads a build of the sources on disk"
    assert lines[3].startswith("  loads    fresh  .venv/lib/") and "dev build" in lines[4]
    assert lines[5].startswith("  wheel    fresh  target/wheels/demo-0.1.0-")
    assert len(lines) <= 8, result.stdout
    assert "\x1b[" not in result.stdout  # no colour when stdout is not a terminal

    found = json.loads(doctor(demo, cli, "--json").stdout)
    assert (found["outcome"], found["exit_code"], found["module"]) == ("fresh", 0, "demo")
    build_id = demo.py("import demo; print(demo.__build_id__)").stdout.strip()
    assert [(c["verdict"], c["build_id"]) for c in found["copies"]] == [("fresh", build_id)]
    assert [w["verdict"] for w in found["wheels"]] == ["fresh"] and found["wheels"][0]["member"]


def test_doctor_cannot_tell_when_the_module_is_not_installed(demo: Project, cli: Path):
    demo.uv_venv()
    result = doctor(demo, cli)
    assert result.returncode == 2, show(result)
    assert "demo: cannot tell:" in result.stdout and "finds no module demo on sys.path" in result.stdout
    missing = demo.run(cli, "doctor", demo.root / "nowhere", check=False)
    assert missing.returncode == 2 and "nowhere" in missing.stderr and missing.stderr.count("\n") == 1, show(missing)
    missing_json = demo.run(cli, "doctor", demo.root / "nowhere", "--json", check=False)
    found = json.loads(missing_json.stdout)
    assert (missing_json.returncode, found["outcome"], found["exit_code"]) == (2, "unknown", 2) and "nowhere" in found["reason"]
    not_installed = json.loads(doctor(demo, cli, "--json").stdout)
    assert not_installed["outcome"] == "unknown" and "finds no module demo on sys.path" in not_installed["reason"]
    # --fix still edits pyproject.toml when doctor cannot tell, and the object says what it added.
    no_python = json.loads(doctor(demo, cli, "--json", "--fix", "--python", str(demo.root / "no-python")).stdout)
    assert no_python["outcome"] == "unknown" and no_python["fix_error"] is None, no_python
    assert '{ file = "src/**/*.rs" }' in no_python["fix_added"]
    assert "cache-keys" in (demo.root / "pyproject.toml").read_text()


def test_inspect_reads_the_id_python_reports_from_the_installed_file_and_the_wheel(demo: Project, cli: Path, tmp_path: Path):
    demo.uv_venv()
    demo.maturin_develop()
    path, imported_id = demo.py(EXTENSION).stdout.split()
    records = json.loads(demo.run(cli, "inspect", "--json", path).stdout)
    assert [r["build_id"] for r in records] == [imported_id]
    assert records[0]["module"] == "demo" and records[0]["profile"] == "dev"
    assert records[0]["source_root"] == str(demo.root)
    text = demo.run(cli, "inspect", path).stdout
    assert f"  build id     {imported_id}\n" in text and "  profile      dev (opt-level 0)\n" in text

    out = tmp_path / "wheels"
    demo.run(tool("maturin"), "build", "--quiet", "--release", "--interpreter", sys.executable, "--out", out)
    wheel, = out.glob("*.whl")
    from_wheel = json.loads(demo.run(cli, "inspect", "--json", wheel).stdout)
    assert [r["member"] for r in from_wheel] == [f"demo/{Path(path).name}"]
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    wheel_id = demo.run(sys.executable, "-c", "import demo; print(demo.__build_id__)", cwd=tmp_path,
                        env=demo.env(PYTHONPATH=str(unpacked))).stdout.strip()
    assert from_wheel[0]["build_id"] == wheel_id != imported_id
    assert from_wheel[0]["profile"] == "release"


def test_inspect_refuses_bad_files_with_one_line_naming_each(demo: Project, cli: Path, tmp_path: Path):
    out = tmp_path / "wheels"
    demo.run(tool("maturin"), "build", "--quiet", "--interpreter", sys.executable, "--out", out)
    wheel, = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        member = next(n for n in z.namelist() if n.endswith(".so"))
        binary = z.read(member)
    record_at = binary.index(b"PYO3-GUARD-RECORD v1 len=")

    bad: dict[str, bytes] = {
        "half.so": binary[: len(binary) // 2],
        "cut-in-record.so": binary[: record_at + 40],
        "no-marker.so": Path(sys.executable).resolve().read_bytes(),
        "text.so": b"not a binary\n",
        "empty.so": b"",
        "truncated.whl": wheel.read_bytes()[: wheel.stat().st_size // 2],
    }
    corrupted = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as z:
        info = z.getinfo(member)
    data_at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in range(data_at + 1000, data_at + 1100):  # inside the deflated extension module
        corrupted[at] ^= 0x5A
    bad["corrupted.whl"] = bytes(corrupted)
    bad["no-extension.whl"] = make_wheel(tmp_path / "pure.whl", {"pure/__init__.py": b""})

    for name, content in bad.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = demo.run(cli, "inspect", path, check=False)
        assert result.returncode == 1, (name, show(result))
        assert result.stdout == "", (name, show(result))
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"pyo3-guard: {path}: "), (name, show(result))
        assert "panicked" not in result.stderr

    messages = {name: demo.run(cli, "inspect", tmp_path / name, check=False).stderr for name in bad}
    assert "truncated or corrupted (ELF section headers end at byte" in messages["half.so"]
    assert "truncated or corrupted" in messages["cut-in-record.so"]
    assert "no pyo3-guard build record" in messages["no-marker.so"]
    assert "not a readable wheel" in messages["truncated.whl"]
    assert "CRC mismatch" in messages["corrupted.whl"] or "corrupted deflate data" in messages["corrupted.whl"]
    assert "no extension module (.so, .pyd, .dylib) in this wheel" in messages["no-extension.whl"]

    # A good file among bad ones is still read; the status says something failed.
    mixed = demo.run(cli, "inspect", "--json", wheel, tmp_path / "text.so", check=False)
    assert mixed.returncode == 1 and len(json.loads(mixed.stdout)) == 1, show(mixed)


def make_wheel(path: Path, members: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path.read_bytes()
