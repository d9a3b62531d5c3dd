"""The demo's behaviour; typed, so `mypy --strict tests` checks it against demo.pyi."""

import demo


def test_counter_counts() -> None:
    counter = demo.Counter(2)
    assert counter.increment() == 3
    assert counter.increment(by=4) == 7
    assert counter.value == 7


def test_greet() -> None:
    assert demo.greet("guard") == "hello, guard"


def test_build_is_identified() -> None:
    assert len(demo.__build_id__) == 16
    assert demo.__build_info__["build_id"] == demo.__build_id__
    assert demo.__guard__.check()["verdict"] == "fresh"


def test_items_register_themselves() -> None:
    assert demo.Counter.__module__ == "demo"
    assert demo.greet.__module__ == "demo"
    assert {"Counter", "greet"} <= set(demo.__all__)
