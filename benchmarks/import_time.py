"""Import time of a module whose 200 classes and 200 functions pyo3-guard registers, against
the same module written with plain PyO3 and hand-written add_class / add_function.

Not a test: a measurement. Run it with the tools' Python (scripts/test installs maturin there):

    .tools/venv/bin/python benchmarks/import_time.py [--items 200] [--runs 41]

It generates the crates in a temporary directory, builds each as a release wheel with maturin,
unpacks the wheels, then imports each module in fresh interpreters, the variants alternating
(so drift in the machine's load hits them alike), and prints the medians and the ratio.

Variants:
  plain      pyo3::prelude, #[pymodule], one add_class / add_function line per item
  guard+hand pyo3-guard's #[guarded_pymodule] (build record, guard) with the same hand-written lines
  registered pyo3_guard::prelude: the items register themselves; the module body is empty
"registered / plain" is the figure the project promises (at most 1.05); "registered /
guard+hand" isolates the cost of registration from the guard's own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BUILD_RS = "fn main() {\n    pyo3_guard_build::emit();\n}\n"


# The class shapes measured: the baseline's own work per class differs, and so does the ratio.
SHAPES = {
    # a constructor and one method
    "small": "    fn value(&self) -> usize {\n        self.value\n    }\n",
    # a constructor, four methods, two getters and a setter
    "rich": "".join(f"    fn m{k}(&self) -> usize {{\n        self.value + {k}\n    }}\n" for k in range(4))
    + "    #[getter]\n    fn double(&self) -> usize {\n        2 * self.value\n    }\n"
    + "    #[getter]\n    fn get_half(&self) -> usize {\n        self.value / 2\n    }\n"
    + "    #[setter]\n    fn set_half(&mut self, v: usize) {\n        self.value = 2 * v;\n    }\n",
}


def items(n: int, shape: str = "small") -> str:
    """n classes (each with a constructor and the methods of `shape`) and n functions."""
    methods = SHAPES[shape]
    out = []
    for i in range(n):
        out.append(
            f"#[pyclass]\npub struct C{i} {{\n    value: usize,\n}}\n\n"
            f"#[pymethods]\nimpl C{i} {{\n    #[new]\n    fn new() -> Self {{\n        C{i} {{ value: {i} }}\n    }}\n\n"
            f"{methods}}}\n\n"
            f"#[pyfunction]\nfn func{i}(x: usize) -> usize {{\n    x + {i}\n}}\n"
        )
    return "\n".join(out)


def hand_lines(n: int) -> str:
    lines = [f"    m.add_class::<C{i}>()?;\n    m.add_function(wrap_pyfunction!(func{i}, m)?)?;" for i in range(n)]
    return "\n".join(lines)


def manifest(name: str, guarded: bool) -> str:
    deps = 'pyo3 = { version = ">=0.27, <0.31", features = ["extension-module"] }\n'
    build = ""
    if guarded:
        deps += f'pyo3-guard = {{ path = "{(REPO / "pyo3-guard").as_posix()}" }}\n'
        build = f'\n[build-dependencies]\npyo3-guard-build = {{ path = "{(REPO / "pyo3-guard-build").as_posix()}" }}\n'
    return (
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n'
        f'[lib]\ncrate-type = ["cdylib"]\n\n[dependencies]\n{deps}{build}\n[workspace]\n'
    )


def pyproject(name: str) -> str:
    return (
        '[build-system]\nrequires = ["maturin>=1.10,<2"]\nbuild-backend = "maturin"\n\n'
        f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
    )


def lib_rs(variant: str, name: str, n: int, shape: str = "small") -> str:
    if variant == "plain":
        return (f"use pyo3::prelude::*;\n\n{items(n, shape)}\n#[pymodule]\n"
                f"fn {name}(m: &Bound<'_, PyModule>) -> PyResult<()> {{\n{hand_lines(n)}\n    Ok(())\n}}\n")
    if variant == "guard+hand":
        return (f"use pyo3::prelude::*;\n\n{items(n, shape)}\n#[pyo3_guard::guarded_pymodule]\n"
                f"fn {name}(m: &Bound<'_, PyModule>) -> PyResult<()> {{\n{hand_lines(n)}\n    Ok(())\n}}\n")
    return (f"use pyo3_guard::prelude::*;\n\n{items(n, shape)}\n#[guarded_pymodule]\n"
            f"fn {name}(m: &Bound<'_, PyModule>) -> PyResult<()> {{\n    let _ = m;\n    Ok(())\n}}\n")


VARIANTS = {"plain": "bench_plain", "guard+hand": "bench_guard_hand", "registered": "bench_registered"}


def build(variant: str, name: str, n: int, work: Path, python: str, shape: str = "small") -> Path:
    crate = work / name
    (crate / "src").mkdir(parents=True)
    guarded = variant != "plain"
    (crate / "Cargo.toml").write_text(manifest(name, guarded))
    (crate / "pyproject.toml").write_text(pyproject(name))
    (crate / "src" / "lib.rs").write_text(lib_rs(variant, name, n, shape))
    if guarded:
        (crate / "build.rs").write_text(BUILD_RS)
    wheels = work / "wheels" / name
    print(f"building {variant} ({name}) ...", file=sys.stderr, flush=True)
    subprocess.run([maturin(), "build", "--quiet", "--release", "--interpreter", python,
                    "--out", str(wheels)], cwd=crate, check=True)
    site = work / "site" / name
    for wheel in wheels.glob("*.whl"):
        zipfile.ZipFile(wheel).extractall(site)
    return site


def maturin() -> str:
    beside = Path(sys.executable).parent / "maturin"
    return str(beside) if beside.exists() else (shutil.which("maturin") or "maturin")


CHILD = """
import time
t = time.perf_counter()
import {name}
elapsed = time.perf_counter() - t
assert len([k for k in dir({name}) if k.startswith(("C", "func"))]) == {expected}, sorted(dir({name}))
print(elapsed)
"""


def time_import(python: str, name: str, site: Path, n: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([python, "-c", CHILD.format(name=name, expected=2 * n)], env=env, cwd=site,
                         capture_output=True, text=True, check=True)
    return float(out.stdout)


def instructions(python: str, name: str, site: Path) -> int | None:
    """Instructions (valgrind's callgrind) that `import name` adds to a bare interpreter start:
    the same count whatever else the machine is doing. None without valgrind."""
    if not shutil.which("valgrind"):
        return None

    def count(code: str) -> int:
        env = dict(os.environ, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", python, "-c", code],
                             env=env, cwd=site, capture_output=True, text=True, check=True)
        collected = [line for line in out.stderr.splitlines() if "Collected :" in line]
        return int(collected[-1].split(":")[-1])

    return count(f"import sys, {name}") - count("import sys")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200, help="classes, and as many functions (default 200)")
    parser.add_argument("--runs", type=int, default=41, help="imports per variant (default 41)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to build for and import with")
    parser.add_argument("--keep", action="store_true", help="keep the generated crates and wheels")
    args = parser.parse_args()

    # One target dir for the three builds (and the checkout's builds), so PyO3 compiles once.
    os.environ.setdefault("CARGO_TARGET_DIR", str(REPO / "target"))
    work = Path(tempfile.mkdtemp(prefix="pyo3-guard-bench-"))
    try:
        sites = {v: build(v, name, args.items, work, args.python) for v, name in VARIANTS.items()}
        times: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for v, name in VARIANTS.items():  # warm the file cache once
            time_import(args.python, name, sites[v], args.items)
        for _ in range(args.runs):
            for v, name in VARIANTS.items():
                times[v].append(time_import(args.python, name, sites[v], args.items))
        medians = {v: statistics.median(t) for v, t in times.items()}
        print(f"import of a module with {args.items} classes and {args.items} functions, "
              f"{args.runs} fresh interpreters each, alternating (release builds)")
        for v, m in medians.items():
            print(f"  {v:<11} median {m * 1e3:7.3f} ms")
        print(f"  ratio registered / plain      {medians['registered'] / medians['plain']:.3f}  (goal: at most 1.05)")
        print(f"  ratio registered / guard+hand {medians['registered'] / medians['guard+hand']:.3f}  (registration alone)")
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
