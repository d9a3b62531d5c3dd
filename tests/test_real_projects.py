"""Real PyO3 projects from PyPI source distributions, converted by `pyo3-guard convert`: their
own test suites give the same results before and after, the module has the same names (a default
conversion) or those plus the items nothing added before (`--publish-all`), `verify()` holds on
the converted build, and a content edit of one Rust source is named stale. Each project is built
as published, then converted, into the shared cargo target dir (a project with environment
variables of its own, `Real.env`, into a target dir of its own); a few are converted a second time
with `--publish-all`, from the same unconverted sources, in the same venv (only the crate
compiles again). The sdists are downloaded once into .tools/sdists.

Select with `-m real_projects`, leave out with `-m "not real_projects"`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest

from conftest import REPO, Project, convert, tool
from surface import unexpected

pytestmark = pytest.mark.real_projects

SDISTS = REPO / ".tools" / "sdists"
FIXTURES = REPO / "tests" / "fixtures"
PYTEST = "pytest==9.2.0"
# The two ways `pyo3-guard convert` converts: the names the module had (every item nothing added
# marked #[guard(skip)]), or those and every item nothing added (`--publish-all`).
DEFAULT, PUBLISH_ALL = "default", "publish-all"


@dataclass(frozen=True)
class Real:
    name: str  # on PyPI, or of a project in tests/fixtures (version and sha256 "")
    version: str
    sha256: str  # of the sdist, so a re-published file is noticed
    crate: str  # the extension crate's folder in the sdist
    module: str  # the extension module, as Python imports it
    tests: str  # the project's own test folder ("": the sdist ships none)
    test_deps: tuple[str, ...]
    edit: tuple[str, str, str]  # (file, old, new): a content edit of one Rust source
    pytest_args: tuple[str, ...] = ()
    # Environment variables for every command run in the project (its build's toolchain); such
    # a project builds in a cargo target dir of its own (`Conversion.env`).
    env: dict[str, str] = field(default_factory=dict)
    # (file, line, name): a hand-written addition the converted project keeps; deleted, the
    # rebuilt module must name `name` missing (so the check covers this project's classes).
    forget: tuple[str, str, str] | None = None
    # Steps after `pyo3-guard convert` that this project needs, each named for what it does and
    # with the reason (the open pyo3-guard bug it works around).
    extra_steps: tuple = ()
    # check -> the open pyo3-guard bug that makes it fail (strict xfail: noticed when fixed).
    xfail: dict[str, str] = field(default_factory=dict)
    # Classes and functions nothing added before conversion: a default conversion lists them as
    # not published (marked #[guard(skip)]); with --publish-all registration adds them (the
    # differential check allows these names, and only these, to be new).
    registered: tuple[str, ...] = ()
    # Converted a second time with --publish-all (after the default conversion's checks).
    publish_all: bool = False

    @property
    def fixture(self) -> Path | None:
        """A minimal project of ours, written as a PyO3 project is published (no sdist)."""
        return FIXTURES / self.name if not self.version else None

    @property
    def sdist(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}.tar.gz"


PROJECTS = [
    # Pure Rust layout, a function module; 15 classes in one file, 5 of them added by hand (the
    # 10 iterators and views: not published by default, public with --publish-all).
    Real("rpds-py", "2026.9.1", "4793ef7f78268b124b73fa933440f01d258bbae01de9fa53e9080c9ab0425a12",
         crate=".", module="rpds", tests="tests", test_deps=(PYTEST,),
         edit=("src/lib.rs", '"dequeued an empty queue"', '"dequeued an empty Queue"'),
         registered=("ItemsIterator", "ItemsView", "KeysIterator", "KeysView", "ListIterator", "QueueIterator",
                     "SetIterator", "StackIterator", "ValuesIterator", "ValuesView"), publish_all=True),
    # Mixed layout (python-source, module-name = "pycrdt._pycrdt"); 23 classes and 5 functions
    # over 12 files, all added by hand in the module function.
    Real("pycrdt", "0.14.13", "cbed47427bf9d6f9dd77763749354a7d991f55581d6b917f2823c03095d55988",
         crate=".", module="pycrdt._pycrdt", tests="tests",
         test_deps=(PYTEST, "anyio==4.16.0", "trio==0.34.0", "pydantic==2.14.3"),
         # Its type tests need mypy and pytest-mypy-testing (its "types" group, not "test"); a
         # timing test (the updates that timers send) that sends one more on a loaded machine.
         pytest_args=("--ignore=tests/test_types.py", "--deselect=tests/test_awareness.py::test_awareness_periodic_updates"),
         edit=("src/text.rs", '"TextEvent(target=', '"TextEvent(target =')),
    # A workspace, the extension in crates/jiter-python named by [tool.maturin] manifest-path; a
    # declarative module (#[pyo3::pymodule] with #[pyo3(name)], #[pymodule_init]); a class from
    # the path dependency `jiter`, compiled in by its `python` feature, added in the init.
    Real("jiter", "0.19.0", "ba3064f8be276d7cfb83c2fb85c858be533da2c2f80f9b048c3781b45a57a195",
         crate="crates/jiter-python", module="jiter", tests="crates/jiter-python/tests",
         test_deps=(PYTEST, "dirty-equals==0.11"),
         edit=("crates/jiter/src/py_lossless_float.rs", '"LosslessFloat({s})"', '"LosslessFloat ({s})"'),
         forget=("crates/jiter-python/src/lib.rs", "        m.add_class::<LosslessFloat>()?;\n", "LosslessFloat"),
         publish_all=True),
    # Mixed layout (python-source implicit: the package folder `watchfiles` beside Cargo.toml,
    # module-name = "watchfiles._rust_notify"); a function module with a `py` parameter,
    # `gil_used = false` and custom setup (an exception, `__version__`); 1 class, added by hand.
    Real("watchfiles", "1.3.0", "99aee4a07847c06820765fd7b1b49ceac4f3f711ccb7d104655a33231de1c207",
         crate=".", module="watchfiles._rust_notify", tests="tests",
         test_deps=(PYTEST, "pytest-mock==3.17.0", "pytest-timeout==2.4.0", "dirty-equals==0.11", "anyio==4.16.0"),
         # Its filterwarnings = "error" turns pytest 9's deprecation of a generator passed to
         # parametrize (tests/test_docs.py) into a collection error that stops the session.
         pytest_args=("-W", "ignore::pytest.PytestRemovedIn10Warning"),
         edit=("src/lib.rs", '"Unable to decode path {:?} to string"', '"Unable to decode path {:?} as string"')),
    # Mixed layout (python-source = "python", module-name = "rtoml._rtoml", crate-type cdylib
    # and rlib); a function module with a `py` parameter and custom setup (2 exceptions,
    # versions); 3 functions added by hand with `m.add_wrapped(wrap_pyfunction!(f))`; 1 class
    # (TzInfo, extends PyTzInfo, in src/datetime.rs) that nothing adds: not published by default,
    # public with --publish-all.
    Real("rtoml", "0.14.0", "e0f95a59e3fac6394985d59ce18a0c06f2176f2eb9dec2fb8c1105febaf05c59",
         crate=".", module="rtoml._rtoml", tests="tests",
         test_deps=(PYTEST, "dirty-equals==0.11", "hypothesis==6.170.17"),
         # `maturin develop` installs its "dev" group, with pytest-speed 0.3.5: its plugin fails
         # to load under pytest 9 (two options with dest 'bench'), so no test would run.
         pytest_args=("-p", "no:speed"),
         edit=("src/ser.rs", '"error writing TOML"', '"error writing the TOML"'),
         registered=("TzInfo",), publish_all=True),
    # Pure Rust layout (the extension is blake3.blake3); a function module whose `py` parameter
    # is the pattern `_`, with `gil_used = false` and custom setup (`__version__`); 1 class,
    # `#[pyclass(name = "blake3", module = "blake3.blake3", frozen)]` (named as its module), with
    # 5 `#[classattr]` consts, added by hand.
    Real("blake3", "1.0.11", "d73c0a87304d41045f6753a922113bede3ab09eda2d20371566a5bbe357c3deb",
         crate=".", module="blake3", tests="tests",
         test_deps=(PYTEST, "numpy==2.4.6", "typing_extensions==4.16.0"),
         edit=("src/lib.rs", '"not a valid number of threads"', '"not a valid count of threads"')),
    # Mixed layout (python-source = "src", the package beside the crate's sources; module
    # cramjam.cramjam, strip = true); an existing build.rs; a declarative `#[pymodule] mod
    # cramjam` with `#[pymodule_init]` adding 2 classes of src/io.rs by hand, and
    # `#[pymodule_export] use crate::snappy::snappy;` for 9 declarative `#[pymodule] pub mod`
    # codec modules, one per file (each with functions, a Compressor class, and a Decompressor
    # class made by the macro_rules! `make_decompressor!`), some behind features. Converted, it
    # failed at import (every codec's `compress` registered at the top as well) until the
    # prelude's #[pymodule] marked what PyO3 adds to such a module.
    Real("cramjam", "2.14.0", "050095380dc01a7f3dc2b8bcd9de2cbf4a208a8aab32301c760ea3c280d641bd",
         crate=".", module="cramjam.cramjam", tests="tests",
         test_deps=(PYTEST, "numpy==2.4.6", "hypothesis==6.170.17"),
         edit=("src/io.rs", '"shape is null"', '"shape is NULL"')),
    # Mixed layout (python-source "src", module-name = "pendulum._pendulum"), the crate in
    # `rust/` (the sdist's pyproject.toml has no manifest-path: maturin finds rust/Cargo.toml);
    # a function module with `gil_used = false` in src/python/mod.rs, not the root file; 3
    # classes (`module = "_pendulum"`, one extends PyTzInfo) and 7 functions over 5 files.
    # src/python/helpers.rs imports the prelude in a group holding a group
    # (`use pyo3::{prelude::*, types::{PyDate, ...}, PyTypeInfo};`). Its sdists (3.0.0 to 3.3.0)
    # ship no tests: the suite is skipped.
    Real("pendulum", "3.3.0", "9aceb5b24e9f55381df08187397e88546b5ba82f698b741cbf1a05c5e2369116",
         crate="rust", module="pendulum._pendulum", tests="",
         test_deps=(PYTEST,),
         edit=("rust/src/python/parsing.rs", '"Not yet implemented"', '"Not implemented yet"'),
         registered=("FixedTimezone",)),
    # Mixed layout (python-source = "python", module-name = "uuid_utils._uuid_utils"); a function
    # module with `gil_used = false` whose body uses the class after adding it by hand
    # (`m.getattr("UUID")?.setattr(...)`) and adds constants and instances; 1 class
    # (`#[pyclass(subclass, module = "uuid_utils", from_py_object)]`: 18 getters, 5 static
    # methods, `__richcmp__`) and 11 functions (one `#[pyo3(name = "_uuid4_int")]`) in one file,
    # beside a `#[derive(FromPyObject)]` enum with `#[pyo3(transparent, annotation)]` variants.
    Real("uuid-utils", "1.2.0", "8a8bd1120a8bc5a6656a1c580d66a050af430b05d017da526ec0b0a06715bf70",
         crate=".", module="uuid_utils._uuid_utils", tests="tests", test_deps=(PYTEST,),
         edit=("src/lib.rs", '"illegal version number."', '"illegal version number"')),
    # Mixed layout (python-source = "python", module-name = "pydantic_core._pydantic_core"), its
    # own build.rs; a declarative `#[pymodule(gil_used = false)] pub mod _pydantic_core` with
    # `#[pymodule_export] use crate::{...}` (19 items), a nested `#[pymodule] mod _schema_gather`
    # exporting 2 items of src/schema_gather.rs, and `#[pymodule_init]` (no classes added by
    # hand); 26 `#[pyclass]` and 5 `#[pyfunction]` attributes over many files.
    Real("pydantic-core", "2.50.5", "1e740886083ff95530d694e6a3f09ed914bcf92a496d16acd307c6c3484fc36d",
         crate=".", module="pydantic_core._pydantic_core", tests="tests",
         test_deps=(PYTEST, "dirty-equals==0.11", "hypothesis==6.170.17", "inline-snapshot==0.36.1",
                    "pytest-mock==3.17.0", "pytest-timeout==2.4.0", "pytest-benchmark==5.3.1",
                    "pytest-examples==0.0.18", "pytest-run-parallel==0.10.0", "typing-inspection==0.4.5",
                    "python-dateutil==4.0.0", "tzdata==2026.6", "numpy==2.4.6"),
         # Benchmarks: slow, and not about the module's contents; a timing test (linear time)
         # that fails on a loaded machine, unconverted as well.
         pytest_args=("--ignore=tests/benchmarks",
                      "--deselect=tests/validators/test_url.py::test_multi_host_url_linear_time"),
         # Its `#[getter(r#type)]` was expected as `r#type`: a false alarm that stopped the suite.
         edit=("src/url.rs", '"writing to string should not fail"', '"writing to a string should not fail"'),
         registered=("AssignmentValidatorCallable", "PyLineError", "PythonSerializerError", "SerializationCallable",
                     "SerializationInfo", "SerializationIterator", "ValidationInfo", "ValidatorCallable",
                     "ValidatorIterator")),
    # Issue 23's `PyModule::new` shape: the function module (`gil_used = false`, a `py`
    # parameter) builds 4 submodules with `PyModule::new(py, "fastcrc.crc8")` (a dotted name),
    # adds 68 functions to them by hand and attaches each with `m.add("crc8", &crc8)`; nothing is
    # added at the top. The functions are made by `macro_rules!` with `#[pyo3(name = ...)]`, and
    # one name is in several submodules (`autosar` in crc8, crc16 and crc32). Mixed layout
    # without module-name (the package `fastcrc/` beside Cargo.toml, the extension
    # `fastcrc.fastcrc`, no star import): its `crc8.py` imports the extension's `crc8`, whose
    # `__name__` is the Python module's own. Its sdists (0.4.1 and 0.5.0) exclude the tests: the
    # suite is skipped. No `forget`: its `crc8.py` reads every function of the submodule at
    # import, so a deleted addition fails the package's import, as it would unconverted.
    # Converted, every function also registered at the top (63 new public names for 68
    # functions: `autosar` of 3 submodules, the last one added winning) until registration read
    # the names a `macro_rules!` fragment gives and left out at the top what a submodule adds by
    # hand that the build script cannot see.
    Real("fastcrc", "0.5.0", "e02cdf379d7371f0bd9d7cac957c67f0696e62292d73eebe02ff6393eef05b50",
         crate=".", module="fastcrc.fastcrc", tests="", test_deps=(PYTEST,),
         edit=("src/lib.rs", '"buffer is not C-contiguous"', '"buffer is not C contiguous"')),
    # Issue 23's two hand-made submodule shapes in one project: the function module
    # (`#[pyo3(name = "_tsdownsample_rs")] fn tsdownsample`) adds 4 `#[pymodule] fn` submodules
    # with `m.add_wrapped(wrap_pymodule!(minmax))`, and each of them builds `sequential` and
    # `parallel` with `PyModule::new` and `add_submodule`. Their 855 functions are
    # `#[pyfunction]`s that `macro_rules!` and `paste!` (`[<downsample_ $t>]`) define inside the
    # submodule functions' bodies, each added there by hand with
    # `$mod.add_wrapped(wrap_pyfunction!($name))`: 126 names, in each of the 7 leaf submodules
    # (99 in lttb's one), nothing at the top. Mixed layout (the package `tsdownsample/` beside
    # Cargo.toml, module-name = "tsdownsample._rust._tsdownsample_rs"); the path dependency
    # `downsample_rs` (no workspace) holds the algorithms. Converted, it failed at import (every
    # function registered at the top too: "two items are registered as ...downsample_f16") until
    # registration came after the module function's body and left out what the body placed.
    # Its `rust-toolchain` file says nightly, and argminmax's default feature `nightly_simd` needs
    # `#![feature]` (stable says E0554): built with the machine's stable toolchain, which
    # RUSTC_BOOTSTRAP=argminmax lets take the feature in that crate only (scripts/fuzz sets it
    # to 1, for every crate). No `forget`: each macro defines a function and adds it, so no
    # addition can go without its function.
    Real("tsdownsample", "0.1.5.1", "e597d6f1891f8163d9425b5f71759bfb17e3545ab72618d7ebaae0356e702829",
         crate=".", module="tsdownsample._rust._tsdownsample_rs", tests="tests",
         test_deps=(PYTEST, "numpy==2.4.6"),
         # Its benchmarks need pytest-benchmark, and are not about the module's contents.
         pytest_args=("--ignore=tests/benchmarks",),
         env={"RUSTUP_TOOLCHAIN": "stable", "RUSTC_BOOTSTRAP": "argminmax"},
         edit=("downsample_rs/src/lib.rs", '"could not spawn threads"', '"could not spawn the threads"'),
         publish_all=True),
    # tests/fixtures/shapes, issue 23's shapes in one small project: maturin's mixed layout
    # without module-name (the package `shapes/` beside Cargo.toml star-imports the extension
    # `shapes.shapes`), `--doctest-modules` over the package, a `#[pymodule] fn solids` the
    # module adds with `wrap_pymodule!` (2 classes added by hand there) and a `PyModule::new`
    # submodule whose `area` has the name of the top `area`. Converted, its doctest was
    # collected as the package's, the import failed (two items registered as `area`), and the
    # submodule's classes were public at the top too.
    Real("shapes", "", "", crate=".", module="shapes.shapes", tests=".", test_deps=(PYTEST,),
         edit=("src/lib.rs", "(width: i64, height: i64) -> i64 {\n    width * height",
               "(width: i64, height: i64) -> i64 {\n    height * width"),
         registered=("Cursor",)),
]


def sdist(real: Real) -> Path:
    """The project's sdist from PyPI, with pip (once; then from .tools/sdists)."""
    path = SDISTS / real.sdist
    assert real.version, f"{real.name} is a fixture, not an sdist"
    if not path.exists():
        # --no-build-isolation: pip reads the metadata with the maturin installed here, instead of
        # building maturin itself from source as `--no-binary :all:` would.
        Project(REPO).run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-build-isolation",
                          "--no-binary", real.name, "--dest", SDISTS, f"{real.name}=={real.version}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == real.sha256, f"{path} is not the pinned file"
    return path


