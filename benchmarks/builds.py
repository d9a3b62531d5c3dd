"""Build cost of pyo3-guard: cold build, one-line-change rebuild, no-change rebuild, the crates it
adds, and (sizes()) the size of the built library, for examples/demo against the same crate
written with plain PyO3.

Not a test: a measurement, run by benchmarks/run.py (scripts/bench).

Variants, generated in a work directory:
  guard  a copy of examples/demo as it is: pyo3_guard::prelude, #[guarded_pymodule], build.rs
  plain  the same items with pyo3::prelude, #[pymodule] and one add_class / add_function line
         per item, no build script, no pyo3-guard dependency
Each variant has its own target directory (outside the crate), `PYO3_PYTHON` is fixed, and the
variants alternate in every repetition so that load from elsewhere hits both alike.
The guard variant takes pyo3-guard as users do, from a source cargo treats as immutable (a git
checkout of the repository's HEAD commit, standing in for crates.io), not as path
dependencies, whose every source file cargo and the build script would watch. Uncommitted
changes are therefore not measured.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo"
VARIANTS = ("plain", "guard")
EDIT = ('"hello, {name}"', '"hello there, {name}"')


def plain_source(guarded: str) -> str:
    """The demo's lib.rs rewritten for plain PyO3: every #[pyclass] and #[pyfunction] added by hand."""
    classes = re.findall(r"#\[pyclass[^\]]*\]\s*(?:pub(?:\([^)]*\))?\s+)?struct\s+(\w+)", guarded)
    functions = re.findall(r"#\[pyfunction[^\]]*\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?fn\s+(\w+)", guarded)
    lines = [f"    m.add_class::<{c}>()?;" for c in classes]
    lines += [f"    m.add_function(wrap_pyfunction!({f}, m)?)?;" for f in functions]
    text = guarded.replace("use pyo3_guard::prelude::*;", "use pyo3::prelude::*;")
    module = re.compile(r"#\[guarded_pymodule\]\s*fn (\w+)\(m: &Bound<'_, PyModule>\) -> PyResult<\(\)> \{.*?\n\}", re.S)
    if "use pyo3::prelude::*;" not in text or not module.search(text) or EDIT[0] not in text:
        raise SystemExit("benchmarks/builds.py: examples/demo/src/lib.rs changed shape; update plain_source() and EDIT")
    body = "\n".join(lines)
    return module.sub(lambda m: f"#[pymodule]\nfn {m.group(1)}(m: &Bound<'_, PyModule>) -> PyResult<()> {{\n{body}\n    Ok(())\n}}", text)


def make_variants(work: Path) -> dict[str, Path]:
    crates = {}
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    for variant in VARIANTS:
        crate = work / variant / "demo"
        shutil.copytree(DEMO, crate, ignore=shutil.ignore_patterns("target", ".venv", "__pycache__", "*.so", "tests"))
        manifest = (crate / "Cargo.toml").read_text()
        manifest = re.sub(r'path = "\.\./\.\./pyo3-guard[a-z-]*"', f'git = "{REPO.as_uri()}", rev = "{head}"', manifest)
        if "../../" in manifest:
            raise SystemExit("benchmarks/builds.py: examples/demo/Cargo.toml has a path dependency it cannot rewrite")
        if variant == "plain":
            manifest = re.sub(r"(?m)^pyo3-guard = .*\n", "", manifest)
            manifest = re.sub(r"(?ms)^\[build-dependencies\]\n.*?(?=^\[|\Z)", "", manifest)
            # The stub binary and its feature need pyo3-guard too.
            manifest = re.sub(r"(?m)^stub-gen = .*\n", "", manifest)
            manifest = re.sub(r"(?ms)^\[\[bin\]\]\n.*?(?=^\[|\Z)", "", manifest)
            shutil.rmtree(crate / "src" / "bin", ignore_errors=True)
            (crate / "build.rs").unlink()
            lib = crate / "src" / "lib.rs"
            lib.write_text(plain_source(lib.read_text()))
        (crate / "Cargo.toml").write_text(manifest)
        crates[variant] = crate
    return crates


