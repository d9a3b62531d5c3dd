"""Bad conditions at run time: concurrent checks, a source root that is a file, distributed
builds without paths, a broken manifest on disk. Every failure is a Python exception with a
message, never a crash."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from conftest import Project, tool

CONCURRENT = """
import threading, demo
results, errors = [], []
def work():
    try:
        for _ in range(20):
            results.append(demo.__guard__.check()["verdict"])
            demo.__guard__.verify()
    except Exception as e:  # collected, so the main thread can report it
        errors.append(repr(e))
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(results), sorted(set(results)), errors)
"""


def test_checks_from_many_threads_at_once_agree(demo: Project):
    demo.uv_venv()
    demo.maturin_develop()
    assert demo.py(CONCURRENT).stdout.strip() == "160 ['fresh'] []"


def test_bad_source_roots_and_a_broken_manifest_give_exceptions_not_crashes(demo: Project, tmp_path: Path):
    demo.uv_venv()
    demo.maturin_develop()
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    out = demo.py(f"import demo; r = demo.__guard__.check(source_root={str(not_a_dir)!r}); print(r['verdict'])")
    assert out.stdout.strip() == "unverifiable"

    # A malformed Cargo.toml on disk: the check parses no manifest (it walks the layout the
    # record holds), so it is a changed input like any other, and the verdict still comes.
    (demo.root / "Cargo.toml").write_text((demo.root / "Cargo.toml").read_text() + "\n[broken\n")
    code = "import demo; r = demo.__guard__.check(); print(r['verdict'], r['changed']); print(r['notes'])"
    verdict, notes = demo.py(code).stdout.strip().split("\n")
    assert verdict == "stale ['Cargo.toml']"
    assert notes == "[]"


def test_a_build_without_paths_names_no_directory_and_checks_with_a_given_root(demo: Project, tmp_path: Path):
    out = tmp_path / "wheels"
    env = demo.env(PYO3_GUARD_OMIT_PATHS="1")
    demo.run(tool("maturin"), "build", "--quiet", "--release", "--interpreter", sys.executable, "--out", out, env=env)
    wheel, = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        binary = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".so"))
    record_start = binary.index(b"PYO3-GUARD-RECORD v1 len=")
    record = binary[record_start:record_start + 20000].split(b"\nend\n")[0]
    assert str(demo.root).encode() not in record
    assert b"source_root" not in record

    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = "import demo; r = demo.__guard__.check(); print(r['verdict'], demo.__build_info__['source_root'])"
    plain = demo.run(sys.executable, "-c", code, env=demo.env(PYTHONPATH=str(unpacked)), cwd=tmp_path)
    assert plain.stdout.strip() == "unverifiable None"
    pointed = demo.run(sys.executable, "-c", code, cwd=tmp_path,
                       env=demo.env(PYTHONPATH=str(unpacked), PYO3_GUARD_SOURCE_ROOT=str(demo.root)))
    assert pointed.stdout.strip() == "fresh None"
