"""Declarative modules (`#[guarded_pymodule] mod name { ... }`) end to end: the projects
`maturin new` and `uv init` generate, converted by `pyo3-guard convert` and grown as users grow
them, then built with the real maturin and uv and imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Project, convert, copy_example, tool, wheel_venv
from test_registration import pin_pyo3, run_example_tests

# What a project grows into: a prelude class in another file, a plain PyO3 class the module
# exports by name, a nested submodule, and an init function.
SHAPES_RS = """use pyo3_guard::prelude::*;

/// Defined in another file and never named in the module: registers itself.
#[pyclass]
pub struct Square {
    #[pyo3(get)]
    side: f64,
}

#[pymethods]
impl Square {
    #[new]
    fn new(side: f64) -> Self {
        Square { side }
    }
}

/// A plain PyO3 class: only what the module exports reaches Python.
#[pyo3::pyclass]
pub struct Exported;
"""

GROWN_MODULE = """
    #[pymodule_export]
    use crate::shapes::Exported;

    #[pymodule]
    mod geometry {
        use pyo3_guard::prelude::*;

        #[pyfunction]
        fn double(x: f64) -> f64 {
            2.0 * x
        }
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("ANSWER", 42)
    }
"""

CHECK_GROWN = (
    "import my_project, my_project.geometry\n"
    "from my_project.geometry import double\n"
    "assert my_project.sum_as_string(1, 2) == '3'\n"
    "assert my_project.Square(2.0).side == 2.0 and my_project.Exported and my_project.ANSWER == 42\n"
    "assert double(2.0) == 4.0 and not hasattr(my_project, 'double')\n"
    "my_project.__guard__.verify()\n"
    "print(my_project.__build_id__, my_project.__build_info__['profile'])\n"
)


def maturin_new(tmp_path: Path, name: str) -> Project:
    tmp_path.mkdir(parents=True, exist_ok=True)
    Project(tmp_path).run(tool("maturin"), "new", "--bindings", "pyo3", name)
    return Project(tmp_path / name)


def grow(project: Project) -> None:
    lib = project.root / "src" / "lib.rs"
    text = lib.read_text()
    assert text.rstrip().endswith("}\n}") or text.rstrip().endswith("}"), text
    # Insert before the module's closing brace, and the file's `mod shapes;` at the top.
    body, _, _ = text.rstrip().rpartition("}")
    lib.write_text("mod shapes;\n" + body + GROWN_MODULE + "}\n")
    (project.root / "src" / "shapes.rs").write_text(SHAPES_RS)


def test_a_maturin_new_project_converted_by_the_command(tmp_path: Path, cli: Path):
    project = maturin_new(tmp_path, "my_project")
    generated = (project.root / "src" / "lib.rs").read_text()
    assert "#[pymodule]\nmod my_project {" in generated, generated  # the template is declarative
    convert(project, cli)
    grow(project)

    project.uv_venv()
    # uv builds a release wheel through maturin's PEP 517 hook, caches it and installs it.
    first = project.uv_run("python", "-c", CHECK_GROWN).stdout.split()
    assert first[1] == "release"

    # A content edit, then a fresh `maturin develop`: verified, with a new id.
    project.edit("src/shapes.rs", "Square { side }", "Square { side: side.abs() }")
    project.maturin_develop()
    dev = project.py(CHECK_GROWN).stdout.split()
    assert dev[1] == "dev" and dev[0] != first[0]
    project.run(tool("uv"), "pip", "install", "--quiet", "--python", project.python, "pytest")
    # The hook the command wrote into conftest.py (the project folder's: `maturin new` has no tests/).
    (project.root / "tests").mkdir()
    (project.root / "tests" / "test_it.py").write_text("def test_it():\n    import my_project.geometry\n")
    assert "1 passed" in project.run(project.python, "-m", "pytest", "-q", "tests").stdout

    # `uv run` builds again first: the cache keys the command added name the edited file.
    rebuilt = project.uv_run("python", "-c", CHECK_GROWN).stdout.split()
    assert rebuilt[1] == "release" and rebuilt[0] not in (first[0], dev[0])
    # Edited again, not rebuilt: the hook stops the session, naming the file and uv's fix.
    project.edit("src/shapes.rs", "side.abs()", "side.abs() + 0.0")
    stale = project.run(project.python, "-m", "pytest", "-q", "tests", check=False)
    output = stale.stdout + stale.stderr
    assert stale.returncode != 0 and "my_project is stale" in output, output
    assert "changed: src/shapes.rs" in output and "--reinstall-package my_project" in output, output
    # The command line sees the same from outside, without importing the module.
    doctor = project.run(cli, "doctor", "--json", check=False)
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert '"outcome": "stale"' in doctor.stdout and "src/shapes.rs" in doctor.stdout


def test_a_forgotten_export_of_a_declarative_module_is_named(tmp_path: Path, cli: Path):
    project = maturin_new(tmp_path, "my_project")
    convert(project, cli)
    grow(project)
    # The plain PyO3 class is no longer exported: nothing adds it.
    project.edit("src/lib.rs", "    #[pymodule_export]\n    use crate::shapes::Exported;\n", "")
    project.edit("src/lib.rs", "mod shapes;\n", "mod shapes;\n#[allow(unused_imports)]\nuse shapes::Exported;\n")
    project.uv_venv()
    project.maturin_develop()
    result = project.py("import my_project; my_project.__guard__.verify()", check=False)
    assert result.returncode != 0
    message = result.stderr
    assert "MissingExportError: my_project is missing 1 item its sources declare for Python" in message
    assert "class Exported (src/shapes.rs:" in message
    missing = project.py("import my_project; print([m['name'] for m in my_project.__guard__.check()['missing']])")
    assert missing.stdout.strip() == "['Exported']"


# cramjam's layout (found converting cramjam 2.14.0): each codec is a `#[pymodule] pub mod` in a
# file of its own, outside the top module, which exports it; the codecs have items of the same
# names, and a `Decompressor` each that one `macro_rules!` makes in a plain inner module.
CODEC_RS = """use pyo3::prelude::*;