DIR_OF_MODULE = "import json, {module} as m; print(json.dumps(sorted(dir(m))))"
SURFACE = Path(__file__).resolve().parent / "surface.py"
CHECK = "import json, {module} as m; print(json.dumps(m.__guard__.check()))"
VERIFY = "import {module} as m; m.__guard__.verify()"


# What a conversion may not leave behind when the next one starts from the unconverted sources
# (the venv, built modules, caches): kept as they are.
BUILT = shutil.ignore_patterns(".venv", "__pycache__", "*.so", ".hypothesis", ".pytest_cache")


def sources(root: Path) -> set[str]:
    """Every file under `root` (relative), but what `BUILT` leaves out."""
    found = set()
    for folder, dirs, files in os.walk(root):
        ignored = BUILT(folder, dirs + files)
        dirs[:] = [d for d in dirs if d not in ignored]
        found |= {os.path.relpath(os.path.join(folder, f), root) for f in files if f not in ignored}
    return found


@dataclass
class Converted:
    """One conversion of a project by `pyo3-guard convert`, built with `maturin develop`."""
    report: str  # what the command printed
    seconds: float  # the conversion and its build
    suite: tuple[dict[str, str], str]
    names: list[str]
    surface: dict
    verify: subprocess.CompletedProcess
    check: dict

    def not_published(self) -> list[str]:
        """The items the command lists as not published (`src/x.rs:12: class Name`): names."""
        lines = self.report.partition("so marked #[guard(skip)]")[2].partition("\nNext:")[0].splitlines()[1:]
        return sorted(line.split()[-1] for line in lines)


