"""Heal end to end: a stale module rebuilds itself (opt-in) with the command its diagnosis names,
once, under a lock, then the process starts again and checks again. Real maturin, uv, pip,
pytest and pytest-xdist; every rebuild is a real build."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import Project, convert, doctor, fix_commands, show, tool

NEW_METHOD = "    /// Sets the counter back to zero.\n    fn reset(&mut self) {\n        self.value = 0;\n    }\n\n    #[getter]"
HEAL = "import demo; demo.__guard__.verify(rebuild=True); print('fresh', demo.__build_id__, demo.__build_info__['profile'])"
# A test every worker runs: it sees the new method, and the build it loaded is the fresh one.
RESET_TEST = (
    "import demo\n\n"
    "def test_the_rebuilt_module_is_loaded():\n"
    "    assert demo.__guard__.check()['verdict'] == 'fresh'\n"
    "    assert hasattr(demo.Counter(), 'reset')\n"
)


def rebuilding_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "; rebuilding: " in line]


def so_of(project: Project) -> Path:
    return Path(project.py("import demo.demo as ext; print(ext.__file__)").stdout.strip())


def with_pytest(project: Project, *extra: str) -> None:
    project.run(tool("uv"), "pip", "install", "--quiet", "--python", project.python, "pytest", *extra)


def test_uv_template_project_is_uvs_to_rebuild_and_heals_through_uv(tmp_path: Path, cli: Path):
    # `uv init --build-backend maturin`: mixed layout (python-source = "src"), cache keys set.
    Project(tmp_path).run(tool("uv"), "init", "--quiet", "--build-backend", "maturin", "--no-workspace", "uvproj")
    project = Project(tmp_path / "uvproj")
    convert(project, cli)
    project.uv_venv()
    project.uv_run("python", "-c", "import uvproj")  # uv builds, installs (editable: a .pth into src/)
    project.edit("src/lib.rs", '"Hello from uvproj!"', '"Hello again from uvproj!"')

    check = "from uvproj._core import __guard__ as g; r = g.check(); print(r['verdict']); print(r['message'])"
    message = project.py(check).stdout
    assert message.startswith("stale\n"), message
    assert "changed: src/lib.rs" in message
    assert "uv built and installed this release build" in message and "uv_build.json" in message, message
    assert "fix: start Python through uv, which rebuilds it first: uv run python\n" in message, message
    assert "fix: or rebuild it now: uv sync --inexact --reinstall-package uvproj\n" in message, message
    assert "maturin develop" not in message and "editable install (" not in message, message

    report = doctor(project, cli)
    assert report.returncode == 1, show(report)
    assert "cause: uv built and installed this release build" in report.stdout, show(report)
    commands = fix_commands(report.stdout)
    assert "uv sync --inexact --reinstall-package uvproj" in commands, show(report)
    assert not [c for c in commands if c.startswith("maturin develop")], show(report)

    # Both fixes work when pasted: `uv run` rebuilds by itself (its cache keys cover the edit).
    assert "Hello again" in project.uv_run("python", "-c", "import uvproj; print(uvproj._core.hello_from_bin())").stdout

    # Heal runs uv's command, then starts the same command line again, which is fresh.
    project.edit("src/lib.rs", '"Hello again from uvproj!"', '"Hello, healed uvproj!"')
    healed = project.py("from uvproj._core import __guard__, hello_from_bin; __guard__.verify(rebuild=True); "
                        "print(hello_from_bin(), __guard__.check()['verdict'])")
    assert healed.stdout.strip() == "Hello, healed uvproj! fresh", show(healed)
    assert rebuilding_lines(healed.stderr) == [
        "pyo3-guard: uvproj._core is stale (src/lib.rs changed); rebuilding: uv sync --inexact --reinstall-package uvproj"
    ], healed.stderr

    # doctor --rebuild runs the same fix, then checks again.
    project.edit("src/lib.rs", '"Hello, healed uvproj!"', '"Hello, doctor!"')
    rebuilt = doctor(project, cli, "--rebuild")
    assert rebuilt.returncode == 0, show(rebuilt)
    assert "running uv sync --inexact --reinstall-package uvproj" in rebuilt.stderr, show(rebuilt)
    assert "after the rebuild:\nuvproj._core is fresh" in rebuilt.stdout, show(rebuilt)


def test_the_demos_uv_scenario_heals_under_pytest(demo: Project):
    demo.uv_venv()
    demo.uv_run("python", "-c", "import demo")  # uv's cached release wheel
    with_pytest(demo)
    demo.edit("src/lib.rs", "    #[getter]", NEW_METHOD)
    (demo.root / "tests" / "test_reset.py").write_text(RESET_TEST)
    demo.maturin_develop()

    # `uv run` puts the cached wheel back; with the switch, the session rebuilds and starts again.
    env = demo.env(PYO3_GUARD_REBUILD="1")
    session = demo.run(tool("uv"), "run", "python", "-m", "pytest", "-q", "tests", check=False, env=env)
    output = session.stdout + session.stderr
    assert session.returncode == 0, show(session)
    assert rebuilding_lines(output) == [
        "pyo3-guard: demo is stale (src/lib.rs changed); rebuilding: uv sync --inexact --reinstall-package demo"
    ], output
    assert "pyo3-guard: rebuilt demo in " in output and "passed" in output, output
    # uv rebuilt it as uv builds it: a release wheel, now of the sources on disk.
    assert demo.py(HEAL).stdout.split()[2] == "release"


def test_pytest_xdist_with_two_workers_builds_once(demo: Project):
    demo.uv_venv()
    with_pytest(demo, "pytest-xdist")
    demo.maturin_develop()
    demo.edit("src/lib.rs", "    #[getter]", NEW_METHOD)
    (demo.root / "tests" / "test_reset.py").write_text(RESET_TEST)

    session = demo.run(demo.python, "-m", "pytest", "-q", "-n", "2", "tests", check=False,
                       env=demo.env(PYO3_GUARD_REBUILD="1"))
    output = session.stdout + session.stderr
    assert session.returncode == 0, show(session)
    assert len(rebuilding_lines(output)) == 1 and output.count("pyo3-guard: rebuilt demo in ") == 1, output
    assert "passed" in output and "failed" not in output, output


def test_two_processes_healing_at_once_build_once(demo: Project):
    demo.uv_venv()
    demo.maturin_develop()
    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    procs = [subprocess.Popen([str(demo.python), "-c", HEAL], cwd=demo.root, env=demo.env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    both = "\n".join(out + err for out, err in outs)
    assert all(p.returncode == 0 for p in procs), both
    assert both.count("pyo3-guard: rebuilt demo in ") == 1, both
    assert "another process rebuilt demo already" in both, both
    ids = {out.split()[1] for out, _ in outs}
    assert len(ids) == 1, both


def test_a_release_build_is_rebuilt_as_release_and_an_interactive_python_is_told_to_restart(demo: Project):
    demo.uv_venv()
    demo.maturin_develop("--release")
    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    # Python reading its commands from stdin: nothing to start again, so it rebuilds and says so.
    piped = subprocess.run([str(demo.python), "-"], cwd=demo.root, env=demo.env(PYO3_GUARD_REBUILD="1"),
                           input="import demo\ndemo.__guard__.verify()\n", capture_output=True, text=True, timeout=900)
    assert piped.returncode == 1, show(piped)
    assert rebuilding_lines(piped.stderr)[0].endswith("rebuilding: maturin develop --release"), piped.stderr
    assert "rebuilt it" in piped.stderr and "restart Python to load the new build" in piped.stderr, piped.stderr
    fresh = demo.py(HEAL)
    assert fresh.stdout.split()[2] == "release" and fresh.stderr == "", show(fresh)

    demo.edit("src/lib.rs", "hi, {name}", "hey, {name}")
    healed = demo.py(HEAL)
    assert healed.stdout.split()[2] == "release", show(healed)
    assert "starting again" in healed.stderr


def test_faults_end_stale_with_what_went_wrong_and_never_loop(demo: Project, tmp_path: Path):
    demo.uv_venv()
    with_pytest(demo)
    demo.maturin_develop()
    so = so_of(demo)
    before = so.read_bytes()
    on = demo.env(PYO3_GUARD_REBUILD="1")

    # A compile error: the compiler's message, exit 1, one attempt, no restart.
    demo.edit("src/lib.rs", "hello, {name}", "hello, {name}\" + ")
    broken = demo.run(demo.python, "-m", "pytest", "-q", "tests", check=False, env=on)
    output = broken.stdout + broken.stderr
    assert broken.returncode == 1, show(broken)
    assert len(rebuilding_lines(output)) == 1 and "starting again" not in output, output
    assert "demo is stale" in output and "failed (exit status: 1)" in output and "error" in output, output
    assert "passed" not in output
    assert so.read_bytes() == before  # the installed module is untouched

    # maturin missing: a Python and PATH without it.
    demo.edit("src/lib.rs", "hello, {name}\" + ", "hi, {name}")
    no_maturin = demo.run(demo.python, "-c", HEAL, check=False, env={**on, "PATH": "/usr/bin:/bin"})
    assert no_maturin.returncode == 1, show(no_maturin)
    assert "could not start: maturin is not installed" in no_maturin.stderr, no_maturin.stderr

    # The lock held by someone else past the timeout.
    lock_path = demo.venv / ".pyo3-guard-rebuild.lock"
    with open(lock_path, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        timed_out = demo.run(demo.python, "-c", HEAL, check=False, env={**on, "PYO3_GUARD_REBUILD_TIMEOUT": "1"})
    assert timed_out.returncode == 1, show(timed_out)
    assert "waiting for another rebuild of demo" in timed_out.stderr
    assert "held the rebuild lock" in timed_out.stderr and "for more than 1 s" in timed_out.stderr, timed_out.stderr

    # Ctrl-C during the build: stale, exit 1, the old build still in place and loadable.
    proc = subprocess.Popen([str(demo.python), "-c", HEAL], cwd=demo.root, env=on, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert "; rebuilding: " in first, first
    # Soon after the line (maturin has started; cargo is still at work): a warm rebuild of the
    # demo can finish within a second, and an interrupt after the install is another case.
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "was interrupted (Ctrl-C): the build stopped before it installed anything new" in err, err
    assert "StaleBuildError" in err, err
    assert so.read_bytes() == before
    assert demo.py("import demo; print(demo.__guard__.check()['verdict'])").stdout.strip() == "stale"

    # After a heal that did not make it fresh (here: a second stale verdict marked as such), an
    # error with both reports, never another rebuild.
    marked = demo.run(demo.python, "-c", HEAL, check=False,
                      env={**on, "PYO3_GUARD_REBUILT": "demo\tbuild 0123456789abcdef replaced by `maturin develop`"})
    assert marked.returncode == 1 and not rebuilding_lines(marked.stderr), show(marked)
    assert "rebuilt demo once in this run already (build 0123456789abcdef replaced by `maturin develop`)" in marked.stderr
    assert "changed: src/lib.rs" in marked.stderr


def test_no_switch_touched_files_and_the_off_switch_rebuild_nothing(demo: Project):
    demo.uv_venv()
    with_pytest(demo)
    demo.maturin_develop()
    so = so_of(demo)
    before = so.read_bytes()

    # Touched, same content: fresh, nothing to do, nothing printed.
    lib = demo.root / "src" / "lib.rs"
    os.utime(lib, (1_000_000_000, 1_000_000_000))
    quiet = demo.py(HEAL, PYO3_GUARD_REBUILD="1")
    assert quiet.stderr == "" and quiet.stdout.startswith("fresh "), show(quiet)

    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    # No switch: verify() and the pytest hook behave as before: stale, no build.
    plain = demo.py("import demo; demo.__guard__.verify()", check=False)
    assert plain.returncode == 1 and "StaleBuildError: demo is stale" in plain.stderr
    assert "rebuilding" not in plain.stderr
    session = demo.run(demo.python, "-m", "pytest", "-q", "tests", check=False)
    assert session.returncode == 1 and "rebuilding" not in session.stdout + session.stderr, show(session)
    # The off switch wins over the code's rebuild=True.
    off = demo.py(HEAL, check=False, PYO3_GUARD_REBUILD="0")
    assert off.returncode == 1 and "rebuilding" not in off.stderr, show(off)
    assert so.read_bytes() == before
    # The fix the message prints is the rebuild heal would run, and it works when pasted.
    rebuild, = [c for c in fix_commands(plain.stderr) if "maturin develop" in c]
    assert rebuild == "maturin develop"
    demo.run("sh", "-c", rebuild)
    demo.py("import demo; demo.__guard__.verify()")


def test_a_pip_editable_install_is_rebuilt_as_it_was_made(demo: Project):
    # `pip install -e .` in a plain venv: pip's isolated build through maturin's PEP 517 hook
    # (release, as PEP 517 builds are). With a maturin at hand heal uses it, keeping the profile;
    # without one, it rebuilds the way pip did.
    demo.run(sys.executable, "-m", "venv", demo.venv)
    demo.run(demo.python, "-m", "pip", "install", "--quiet", "-e", ".")
    demo.edit("src/lib.rs", "hello, {name}", "hi, {name}")
    cause = demo.py("import demo; print(demo.__guard__.check()['cause'])").stdout
    assert "editable install (`maturin develop` or `pip install -e`)" in cause, cause
    healed = demo.py(HEAL)
    assert healed.stdout.split()[2] == "release", show(healed)
    assert rebuilding_lines(healed.stderr)[0].endswith("rebuilding: maturin develop --release"), healed.stderr

    demo.edit("src/lib.rs", "hi, {name}", "hey, {name}")
    no_maturin = {**demo.env(), "PATH": "/usr/bin:/bin"}
    by_pip = demo.run(demo.python, "-c", HEAL, env=no_maturin)
    assert by_pip.stdout.split()[2] == "release", show(by_pip)
    assert rebuilding_lines(by_pip.stderr)[0].endswith(f"rebuilding: {demo.python} -m pip install --no-deps -e ."), by_pip.stderr