#[pymodule]
pub mod NAME {
    use pyo3::prelude::*;

    #[pyfunction]
    fn compress(data: &[u8]) -> Vec<u8> {
        data.to_vec()
    }
EXTRA
    #[pyclass]
    pub struct Compressor {
        total: usize,
    }

    #[pymethods]
    impl Compressor {
        #[new]
        fn new() -> Self {
            Compressor { total: 0 }
        }

        fn METHOD(&mut self) -> usize {
            self.total
        }
    }

    mod _decompressor {
        use super::*;
        crate::make_decompressor!();
    }

    #[pymodule_export]
    use _decompressor::Decompressor;
}
"""

MAKE_DECOMPRESSOR = """/// One class every codec makes the same way.
#[macro_export]
macro_rules! make_decompressor {
    () => {
        #[pyclass]
        pub struct Decompressor;

        #[pymethods]
        impl Decompressor {
            #[new]
            fn new() -> Self {
                Decompressor
            }
        }
    };
}

"""

CODEC_EXPORTS = """
    #[pymodule_export]
    use crate::alpha::alpha;

    #[pymodule_export]
    use crate::beta::beta;
"""

NAMES = """import json, my_project as m
modules = {"": m, **{n: getattr(m, n) for n in ("alpha", "beta") if hasattr(m, n)}}
print(json.dumps({k: sorted(n for n in dir(v) if not n.startswith("__")) for k, v in modules.items()}))
"""


def test_codec_modules_outside_the_module_keep_their_items_and_a_forgotten_one_is_named(tmp_path: Path, cli: Path):
    project = maturin_new(tmp_path, "my_project")
    lib = project.root / "src" / "lib.rs"
    body, _, _ = lib.read_text().rstrip().rpartition("}")
    lib.write_text("mod alpha;\nmod beta;\n\n" + MAKE_DECOMPRESSOR + body + CODEC_EXPORTS + "}\n")
    for name, method, extra in (("alpha", "flush", ""), ("beta", "finish", "\n    #[pyfunction]\n    fn only_in_beta() {}\n")):
        code = CODEC_RS.replace("NAME", name).replace("METHOD", method).replace("EXTRA", extra)
        (project.root / "src" / f"{name}.rs").write_text(code)
    project.uv_venv()
    project.maturin_develop()
    before = json.loads(project.py(NAMES).stdout)
    assert before["alpha"] == ["Compressor", "Decompressor", "compress"] and "only_in_beta" in before["beta"]

    # Converted: every file's prelude swapped, the top module guarded.
    convert(project, cli)
    project.maturin_develop()
    after = json.loads(project.py(NAMES).stdout)
    assert after == before
    # Each codec's class has its own methods: no false alarm from the other codec's class.
    project.py("import my_project as m; m.alpha.Compressor().flush(); m.beta.Compressor().finish(); m.__guard__.verify()")
    # And each codec is importable by its path, as nested modules are.
    project.py("import my_project.alpha\nfrom my_project.beta import Compressor")

    # A codec nobody exports: its items are named, with the line that adds it.
    export = "    #[pymodule_export]\n    use crate::beta::beta;\n"
    project.edit("src/lib.rs", export, "")
    project.maturin_develop()
    check = json.loads(project.py("import json, my_project; print(json.dumps(my_project.__guard__.check()))").stdout)
    assert sorted(m["name"] for m in check["missing"]) == ["Compressor", "compress", "only_in_beta"], check["missing"]
    fix = "`#[pymodule_export] use crate::beta::beta;` in the declarative module"
    assert all(fix in m["reason"] for m in check["missing"]), check["missing"]
    # The fix, pasted as the message gives it, makes the module whole again.
    project.edit("src/lib.rs", CODEC_EXPORTS.replace(export, ""), CODEC_EXPORTS.replace(export, "") + "\n    #[pymodule_export] use crate::beta::beta;\n")
    project.maturin_develop()
    project.py("import my_project as m; m.beta.only_in_beta(); m.__guard__.verify()")
    # A distribution build (PYO3_GUARD_DIST=1) of a declarative module places the same items.
    project.run(tool("maturin"), "develop", "--quiet", env=project.env(VIRTUAL_ENV=str(project.venv), PYO3_GUARD_DIST="1"))
    assert json.loads(project.py(NAMES).stdout) == before
    assert project.py("import my_project as m; print(m.__guard__.check()['verdict'])").stdout.strip() == "unverifiable"


def test_codec_modules_a_module_function_adds_by_hand(tmp_path: Path, cli: Path):
    """The same codecs added by a module function (`m.add_wrapped(wrap_pymodule!(...))`), whose
    body runs before registration: what PyO3 placed in the codecs, their own items and the two
    `Decompressor`s they export from elsewhere, stays there only (it used to register at the top
    too and fail the import on the two `Decompressor`s)."""
    project = maturin_new(tmp_path, "my_project")
    for name, method in (("alpha", "flush"), ("beta", "finish")):
        code = CODEC_RS.replace("NAME", name).replace("METHOD", method).replace("EXTRA", "")
        (project.root / "src" / f"{name}.rs").write_text(code)
    (project.root / "src" / "lib.rs").write_text(
        "use pyo3::prelude::*;\n\nmod alpha;\nmod beta;\n\n" + MAKE_DECOMPRESSOR + "#[pymodule]\n"
        "fn my_project(m: &Bound<'_, PyModule>) -> PyResult<()> {\n"
        "    m.add_wrapped(pyo3::wrap_pymodule!(crate::alpha::alpha))?;\n"
        "    m.add_wrapped(pyo3::wrap_pymodule!(crate::beta::beta))?;\n"
        "    Ok(())\n}\n")
    project.uv_venv()
    project.maturin_develop()
    before = json.loads(project.py(NAMES).stdout)
    convert(project, cli)
    project.maturin_develop()
    names = json.loads(project.py(NAMES).stdout)
    assert names == before
    assert names["alpha"] == names["beta"] == ["Compressor", "Decompressor", "compress"]
    assert "Decompressor" not in names[""] and "compress" not in names[""]
    project.py("import my_project as m; m.beta.Compressor().finish(); m.__guard__.verify()")


def test_what_conversion_would_publish_is_listed_and_stays_unpublished(tmp_path: Path, cli: Path):
    project = maturin_new(tmp_path, "my_project")
    lib = project.root / "src" / "lib.rs"
    # A class nobody adds, outside the module: invisible to Python today.
    lib.write_text(lib.read_text() + "\n#[pyclass]\npub struct NeverAdded;\n")
    line = lib.read_text().splitlines().index("pub struct NeverAdded;") + 1
    # --dry-run shows the mark that keeps it unpublished, and writes nothing.
    diff = convert(project, cli, "--dry-run")
    assert "+#[guard(skip)]\n pub struct NeverAdded;\n" in diff, diff
    assert "guarded_pymodule" not in lib.read_text()
    report = convert(project, cli)
    assert f"  src/lib.rs:{line}: class NeverAdded\n" in report, report
    project.uv_venv()
    project.maturin_develop()
    state = "import my_project as m; print(m.__guard__.check()['missing'], hasattr(m, 'NeverAdded'))"
    assert project.py(state).stdout.strip() == "[] False"
    # Deleting the mark, as the report says, publishes it.
    project.edit("src/lib.rs", "#[guard(skip)]\npub struct NeverAdded;", "pub struct NeverAdded;")
    project.maturin_develop()
    assert project.py(state).stdout.strip() == "[] True"


# pydantic-core's shape: a nested declarative module exports a function of another file.
NESTED_EXPORT = """
    #[pymodule]
    mod _gather {
        #[pymodule_export]
        use crate::gather::gather;
    }
