"""What a module shows Python, one line per fact, for the differential check of issue 23
(tests/test_real_projects.py, tests/test_conformance.py): run in a project's interpreter as
`python surface.py MODULE...`, it prints a JSON object {path: {fact: value}} for each module
named and every public name reachable from it:

- each submodule (recursively: a module whose name starts with the top package's, or one made
  at run time, without `__file__`), its `__name__` and the order of its `__all__`;
- the kind of every public name (no leading underscore); for a function its `__module__` and
  `__qualname__`; for a class its `__module__`, `__qualname__`, `repr()` and its members
  (`dir()`).

pyo3-guard's own names (`__build_id__`, `__build_info__`, `__guard__`) start with an underscore
and are not listed. `unexpected()` compares two surfaces, for the tests."""

from __future__ import annotations

import difflib
import importlib
import inspect
import json
import sys
import types


def ours(module: types.ModuleType, top: str) -> bool:
    """A submodule of the package, or one made at run time (no `__file__`; not a built-in one
    such as `sys`)."""
    name = getattr(module, "__name__", "")
    made = not hasattr(module, "__file__") and name.split(".")[0] not in sys.stdlib_module_names
    return name == top or name.startswith(top + ".") or made


def describe(value: object) -> dict[str, object]:
    if inspect.isclass(value):
        return {"kind": "class", "__module__": getattr(value, "__module__", None),
                "__qualname__": getattr(value, "__qualname__", None), "repr": repr(value),
                "members": " ".join(sorted(dir(value)))}
    if callable(value):
        return {"kind": type(value).__name__, "__module__": getattr(value, "__module__", None),
                "__qualname__": getattr(value, "__qualname__", None)}
    return {"kind": type(value).__name__}


def walk(module: types.ModuleType, path: str, top: str, out: dict, seen: set[int]) -> None:
    seen.add(id(module))
    all_ = getattr(module, "__all__", None)
    out[path] = {"kind": "module", "__name__": module.__name__,
                 "__all__": " ".join(map(str, all_)) if isinstance(all_, (list, tuple)) else None}
    for name in sorted(vars(module)):
        if name.startswith("_"):
            continue
        value = vars(module)[name]
        if isinstance(value, types.ModuleType):
            if ours(value, top) and id(value) not in seen:
                walk(value, f"{path}.{name}", top, out, seen)
            else:
                out[f"{path}.{name}"] = {"kind": "module", "__name__": value.__name__}
            continue
        out[f"{path}.{name}"] = describe(value)


def unexpected(items: str, registered, before: dict, after: dict, order: bool) -> list[str]:
    """The differences between the unconverted and the converted module's surfaces that the
    README does not document, as a unified diff (empty: none). Documented: pyo3-guard's own names
    (not in a surface: they start with an underscore); the classes and functions registration
    adds (`registered`, names); and the names registered items give themselves where PyO3 gave
    `builtins` or no module at all (`None`: a function added with
    `add_wrapped(wrap_pyfunction!(f))`): `items`, the module they are in (the extension's full
    name, or in maturin's pure-Rust layout, where `items` has no dot, the package), and in that
    layout the package where PyO3 gave the extension's `pkg.pkg`. `order`: compare `__all__`'s
    order too, else its names only (a name added by hand that registration adds too is listed
    twice, as the docs say)."""
    pure = "." not in items
    wrong_names = ["builtins"] + ([f"{items}.{items}"] if pure else [])
    new = set(registered)

    def documented(fact: str, old, now) -> bool:
        if fact == "__module__":
            return (old in wrong_names or old is None) and now == items
        if fact == "repr" and isinstance(old, str):
            return any(now == old.replace(f"'{wrong}.", f"'{items}.", 1) for wrong in wrong_names)
        return False

    lines: tuple[list[str], list[str]] = ([], [])
    for path in sorted(before.keys() | after.keys()):
        # A registered item, or a submodule registration makes and what is in it.
        if path not in before and any(part in new for part in path.split(".")):
            continue
        old_facts, now_facts = before.get(path, {}), after.get(path, {})
        for fact in sorted(old_facts.keys() | now_facts.keys()):
            old, now = old_facts.get(fact), now_facts.get(fact)
            if fact == "__all__" and old is not None and now is not None:
                kept = [n for n in now.split() if n not in new or n in old.split()]
                if not order:
                    old, kept = sorted(set(old.split())), sorted(set(kept))
                    old = " ".join(old)
                now = " ".join(kept)
            if old != now and not (path in before and documented(fact, old, now)):
                lines[0].append(f"{path} {fact}: {old}\n")
                lines[1].append(f"{path} {fact}: {now}\n")
    return list(difflib.unified_diff(*lines, "unconverted", "converted"))


def main(names: list[str]) -> None:
    out: dict[str, dict] = {}
    for name in names:
        walk(importlib.import_module(name), name, name.split(".")[0], out, set())
    json.dump(out, sys.stdout, indent=0, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