class Conversion:
    """One project, unpacked into a temporary dir: each state built once, on first use. Every
    state is built in the same venv and the shared target dir, so a second conversion compiles
    the crate again, not its dependencies."""

    def __init__(self, real: Real, tmp: Path, cli: Path):
        self.real = real
        self.cli = cli
        self.env = dict(real.env)
        if self.env:
            # cargo does not key the crates it builds by the environment, but build scripts read
            # it (proc-macro2's reruns when RUSTC_BOOTSTRAP changes): in the shared target dir,
            # the crates this project shares with the others would build again, back and forth.
            shared = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
            self.env["CARGO_TARGET_DIR"] = str(shared / real.name)
        if real.fixture:
            shutil.copytree(real.fixture, tmp / real.name)
            self.project = Project(tmp / real.name, env=self.env)
        else:
            with tarfile.open(sdist(real)) as archive:
                archive.extractall(tmp, filter="data")
            self.project = Project(tmp / real.sdist.removesuffix(".tar.gz"), env=self.env)
        self.crate = self.project.root / real.crate
        self.reports = tmp  # the suites' junit files, beside the project
        self.unconverted = tmp / "unconverted"  # the sources as published, for the next conversion
        self.results: dict[str, Converted] = {}
        self.tried: set[str] = set()
        self.mode = ""  # the conversion the sources and the venv hold ("": none)
        self.built_seconds = 0.0  # the build as published

    def suite(self, state: str) -> tuple[dict[str, str], str]:
        """The project's own test suite: each test's outcome by its id (none when the session
        stopped before any test ran), and the end of its output."""
        if not self.real.tests:
            return {}, "its sdist ships no tests"
        report = self.reports / f"{state}.xml"
        # Without CI=true (which CI sets for us): a project's suite may run more under it, as
        # pydantic-core's does a recursion test that overflows the stack on Python < 3.14.
        env = {key: value for key, value in self.project.env().items() if key != "CI"}
        result = self.project.run(self.project.python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                  f"--junitxml={report}", *self.real.pytest_args, self.real.tests, check=False, env=env)
        output = result.stdout[-3000:] + result.stderr[-3000:]
        if not report.exists():
            return {}, output
        outcomes = {}
        for case in ElementTree.parse(report).iter("testcase"):
            kinds = {child.tag for child in case} & {"failure", "error", "skipped"}
            outcomes[f"{case.get('classname')}::{case.get('name')}"] = kinds.pop() if kinds else "passed"
        return outcomes, output

    def surface(self) -> dict:
        """What the top package and the extension show Python (tests/surface.py)."""
        top = self.real.module.split(".")[0]
        modules = [top] if top == self.real.module else [top, self.real.module]
        return json.loads(self.project.run(self.project.python, SURFACE, *modules).stdout)

    def names(self) -> list[str]:
        return json.loads(self.project.py(DIR_OF_MODULE.format(module=self.real.module)).stdout)

    @cached_property
    def before(self) -> tuple[tuple[dict[str, str], str], list[str], dict]:
        """The project as published: its suite's outcomes, the module's names, its surface."""
        self.project.uv_venv()
        self.project.run(tool("uv"), "pip", "install", "--quiet", "--python", self.project.python, *self.real.test_deps)
        started = time.monotonic()
        self.project.maturin_develop()
        self.built_seconds = time.monotonic() - started
        shutil.copytree(self.project.root, self.unconverted, ignore=BUILT)
        return self.suite("before"), self.names(), self.surface()

    def converted(self, mode: str) -> Converted:
        """Converted by the command in `mode` (DEFAULT or PUBLISH_ALL) and built: the report, the
        suite, the names, the surface, verify() and check()."""
        if mode not in self.results:
            self.results[mode] = self.convert(mode)
        return self.results[mode]

    def convert(self, mode: str) -> Converted:
        self.before
        if mode == PUBLISH_ALL:
            # The default conversion's checks that edit its sources come first.
            self.converted(DEFAULT)
            self.stale
            if self.real.forget:
                self.forgotten
        # A failure is not cached: a second conversion of the same files would fail for its own
        # reasons and hide the first one.
        assert mode not in self.tried, f"the {mode} conversion failed in this project's first test: see there"
        self.tried.add(mode)
        started = time.monotonic()
        self.restore()
        report = convert(self.project, self.cli, *(["--publish-all"] if mode == PUBLISH_ALL else []))
        for step in self.real.extra_steps:
            step(self.crate)
        self.project.maturin_develop()
        self.mode = mode
        seconds = time.monotonic() - started
        verify = self.project.py(VERIFY.format(module=self.real.module), check=False)
        return Converted(report, seconds, self.suite(mode), self.names(), self.surface(), verify, self.check())

    def restore(self) -> None:
        """Back to the sources as published (what a conversion or an edit wrote goes), each file
        written anew so that cargo sees it changed; the venv and the built modules stay."""
        for rel in sources(self.project.root) - sources(self.unconverted):
            (self.project.root / rel).unlink()
        for rel in sources(self.unconverted):
            text, path = (self.unconverted / rel).read_bytes(), self.project.root / rel
            if not path.is_file() or path.read_bytes() != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text)

    def check(self) -> dict:
        return json.loads(self.project.py(CHECK.format(module=self.real.module)).stdout)

    @cached_property
    def stale(self) -> dict:
        """check() after the content edit (the default conversion's build, unchanged)."""
        self.converted(DEFAULT)
        assert self.mode == DEFAULT, self.mode
        self.project.edit(*self.real.edit)
        return self.check()

    @cached_property
    def forgotten(self) -> tuple[list[str], dict]:
        """The module's names and check() once the hand-written addition is deleted (built
        again, after the content edit)."""
        self.stale
        self.project.edit(*self.real.forget[:2], "")
        self.project.maturin_develop()
        return self.names(), self.check()


