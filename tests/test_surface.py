"""surface.unexpected()'s `__all__` rule, on made-up surfaces (no build): the order of the names
present before must hold; the items a project newly registers may stand anywhere (registration
adds them after a function module's body, before a declarative module's init), and nothing else
may change."""

from __future__ import annotations

from surface import unexpected


def surface(all_: str) -> dict:
    return {"pkg._native": {"__all__": all_}}


def test_newly_registered_items_after_or_before_the_bodys_order():
    before = surface("Counter double VERSION")
    # --publish-all: the body adds its items in its order, then Iter and hidden register (sorted).
    assert unexpected("pkg._native", ("Iter", "hidden"), before, surface("Counter double VERSION Iter hidden"),
                      order=True) == []
    # A declarative module: the new items register before its init adds the rest.
    assert unexpected("pkg._native", ("Iter", "hidden"), before, surface("Iter hidden Counter double VERSION"),
                      order=True) == []


def test_another_order_or_a_name_twice_is_a_difference():
    before = surface("Counter double VERSION")
    # Registration's order (the add lines deleted): Counter and double sorted first.
    moved = unexpected("pkg._native", (), before, surface("VERSION Counter double"), order=True)
    assert "-pkg._native __all__: Counter double VERSION\n" in moved
    assert "+pkg._native __all__: VERSION Counter double\n" in moved
    # Added by a line the build script does not read, and registered too.
    twice = unexpected("pkg._native", (), before, surface("Counter Counter double VERSION"), order=True)
    assert "+pkg._native __all__: Counter Counter double VERSION\n" in twice
    # Without the order, names only: the same set is no difference.
    assert unexpected("pkg._native", (), before, surface("VERSION Counter double"), order=False) == []
