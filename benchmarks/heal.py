"""Heal, measured: the time from an edit of the demo's Rust source to a green pytest session.

Three copies of examples/demo, each in its own venv and target directory (so each build is the
incremental build of its own copy), made fresh with `maturin develop` once; then, in rounds,
each gets the same edit (a constant in src/lib.rs changes) and is brought back to green:

  heal   PYO3_GUARD_REBUILD=1 python -m pytest     (the hook rebuilds, the session starts again)
  hand   python -m pytest (stops: stale), maturin develop, python -m pytest (the fix, typed)
  hook   python -m pytest with maturin-import-hook 0.3.0 installed in the venv (`site install`)

and the cost of the switch when nothing is stale: a fresh session with and without
PYO3_GUARD_REBUILD=1, alternating. Not a test: the ratios are against the baselines of the same
run. The typing time of the hand-made fix is not counted.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOOK = "maturin-import-hook==0.3.0"


def demo_copy(where: Path) -> Path:
    shutil.copytree(REPO / "examples" / "demo", where,
                    ignore=shutil.ignore_patterns("target", ".venv", "__pycache__", "*.so"))
    manifest = where / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace('path = "../../', f'path = "{REPO.as_posix()}/'))
    return where


class Copy:
    def __init__(self, root: Path, python: str, hook: bool):
        self.root = root
        self.venv = root / ".venv"
        self.python = self.venv / "bin" / "python"
        self.env = dict(os.environ, CARGO_TARGET_DIR=str(root / "target"), VIRTUAL_ENV=str(self.venv))
        self.env.pop("PYO3_GUARD_REBUILD", None)
        self.edits = 0
        run(["uv", "venv", "--quiet", "--python", python, str(self.venv)], self.env, root)
        extra = [HOOK, "pip"] if hook else []  # the hook installs its rebuild with pip
        run(["uv", "pip", "install", "--quiet", "--python", str(self.python), "pytest", *extra], self.env, root)
        run(["maturin", "develop", "--quiet"], self.env, root)
        if hook:
            run([str(self.python), "-m", "maturin_import_hook", "site", "install"], self.env, root)

    def edit(self) -> None:
        """A content change cargo must compile (a new constant), the same in every copy."""
        lib = self.root / "src" / "lib.rs"
        text = lib.read_text().split("\n// bench edit")[0]
        self.edits += 1
        lib.write_text(f"{text}\n// bench edit\npub const EDIT: u32 = {self.edits};\n")

    def pytest(self, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                              cwd=self.root, env={**self.env, **env}, capture_output=True, text=True, timeout=900)


def run(cmd: list[str], env: dict, cwd: Path) -> None:
    subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True, timeout=1800)


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def run_all(work: Path, python: str, rounds: int, fresh_runs: int, log=print) -> dict:
    """The medians: seconds from an edit to green for heal, hand and hook; a fresh session's
    seconds with and without the switch."""
    work.mkdir(parents=True, exist_ok=True)
    log("heal: copies of the demo, each built once ...")
    heal = Copy(demo_copy(work / "heal"), python, hook=False)
    result = fresh_cost(heal, fresh_runs)
    if rounds == 0:
        return result
    hand = Copy(demo_copy(work / "hand"), python, hook=False)
    hook = Copy(demo_copy(work / "hook"), python, hook=True)
    times: dict[str, list[float]] = {"heal": [], "hand": [], "hook": []}

    def with_heal() -> None:
        result = heal.pytest(PYO3_GUARD_REBUILD="1")
        assert result.returncode == 0 and "rebuilt demo in" in result.stderr, result.stdout + result.stderr

    def by_hand() -> None:
        assert hand.pytest().returncode == 1  # stopped: stale
        run(["maturin", "develop", "--quiet"], hand.env, hand.root)
        assert hand.pytest().returncode == 0

    def with_hook() -> None:
        result = hook.pytest()
        assert result.returncode == 0, result.stdout + result.stderr

    for i in range(rounds):
        for name, copy, step in (("heal", heal, with_heal), ("hand", hand, by_hand), ("hook", hook, with_hook)):
            copy.edit()
            times[name].append(timed(step))
        log(f"heal: round {i + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()))
    result.update({name: statistics.median(values) for name, values in times.items()})
    result["rounds"] = rounds
    return result


# verify() called in a loop in one interpreter: its cost per call, without process start-up.
VERIFY_LOOP = (
    "import time, demo\n"
    "verify = demo.__guard__.verify\n"
    "verify()\n"
    "start = time.perf_counter()\n"
    "for _ in range(2000): verify()\n"
    "print((time.perf_counter() - start) / 2000)\n"
)


def fresh_cost(heal: Copy, runs: int) -> dict:
    """A fresh pytest session, and one fresh verify() call, with the switch on and unset,
    alternating: medians."""
    session: dict[str, list[float]] = {"on": [], "off": []}
    call: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(runs):
        for name, env in (("on", {"PYO3_GUARD_REBUILD": "1"}), ("off", {})):
            session[name].append(timed(lambda: heal.pytest(**env)))
            out = subprocess.run([str(heal.python), "-c", VERIFY_LOOP], cwd=heal.root, env={**heal.env, **env},
                                 capture_output=True, text=True, check=True).stdout
            call[name].append(float(out))
    result = {f"fresh_{k}": statistics.median(v) for k, v in session.items()}
    result.update({f"verify_{k}": statistics.median(v) for k, v in call.items()})
    result["fresh_runs"] = runs
    return result