# One Conversion per project for the whole run: pytest may tear a module-scoped fixture down
# and set it up again when it orders a project's tests apart, which would build it twice.
CONVERSIONS: dict[str, Conversion] = {}


@pytest.fixture(scope="module")
def conversion(request, tmp_path_factory, cli: Path) -> Conversion:
    real = request.param
    if real.name not in CONVERSIONS:
        CONVERSIONS[real.name] = Conversion(real, tmp_path_factory.mktemp(real.name), cli)
    return CONVERSIONS[real.name]


def xfail(real: Real, check: str) -> list:
    return [pytest.mark.xfail(strict=True, reason=real.xfail[check])] if check in real.xfail else []


def projects(check: str) -> list:
    """Each project, in its default conversion."""
    return [pytest.param(real, id=real.name, marks=xfail(real, check)) for real in PROJECTS]


def conversions(check: str) -> list:
    """(project, mode) for each conversion of each project, as ids `rpds-py` (the default one)
    and `rpds-py-publish-all`."""
    return [pytest.param(real, mode, id=real.name if mode == DEFAULT else f"{real.name}-{mode}", marks=xfail(real, check))
            for real in PROJECTS for mode in (DEFAULT, PUBLISH_ALL) if mode == DEFAULT or real.publish_all]


# pyo3-guard's own names, which every converted module has.
GUARD_NAMES = {"__build_id__", "__build_info__", "__guard__"}


