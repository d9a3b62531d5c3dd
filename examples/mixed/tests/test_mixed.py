"""The package around the native module; typed, so `mypy --strict tests` checks it against the stubs."""

import mixed_demo
from mixed_demo._native import ops


def test_python_around_rust() -> None:
    assert mixed_demo.add_three(1, 2, 3) == 6


def test_the_package_carries_the_guard() -> None:
    assert mixed_demo.__build_id__ == mixed_demo._native.__build_id__
    mixed_demo.__guard__.verify()


def test_a_registered_submodule() -> None:
    assert ops.scale(2.0, 1.5) == 3.0
    assert ops.scale.__module__ == "mixed_demo._native.ops"