class Cargo:
    def __init__(self, work: Path, python: str):
        self.work = work
        self.env = dict(os.environ, PYO3_PYTHON=python)
        self.env.pop("CARGO_TARGET_DIR", None)
        for key in ("RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "SOURCE_DATE_EPOCH"):
            self.env.pop(key, None)

    def target(self, variant: str) -> Path:
        return self.work / f"target-{variant}"

    def run(self, crate: Path, variant: str, *args: str, **extra_env: str) -> tuple[float, str]:
        env = dict(self.env, CARGO_TARGET_DIR=str(self.target(variant)), **extra_env)
        start = time.perf_counter()
        proc = subprocess.run(["cargo", *args], cwd=crate, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"cargo {' '.join(args)} failed in {crate}:\n{proc.stderr[-3000:]}")
        return elapsed, proc.stderr + proc.stdout


def alternating(reps: int):
    """(rep, variant) pairs, the order of the two variants swapped every repetition."""
    for rep in range(reps):
        order = VARIANTS if rep % 2 == 0 else VARIANTS[::-1]
        for variant in order:
            yield rep, variant


def toggle_edit(crate: Path) -> None:
    lib = crate / "src" / "lib.rs"
    text = lib.read_text()
    old, new = EDIT if EDIT[0] in text else EDIT[::-1]
    lib.write_text(text.replace(old, new, 1))


def crate_set(cargo: Cargo, crate: Path, variant: str, edges: str) -> set[str]:
    _, out = cargo.run(crate, variant, "tree", "--quiet", "-e", edges, "--prefix", "none")
    names = set()
    for line in out.splitlines():
        line = re.sub(r" \(\*\)$| \(proc-macro\)| \((?:/|[a-z+]+://)[^)]*\)", "", line.strip())
        if line and not line.startswith("["):
            names.add(line)
    return names


def run(work: Path, python: str, cold_reps: int, rebuild_reps: int, log=print) -> dict:
    """Cold builds, rebuilds, the dependency difference and the first release build."""
    crates = make_variants(work)
    cargo = Cargo(work, python)
    result: dict = {"cold": {v: [] for v in VARIANTS}, "incremental": {v: [] for v in VARIANTS},
                    "nochange": {v: [] for v in VARIANTS}, "nochange_work": {v: [] for v in VARIANTS}}
    # Download nothing during a timed build: fetch once first.
    for variant in VARIANTS:
        cargo.run(crates[variant], variant, "fetch", "--quiet")

    for rep, variant in alternating(cold_reps):
        shutil.rmtree(cargo.target(variant), ignore_errors=True)
        log(f"builds: cold debug build {rep + 1}/{cold_reps} of {variant} ...")
        seconds, _ = cargo.run(crates[variant], variant, "build")
        result["cold"][variant].append(seconds)

    for rep, variant in alternating(rebuild_reps):
        toggle_edit(crates[variant])
        seconds, _ = cargo.run(crates[variant], variant, "build")
        result["incremental"][variant].append(seconds)
    log("builds: one-line-change and no-change rebuilds done")

    for rep, variant in alternating(rebuild_reps):
        seconds, out = cargo.run(crates[variant], variant, "build", "-v")
        result["nochange"][variant].append(seconds)
        result["nochange_work"][variant].append(
            [line.strip() for line in out.splitlines() if re.match(r"\s*(Compiling|Running) ", line)])

    deps = {v: crate_set(cargo, crates[v], v, "normal,build") for v in VARIANTS}
    result["added_crates"] = sorted(deps["guard"] - deps["plain"])
    result["crate_counts"] = {v: len(deps[v]) for v in VARIANTS}

    # Release: the first release build in each target dir compiles every dependency afresh.
    result["cold_release"] = {}
    for _, variant in alternating(1):
        log(f"builds: release build of {variant} ...")
        seconds, _ = cargo.run(crates[variant], variant, "build", "--release")
        result["cold_release"][variant] = seconds
    result["libs"] = {
        "debug": cargo.target("guard") / "debug" / "libdemo.so",
        "release": cargo.target("guard") / "release" / "libdemo.so",
    }
    result["guard_crate"] = crates["guard"]
    return result


# What sizes() builds: (name, variant, profile, environment).
SIZE_BUILDS = (
    ("plain", "plain", "release", {}),
    ("full", "guard", "release", {}),
    ("dist", "guard", "release", {"PYO3_GUARD_DIST": "1"}),
    ("plain-dev", "plain", "dev", {}),
    ("full-dev", "guard", "dev", {}),
)


def sizes(work: Path, python: str, log=print) -> dict[str, dict[str, int]]:
    """Bytes of libdemo.so, as built and after `strip`, for each of SIZE_BUILDS. The
    distribution build reuses the full build's target dir: only the demo itself recompiles."""
    crates = make_variants(work)
    cargo = Cargo(work, python)
    result = {}
    for name, variant, profile, env in SIZE_BUILDS:
        log(f"size: {profile} build, {name} ...")
        cargo.run(crates[variant], variant, "build", "--lib", "--profile", profile, **env)
        so = cargo.target(variant) / ("debug" if profile == "dev" else profile) / "libdemo.so"
        stripped = work / f"libdemo-{name}-stripped.so"
        subprocess.run(["strip", "-o", str(stripped), str(so)], check=True)
        result[name] = {"unstripped": so.stat().st_size, "stripped": stripped.stat().st_size}
    return result


def medians(result: dict, key: str) -> dict[str, float]:
    return {v: statistics.median(result[key][v]) for v in VARIANTS}