# A project whose sdist ships no tests (pendulum) has no suite to compare.
@pytest.mark.parametrize("conversion, mode", [p for p in conversions("suite") if p.values[0].tests],
                         indirect=["conversion"])
def test_its_own_suite_gives_the_same_results_after_conversion(conversion: Conversion, mode: str):
    (before, output), _, _ = conversion.before
    converted = conversion.converted(mode)
    after, after_output = converted.suite
    passed = list(before.values()).count("passed")
    print(f"{conversion.real.name} ({mode}): {passed} of {len(before)} passed before, "
          f"{list(after.values()).count('passed')} of {len(after)} after; built as published in "
          f"{conversion.built_seconds:.0f} s, converted and built in {converted.seconds:.0f} s")
    assert passed > 0, output
    changed = {test: (before.get(test), after.get(test)) for test in before.keys() & after.keys()
               if before.get(test) != after.get(test)}
    assert changed == {}, after_output
    # A test id that names an object's address, a set's order or a random value differs from run
    # to run (pydantic-core's parametrize ids): those are compared by test function, as counts.
    def unmatched(outcomes: dict[str, str], other: dict[str, str]) -> Counter:
        return Counter((test.split("[")[0], outcome) for test, outcome in outcomes.items() if test not in other)
    assert unmatched(before, after) == unmatched(after, before), after_output