"""

TOP_AND_NESTED = ("import json, my_project as m\n"
                  "print(json.dumps([sorted(dir(m)), sorted(dir(m._gather))]))")


# pydantic-core's shape: its `mod _schema_gather` exports `gather_schemas_for_cleaning`.
def test_a_function_a_nested_module_exports_stays_out_of_the_top(tmp_path: Path, cli: Path):
    project = maturin_new(tmp_path, "my_project")
    lib = project.root / "src" / "lib.rs"
    body, _, _ = lib.read_text().rstrip().rpartition("}")
    lib.write_text("mod gather;\n" + body + NESTED_EXPORT + "}\n")
    (project.root / "src" / "gather.rs").write_text("use pyo3::prelude::*;\n\n#[pyfunction]\npub fn gather() -> u8 {\n    1\n}\n")
    project.uv_venv()
    project.maturin_develop()
    before = json.loads(project.py(TOP_AND_NESTED).stdout)
    assert "gather" in before[1] and "gather" not in before[0], before
    report = convert(project, cli)
    assert "Not published" not in report, report  # PyO3 adds it: nothing to mark
    project.maturin_develop()
    after = json.loads(project.py(TOP_AND_NESTED).stdout)
    assert [sorted(set(names) - {"__build_id__", "__build_info__", "__guard__"}) for names in after] == before


def test_a_uv_init_project_converted_by_the_command(tmp_path: Path, cli: Path):
    Project(tmp_path).run(tool("uv"), "init", "--quiet", "--build-backend", "maturin", "--no-workspace", "uvproj")
    project = Project(tmp_path / "uvproj")
    assert "mod _core {" in (project.root / "src" / "lib.rs").read_text()
    convert(project, cli)
    # A nested submodule in the mixed layout (`module-name = "uvproj._core"`).
    project.edit("src/lib.rs", "    #[pyfunction]", "    #[pymodule]\n    mod extra {\n"
                 "        use pyo3_guard::prelude::*;\n        #[pyfunction]\n        fn one() -> u8 {\n            1\n        }\n"
                 "    }\n\n    #[pyfunction]")
    project.uv_venv()
    project.maturin_develop()
    code = (
        "import uvproj, uvproj._core.extra\n"
        "from uvproj._core.extra import one\n"
        "from uvproj._core import hello_from_bin, __guard__\n"
        "assert one() == 1 and hello_from_bin().startswith('Hello')\n"
        "__guard__.verify()\n"
        "print(__guard__.check()['verdict'])\n"
    )
    assert project.py(code).stdout.strip() == "fresh"


@pytest.mark.parametrize("pyo3", ["0.27.0", "0.30.1"])
def test_the_declarative_example(tmp_path: Path, pyo3: str):
    project = copy_example("declarative", tmp_path / "declarative")
    pin_pyo3(project, pyo3)
    project.uv_venv()
    project.maturin_develop()
    assert "4 passed" in run_example_tests(project)
    assert project.py("import declarative; print(declarative.__build_info__['pyo3'])").stdout.strip() == pyo3
    if pyo3 != "0.30.1":
        return
    # From an installed wheel, in another directory: nested modules import at every depth.
    python = wheel_venv(project, tmp_path)
    code = (
        "import declarative.geo.units as units, sys\n"
        "from declarative.geo import Point\n"
        "print(units.__name__, Point.__module__, sys.modules['declarative.geo'].__name__)\n"
        "import declarative; declarative.__guard__.verify()\n"
    )
    out = project.run(python, "-c", code, cwd=tmp_path).stdout.split()
    assert out == ["declarative.geo.units", "declarative.geo", "declarative.geo"]
