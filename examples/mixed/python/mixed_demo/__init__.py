"""A mixed Rust/Python package: Python code around a guarded native module."""

from ._native import add
# pyo3-guard: in the mixed layout, re-export the guard's names from the native module.
from ._native import __build_id__, __build_info__, __guard__

# Names the package exports (`mypy --strict` takes imported names as private otherwise).
__all__ = ["add", "add_three", "__build_id__", "__build_info__", "__guard__"]


def add_three(a: int, b: int, c: int) -> int:
    return add(add(a, b), c)