@pytest.mark.parametrize("conversion, mode", conversions("names"), indirect=["conversion"])
def test_the_module_has_the_same_names_after_conversion(conversion: Conversion, mode: str):
    """The extension's names: as they were but pyo3-guard's own, and with --publish-all the
    items nothing added before; a default conversion lists those as not published."""
    converted = conversion.converted(mode)
    before, after = set(conversion.before[1]), set(converted.names) - GUARD_NAMES
    print(f"{conversion.real.name} ({mode}): public after conversion only: {sorted(after - before)}\n{converted.report}")
    assert GUARD_NAMES <= set(converted.names)
    if mode == DEFAULT:
        assert after == before
        assert converted.not_published() == sorted(conversion.real.registered), converted.report
    else:
        assert before <= after and after - before <= set(conversion.real.registered)
        assert converted.not_published() == [], converted.report


@pytest.mark.parametrize("conversion, mode", conversions("verify"), indirect=["conversion"])
def test_verify_holds_on_the_converted_build(conversion: Conversion, mode: str):
    converted = conversion.converted(mode)
    assert converted.verify.returncode == 0, converted.verify.stderr
    assert converted.check["verdict"] == "fresh" and converted.check["missing"] == [], converted.check


@pytest.mark.parametrize("conversion", projects("stale"), indirect=True)
def test_a_content_edit_of_a_rust_source_is_named_stale(conversion: Conversion):
    check = conversion.stale
    edited = Path(conversion.real.edit[0])
    assert check["verdict"] == "stale", check
    # Paths are relative to the crate's folder; an edit in a path dependency is named from there.
    named = {(conversion.crate / path).resolve() for path in check["changed"]}
    assert named == {(conversion.project.root / edited).resolve()}, check["changed"]


