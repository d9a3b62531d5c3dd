"""What pyo3-guard adds to real projects' wheels: for a few of the real projects the tests
convert (tests/test_real_projects.py), release wheels built with `maturin build --release
--strip`, as a new user would: as published (plain PyO3), converted by `pyo3-guard convert` (the
full build), and converted with PYO3_GUARD_DIST=1 (the distribution build). Prints one markdown
row per project: the wheel's size (compressed, as an index serves it) and its extension module's
(stripped by maturin).

pyo3-guard is taken as users take it, from a git dependency on a commit of this repository (HEAD
unless given), not by path: a path dependency's every file would be an input of the build and
make the record larger.

Not a test. Run through scripts/tools.sh, e.g.
    source scripts/tools.sh && python benchmarks/real_wheels.py [--rev COMMIT] [NAME...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import Project, build_cli, convert, tool  # noqa: E402
from test_real_projects import PROJECTS, sdist  # noqa: E402

DEFAULT = ("uuid-utils", "rtoml", "rpds-py")
BUILDS = ("plain", "full", "dist")


def wheel(project: Project, crate: Path, out: Path, **env: str) -> tuple[int, int]:
    """Builds a release wheel into `out`; its size and its extension module's."""
    clean = project.env(**env)
    for name in ("CIBUILDWHEEL", "PYO3_GUARD_DIST", "PYO3_GUARD_OMIT_PATHS", "SOURCE_DATE_EPOCH"):
        if name not in env:
            clean.pop(name, None)
    project.run(tool("maturin"), "build", "--quiet", "--release", "--strip", "--interpreter", sys.executable,
                "--out", out, cwd=crate, env=clean)
    built, = out.glob("*.whl")
    with zipfile.ZipFile(built) as z:
        so = sum(i.file_size for i in z.infolist() if i.filename.endswith((".so", ".pyd")))
    return built.stat().st_size, so


def measure(name: str, rev: str, work: Path, cli: Path) -> dict[str, tuple[int, int]]:
    real = next(r for r in PROJECTS if r.name == name)
    with tarfile.open(sdist(real)) as archive:
        archive.extractall(work, filter="data")
    project = Project(work / real.sdist.removesuffix(".tar.gz"))
    crate = project.root / real.crate
    sizes = {"plain": wheel(project, project.root, work / "plain")}
    convert(project, cli)
    manifest = crate / "Cargo.toml"
    text = re.sub(r'path = "[^"]*/(pyo3-guard(?:-build)?)"', f'git = "{REPO.as_uri()}", rev = "{rev}"',
                  manifest.read_text())
    manifest.write_text(text)
    sizes["full"] = wheel(project, project.root, work / "full")
    sizes["dist"] = wheel(project, project.root, work / "dist", PYO3_GUARD_DIST="1")
    return sizes


def kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def row(name: str, version: str, sizes: dict[str, tuple[int, int]]) -> str:
    (pw, ps), (fw, fs), (dw, ds) = (sizes[b] for b in BUILDS)
    return (f"| {name} {version} | {kib(pw)} / {kib(ps)} | {kib(fw)} / {kib(fs)} (+{kib(fw - pw)}) "
            f"| {kib(dw)} / {kib(ds)} (+{kib(dw - pw)}) | +{(dw - pw) / pw:.1%} | +{(ds - ps) / ps:.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("names", nargs="*", default=list(DEFAULT))
    args = parser.parse_args()
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", args.rev], capture_output=True, text=True,
                         check=True).stdout.strip()
    print(f"pyo3-guard {rev[:7]}; wheel / stripped extension module; + over plain PyO3", file=sys.stderr)
    cli = build_cli()
    print("| project | plain PyO3 | converted, full build | converted, distribution build "
          "| distribution: wheel | distribution: module |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in args.names:
        with tempfile.TemporaryDirectory(prefix=f"real-wheels-{name}-") as tmp:
            sizes = measure(name, rev, Path(tmp), cli)
        version = next(r.version for r in PROJECTS if r.name == name)
        print(row(name, version, sizes), flush=True)


if __name__ == "__main__":
    main()
