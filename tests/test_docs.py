"""The README and the guide (docs/): every fenced code block parses in its language, every
command names a program that exists, and the README's first set-up command, `scripts/demo`,
runs and shows what the README says it shows. (The second, `scripts/test`, is what CI runs.)

Every Rust block is built as the file it is (build.rs, src/lib.rs, src/bin/stub_gen.rs) in a
copy of examples/demo, and the module imported: the guide's and the crate-level example of
`pyo3-guard`, which rustdoc cannot compile (a guarded module needs its build script's record).
Every shell command of the documents is run by a test or by CI, named in RUN_BY (checked: the
named file still runs it). Blocks that are also run or built elsewhere: the pre-release dependency lines
(test_packaging.py), the distribution workflow (test_dist.py), the quick start's conftest (every
example project is built that way)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_example, show, stub_gen

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"(?ms)^(?P<indent> *)```(?P<lang>\w*)\n(?P<body>.*?)^(?P=indent)```")
# Programs a command may start with: the tools scripts/test installs, cargo, and the command.
PROGRAMS = {"cargo", "maturin", "uv", "pip", "python", "pytest", "pyo3-guard", "uvx"}


def blocks() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCUMENTS:
        for match in FENCE.finditer(doc.read_text()):
            body = "\n".join(line.removeprefix(match["indent"]) for line in match["body"].splitlines())
            found.append((f"{doc.relative_to(REPO)}:{doc.read_text()[:match.start()].count(chr(10)) + 1}",
                          match["lang"], body + "\n"))
    return found


BLOCKS = blocks()
# The crates' rustdoc examples that rustdoc does not compile (```ignore), with where they are.
CRATE_DOCS = [REPO / "pyo3-guard" / "src" / "lib.rs"]
IGNORED = re.compile(r"(?ms)^//! ```ignore\n(?P<body>.*?)^//! ```")


def rust_blocks() -> list[tuple[str, str]]:
    found = [(where, body) for where, lang, body in BLOCKS if lang == "rust"]
    for source in CRATE_DOCS:
        text = source.read_text()
        for match in IGNORED.finditer(text):
            body = "".join(line.removeprefix("//!").removeprefix(" ") + "\n"
                           for line in match["body"].splitlines())
            found.append((f"{source.relative_to(REPO)}:{text[:match.start()].count(chr(10)) + 1}", body))
    return found


def test_the_documents_have_blocks_of_every_language_checked_here():
    languages = {lang for _, lang, _ in BLOCKS}
    assert {"rust", "toml", "python", "sh", "text"} <= languages, languages
    unknown = languages - {"rust", "toml", "python", "sh", "text", "yaml"}
    assert not unknown, f"blocks of a language nothing checks: {unknown}"


@pytest.mark.parametrize("where,lang,body", BLOCKS, ids=[f"{w}:{lang}" for w, lang, _ in BLOCKS])
def test_block_parses(where: str, lang: str, body: str, tmp_path: Path):
    if lang == "toml":
        tomllib.loads(body)
    elif lang == "python":
        compile(body, where, "exec")
    elif lang == "yaml":
        yaml.safe_load(body)
    elif lang == "rust":
        source = tmp_path / "block.rs"
        source.write_text(body)
        proc = subprocess.run(["rustfmt", "--edition", "2021", "--emit", "stdout", str(source)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{where}: the Rust block does not parse:\n{proc.stderr}"
    elif lang == "sh":
        proc = subprocess.run(["bash", "-n"], input=body, capture_output=True, text=True)
        assert proc.returncode == 0, f"{where}: {proc.stderr}"
        for line in body.splitlines():
            words = [w for w in shlex.split(line, comments=True) if "=" not in w.split("/")[0]]
            if not words:
                continue
            program = words[0]
            if program.startswith("scripts/"):
                assert (REPO / program).is_file(), f"{where}: {program} does not exist"
            else:
                assert program in PROGRAMS, f"{where}: `{program}` is not a program the tests know"
                if program not in {"pyo3-guard", "uvx", "pip", "python"}:
                    assert shutil.which(program), f"{where}: {program} is not installed"


# Where each command of the documents runs: (a file, a text that file must hold, the command as it
# runs there). A command of the documents that is not here fails test_every_command_is_run.
RUN_BY = {
    "scripts/demo": ("tests/test_docs.py", 'REPO / "scripts" / "demo"'),
    "scripts/test": (".ci/run", "exec scripts/test"),
    "uvx pyo3-guard convert": ("scripts/cli-wheel", '"$cli" convert'),
    "maturin develop": ("scripts/cli-wheel", "maturin develop"),
    "pytest": ("tests/test_convert.py", '"-m", "pytest", "-q"'),
    "pyo3-guard convert --dry-run": ("tests/test_convert.py", 'convert(project, cli, "--dry-run")'),
    "pyo3-guard convert": ("tests/test_convert.py", "done = convert(project, cli)"),
    "pyo3-guard convert --git file:///path/to/pyo3-guard": ("tests/test_convert.py", '"--git", f"file://{REPO}"'),
    "PYO3_GUARD_DIST=1 maturin build --release": ("tests/test_dist.py", 'PYO3_GUARD_DIST="1"'),
    "cargo run --features stub-gen --bin stub_gen": ("tests/conftest.py", '"--features", "stub-gen", "--bin", "stub_gen"'),
    "cargo run --features stub-gen --bin stub_gen -- --check": ("tests/test_stubs.py", 'stub_gen(project, "--check")'),
}


def test_every_command_is_run_by_a_test_or_ci():
    commands = {line.split("#")[0].strip() for _, lang, body in BLOCKS if lang == "sh" for line in body.splitlines()}
    commands.discard("")
    assert commands <= RUN_BY.keys(), f"commands of the documents that nothing runs: {sorted(commands - RUN_BY.keys())}"
    for command in commands:
        where, text = RUN_BY[command]
        assert text in (REPO / where).read_text(), f"`{command}`: {where} no longer runs it ({text!r})"

def test_the_readmes_demo_runs_and_shows_what_the_readme_shows():
    readme = (REPO / "README.md").read_text()
    proc = subprocess.run([str(REPO / "scripts" / "demo")], capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"scripts/demo failed:\n{proc.stdout}\n{proc.stderr}"
    for line in ["has reset: True", "has reset: False  <- the new method is gone",
                 "StaleBuildError: demo is stale", "changed: src/lib.rs", "likely cause: uv reinstalled"]:
        assert line in readme, f"the README no longer shows {line!r}: update this test with it"
        assert line in proc.stdout, f"scripts/demo no longer prints {line!r}:\n{proc.stdout}"


# What a Rust block declares, which the built module must then have.
DECLARED = re.compile(r"#\[(?:pyfunction|pyclass|pymodule)\](?:\s*//[^\n]*)?\s*(?:pub\s+)?(?:fn|struct|enum|mod)\s+(\w+)")


@pytest.mark.parametrize("where,body", rust_blocks(), ids=[w for w, _ in rust_blocks()])
def test_rust_block_builds_as_the_file_it_is(where: str, body: str, tmp_path: Path):
    """A build.rs block becomes the demo's build.rs, a `stub_gen_main!` line its stub binary, a
    guarded module its src/lib.rs; the demo is then built and imported, and what the block
    declares is in the module."""
    project = copy_example("demo", tmp_path / "demo")
    if "fn main()" in body and "pyo3_guard_build::emit()" in body:
        (project.root / "build.rs").write_text(body)
        expected = []
    elif "stub_gen_main!" in body:
        (project.root / "src" / "bin" / "stub_gen.rs").write_text(body)
        (project.root / "demo.pyi").unlink()
        stub_gen(project)  # built and run: it writes the stubs again
        assert (project.root / "demo.pyi").is_file()
        return
    elif "#[guarded_pymodule]" in body:
        (project.root / "src" / "lib.rs").write_text(body)
        expected = [name for name in DECLARED.findall(body) if name != "demo"]
        assert expected, f"{where}: the block declares nothing to look for"
    else:
        pytest.fail(f"{where}: a Rust block this test cannot place (build.rs, stub binary or module)")
    project.uv_venv()
    project.maturin_develop()
    names = project.py("import demo; print(sorted(dir(demo)))").stdout
    for name in ["__build_id__", *expected]:
        assert f"'{name}'" in names, f"{where}: `demo` has no {name}: {names}"
