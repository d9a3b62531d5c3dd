"""End-to-end harness: each test gets its own copy of an example project and builds it with the
real maturin and uv (installed by scripts/test), then imports it in a real interpreter.

Builds share one cargo target dir (CARGO_TARGET_DIR, set by scripts/tools.sh), so only the first
build of a configuration compiles the dependencies.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

# The fixtures are projects with test suites of their own, which the tests run after building
# the project (tests/fixtures/shapes/tests/); never collected as ours.
collect_ignore = ["fixtures"]


def tool(name: str) -> str:
    """A tool from .tools/venv (what scripts/test installs), never a stand-in."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: run the tests through scripts/test")
    return path


class Project:
    """A copy of an example project in a temporary directory, with its path dependencies on
    the pyo3-guard crates rewritten to absolute paths."""

    def __init__(self, root: Path, env: dict[str, str] | None = None):
        self.root = root
        self.venv = root / ".venv"
        self.extra_env = env or {}  # set for every command run in the project

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("VIRTUAL_ENV", None)
        env.update(self.extra_env)
        env.update(extra)
        return env

    def run(self, *args: str | os.PathLike, check: bool = True, env: dict | None = None, cwd: Path | None = None,
            timeout: float = 900) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(a) for a in args], cwd=cwd or self.root, env=env or self.env(),
                              capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"command failed ({proc.returncode}): {' '.join(map(str, args))}\n"
                                 f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
        return proc

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    def uv_venv(self) -> None:
        self.run(tool("uv"), "venv", "--quiet", "--python", sys.executable)

    def maturin_develop(self, *args: str) -> subprocess.CompletedProcess:
        """`maturin develop` into the project's .venv (which uv made, so it installs through uv)."""
        return self.run(tool("maturin"), "develop", "--quiet", *args, env=self.env(VIRTUAL_ENV=str(self.venv)))

    def uv_run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(tool("uv"), "run", *args, check=check)

    def py(self, code: str, check: bool = True, python: Path | None = None, **env: str) -> subprocess.CompletedProcess:
        """Runs `code` in a fresh interpreter of the project's venv (a loaded extension is never
        reloaded, so every check of a new build needs a new process)."""
        return self.run(python or self.python, "-c", code, check=check, env=self.env(**env))


def copy_example(name: str, dest: Path) -> Project:
    src = EXAMPLES / name
    ignore = shutil.ignore_patterns("target", ".venv", "__pycache__", "*.so", ".pytest_cache")
    shutil.copytree(src, dest, ignore=ignore)
    for manifest in dest.rglob("Cargo.toml"):
        text = manifest.read_text()
        # path = "../../pyo3-guard" (relative to the example) -> absolute path into this repo
        def absolute(match: re.Match) -> str:
            target = (src / manifest.parent.relative_to(dest) / match.group(1)).resolve()
            if target.is_relative_to(src):  # a path dependency inside the example stays in the copy
                return match.group(0)
            return f'path = "{target.as_posix()}"'
        manifest.write_text(re.sub(r'path\s*=\s*"([^"]+)"', absolute, text))
    return Project(dest)


def build_cli() -> Path:
    """The pyo3-guard binary of this checkout, built into the shared target dir."""
    subprocess.run(["cargo", "build", "--quiet", "-p", "pyo3-guard-cli"], cwd=REPO, check=True, timeout=900)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "debug" / "pyo3-guard"
    assert binary.is_file(), binary
    return binary


@pytest.fixture(scope="session")
def cli() -> Path:
    """The pyo3-guard binary, built once per session."""
    return build_cli()


def convert(project: Project, cli: Path, *args: str) -> str:
    """`pyo3-guard convert` on the project, with pyo3-guard from this checkout (`--path`: the
    pre-release lines); `--allow-dirty`, since a template's new git tree (`uv init`) has nothing
    committed. Returns the command's report."""
    return project.run(cli, "convert", project.root, "--path", REPO, "--allow-dirty", *args).stdout


def doctor(project: Project, cli: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return project.run(cli, "doctor", *args, check=False, cwd=cwd)


def show(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"


def fix_commands(text: str) -> list[str]:
    """The commands of the `fix:` lines in a message or a doctor report (what follows the last
    `: ` of the line), to run as a user would paste them."""
    return [line.rsplit(": ", 1)[1] for line in text.splitlines() if line.lstrip().startswith("fix: ") and ": " in line[5:]]


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Writes each file (path relative to `root`: text)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def stub_gen(project: Project, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The documented command: `cargo run --features stub-gen --bin stub_gen [-- --check]`.
    Its own target dir: a build without maturin's PYO3_BUILD_EXTENSION_MODULE would otherwise
    rebuild PyO3 in the shared one at every switch."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", project.root / "target")) / "stub-gen"
    command = ["cargo", "run", "--quiet", "--features", "stub-gen", "--bin", "stub_gen"]
    if args:
        command += ["--", *args]
    return project.run(*command, check=check, env=project.env(CARGO_TARGET_DIR=str(target)))


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    """A fresh copy of examples/demo."""
    return copy_example("demo", tmp_path / "demo")


def wheel_venv(project: Project, dest: Path) -> Path:
    """Builds the project's wheel with `maturin build` and installs it into a new venv under
    `dest`: returns that venv's python, which imports the installed wheel, not an editable build."""
    wheels = dest / "wheels"
    project.run(tool("maturin"), "build", "--quiet", "--interpreter", sys.executable, "--out", wheels)
    venv = dest / "consumer"
    project.run(tool("uv"), "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    project.run(tool("uv"), "pip", "install", "--quiet", "--python", python, *wheels.glob("*.whl"))
    return python


def pytest_configure(config):
    config.addinivalue_line("markers", "real_projects: real PyO3 projects from PyPI sdists, converted and tested "
                                       "(tests/test_real_projects.py)")