@pytest.mark.parametrize("conversion", [p for p in projects("forget") if p.values[0].forget], indirect=True)
def test_a_forgotten_addition_is_named(conversion: Conversion):
    names, check = conversion.forgotten
    name = conversion.real.forget[2]
    assert name not in names
    assert check["verdict"] == "fresh" and [item["name"] for item in check["missing"]] == [name], check
    if conversion.real.name == "jiter":
        # Its class is PyO3's own, in a path dependency enabled with its `python` feature.
        reason = check["missing"][0]["reason"]
        assert reason.startswith("declared with PyO3's own #[pyclass] in path dependency `jiter`, and nothing adds it"), reason


def registered_in(conversion: Conversion, mode: str) -> tuple[str, ...]:
    """The names the differential check allows to be new: none in a default conversion."""
    return conversion.real.registered if mode == PUBLISH_ALL else ()


@pytest.mark.parametrize("conversion, mode", conversions("differential"), indirect=["conversion"])
def test_the_converted_module_differs_only_as_documented(conversion: Conversion, mode: str):
    """Issue 23's differential check: every public name reachable from the top package and the
    extension (submodules, kinds, each class's `__module__`, `__qualname__`, `repr()` and
    members, each function's `__module__`, the names in `__all__`) is as it was, but for the
    README's additions and corrections; and pytest collects the same tests (doctests included)."""
    converted = conversion.converted(mode)
    real, before = conversion.real, conversion.before[2]
    registered = registered_in(conversion, mode)
    diff = unexpected(real.module, registered, before, converted.surface, order=False)
    assert diff == [], "".join(diff)
    # What is new is exactly what registration adds: nothing in a default conversion.
    new = {path.rsplit(".", 1)[-1] for path in converted.surface.keys() - before.keys()}
    assert new == set(registered)
    (before_suite, _), (after_suite, _) = conversion.before[0], converted.suite
    # Ids that name an object's address differ between runs (pydantic-core): by test function.
    ids = lambda outcomes: Counter(test.split("[")[0] for test in outcomes)
    assert ids(before_suite) == ids(after_suite)


@pytest.mark.parametrize("conversion, mode", conversions("all-order"), indirect=["conversion"])
def test_all_keeps_its_order(conversion: Conversion, mode: str):
    """`__all__` in the order it had (which the differential check above leaves out): the top
    module's add lines stay, and registration adds only what they do not add; with --publish-all
    the items nothing added before come after the body's (before a declarative init's)."""
    converted = conversion.converted(mode)
    real = conversion.real
    diff = unexpected(real.module, registered_in(conversion, mode), conversion.before[2], converted.surface,
                      order=True)
    assert diff == [], "".join(diff)
