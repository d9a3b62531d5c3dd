"""The README's conversion steps, applied by script to a PyO3 crate nobody here wrote: what a
user does by hand, and nothing more. pyo3-guard is taken from this checkout by path, as the
README says to depend on it before a release."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def convert(crate: Path, prelude: bool = True) -> None:
    """Quick start steps 1-3: the two dependencies, one call in build.rs, pyo3-guard's prelude
    and `#[guarded_pymodule]` on the top module (`#[pyo3::pymodule]` becomes
    `#[pyo3_guard::guarded_pymodule]`), and a function module's `add_class` / `add_function`
    lines deleted. `prelude=False` is the README's preview: PyO3's prelude and the `add` lines
    stay and the attribute is written `#[pyo3_guard::guarded_pymodule]`, so nothing registers
    yet and `check()["missing"]` lists what registration would add."""
    add_dependencies(crate / "Cargo.toml")
    add_build_call(crate / "build.rs")
    attribute = "guarded_pymodule" if prelude else "pyo3_guard::guarded_pymodule"
    for source in sorted((crate / "src").rglob("*.rs")):
        text = source.read_text()
        converted = swap_prelude(text) if prelude else text
        if source == lib_root(crate):
            # The top module is the one at the start of a line; nested ones are indented.
            converted = re.sub(r"(?m)^#\[pymodule\b", f"#[{attribute}", converted, count=1)
            converted = re.sub(r"(?m)^#\[pyo3::pymodule\b", "#[pyo3_guard::guarded_pymodule", converted, count=1)
            if prelude:
                converted = delete_additions(converted)
        if converted != text:
            source.write_text(converted)


def swap_prelude(text: str) -> str:
    """Step 1, also where the prelude is one name of a group: `use pyo3::{prelude::*, PyTypeInfo};`
    becomes `use pyo3::{PyTypeInfo};` and `use pyo3_guard::prelude::*;`."""
    text = text.replace("use pyo3::prelude::*;", "use pyo3_guard::prelude::*;")

    def ungroup(group: re.Match) -> str:
        indent, names = group.group(1), [n.strip() for n in top_level(group.group(2))]
        rest = ", ".join(n for n in names if n and n != "prelude::*")
        return f"{indent}use pyo3::{{{rest}}};\n{indent}use pyo3_guard::prelude::*;"

    # A group may hold groups of its own: `use pyo3::{prelude::*, types::{PyDate, PyDelta}};`.
    text = re.sub(rf"(?m)^([ \t]*)use pyo3::\{{({GROUP}*?\bprelude::\*{GROUP}*)\}};", ungroup, text)
    return swap_named_macros(text)


# One element of a use group's text: a character other than a brace, or a nested `{...}`.
GROUP = r"(?:[^{}]|\{[^{}]*\})"


def top_level(names: str) -> list[str]:
    """A use group's names, split at its own commas (not those of a nested group)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(names):
        depth += (c == "{") - (c == "}")
        if c == "," and depth == 0:
            parts.append(names[start:i])
            start = i + 1
    return parts + [names[start:]]


MACROS = ("pyclass", "pyfunction", "pymethods")


def swap_named_macros(text: str) -> str:
    """Step 1 for PyO3's macros imported by name (`use pyo3::{pyclass, Bound};`): a name import
    wins over the prelude's glob, so they come from pyo3-guard's prelude instead."""
    def split(match: re.Match) -> str:
        indent, names = match.group(1), [n.strip() for n in match.group(2).split(",") if n.strip()]
        macros = [n for n in names if n in MACROS]
        if not macros:
            return match.group(0)
        rest = [n for n in names if n not in MACROS]
        kept = f"{indent}use pyo3::{{{', '.join(rest)}}};\n" if rest else ""
        return f"{kept}{indent}use pyo3_guard::prelude::{{{', '.join(macros)}}};"

    text = re.sub(r"(?m)^([ \t]*)use pyo3::\{([^{}]*)\};", split, text)
    return re.sub(r"(?m)^([ \t]*)use pyo3::(pyclass|pyfunction|pymethods);", r"\1use pyo3_guard::prelude::\2;", text)


# `m.add_class::<Doc>()?;` and `m.add_function(wrap_pyfunction!(get_state, m)?)?;`, one a line.
ADDITION = re.compile(
    r"(?m)^[ \t]*\w+\.(?:add_class::<[\w:]+>\(\)|add_function\(wrap_pyfunction!\([\w:]+, \w+\)\?\)"
    r"|add_wrapped\(wrap_pyfunction!\([\w:]+\)\))\?;\n"
)


def delete_additions(text: str) -> str:
    """Step 3 for a function module: its `add_class` / `add_function` lines go (and the older
    `add_wrapped(wrap_pyfunction!(f))`), in the top module's function only: what a submodule's
    `#[pymodule] fn` or a `PyModule::new` module elsewhere adds by hand stays. (A declarative
    module's `#[pymodule_init]` keeps what it adds: the README asks nothing there.)"""
    function_module = re.search(r"(?m)^#\[(?:pyo3_guard::)?guarded_pymodule\b[^\n]*\n(?:#\[[^\n]*\n)*(?:pub )?fn ", text)
    if not function_module:
        return text
    # The function ends at the first closing brace at the start of a line (rustfmt's layout);
    # only lines that add to its module parameter go (not those of a `PyModule::new` module).
    end = re.compile(r"(?m)^\}").search(text, function_module.end())
    stop = end.end() if end else len(text)
    signature = text[function_module.end():text.find("{", function_module.end())]
    module = re.findall(r"(\w+)\s*:\s*&\s*Bound<[^>]*PyModule>", signature)[-1:]

    def own(line: re.Match) -> str:
        return "" if line.group(0).strip().split(".")[0] in module else line.group(0)
    return text[:function_module.start()] + ADDITION.sub(own, text[function_module.start():stop]) + text[stop:]


def lib_root(crate: Path) -> Path:
    match = re.search(r'(?ms)^\[lib\][^\[]*?^path\s*=\s*"([^"]+)"', (crate / "Cargo.toml").read_text())
    return crate / (match.group(1) if match else "src/lib.rs")


def add_dependencies(manifest: Path) -> None:
    text = manifest.read_text()
    guard = f'pyo3-guard = {{ path = "{(REPO / "pyo3-guard").as_posix()}" }}\n'
    build = f'pyo3-guard-build = {{ path = "{(REPO / "pyo3-guard-build").as_posix()}" }}\n'
    text = insert_after_header(text, "dependencies", guard)
    text = insert_after_header(text, "build-dependencies", build)
    manifest.write_text(text)


def insert_after_header(text: str, table: str, line: str) -> str:
    header = re.search(rf"(?m)^\[{re.escape(table)}\][ \t]*\n", text)
    if header is None:
        return text.rstrip("\n") + f"\n\n[{table}]\n{line}"
    return text[: header.end()] + line + text[header.end():]


def add_build_call(build_rs: Path) -> None:
    if not build_rs.exists():
        build_rs.write_text("fn main() {\n    pyo3_guard_build::emit();\n}\n")
        return
    text = build_rs.read_text()
    main = re.search(r"fn main\(\)\s*\{", text)
    assert main, f"{build_rs} has no fn main"
    build_rs.write_text(text[: main.end()] + "\n    pyo3_guard_build::emit();" + text[main.end():])


CONFTEST = """import {module}


def pytest_sessionstart(session):
    {module}.__guard__.pytest_sessionstart(session)
"""


def add_conftest(project: Path, module: str) -> None:
    """Quick start step 4: the pytest hook in tests/conftest.py."""
    conftest = project / "tests" / "conftest.py"
    conftest.parent.mkdir(exist_ok=True)
    old = conftest.read_text() if conftest.exists() else ""
    # First, but after the `from __future__` imports (which must start the file).
    future = list(re.finditer(r"(?m)^from __future__ import[^\n]*\n", old))
    at = future[-1].end() if future else 0
    hook = CONFTEST.format(module=module)
    conftest.write_text(old[:at] + ("\n" if at else "") + hook + ("\n" + old[at:] if old[at:] else ""))
