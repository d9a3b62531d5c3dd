import sys

import declarative


def test_inline_items_and_the_init():
    assert declarative.sum_as_string(2, 3) == "5"
    assert declarative.Greeter("ada").greet() == "hello, ada"
    assert declarative.VERSION == "1.0"
    assert declarative.GREETING == "hello"
    assert not hasattr(declarative, "Hidden")
    from declarative.extras import tucked

    assert tucked() == 7 and not hasattr(declarative, "tucked")


def test_items_elsewhere_register_themselves():
    assert declarative.Square(2.0).area() == 4.0
    assert declarative.Circle.__name__ == "Circle"
    assert declarative.describe(1) == "<1>"


def test_nested_modules_are_importable():
    import declarative.geo
    import declarative.geo.units
    from declarative.geo import Point, origin_distance
    from declarative.geo.units import km_to_m

    assert Point(1.0).x == 1.0
    assert origin_distance(3.0, 4.0) == 5.0
    assert km_to_m(2.0) == 2000.0
    assert sys.modules["declarative.geo.units"] is declarative.geo.units
    # Items of a submodule are there only.
    assert not hasattr(declarative, "Point")
    assert not hasattr(declarative, "origin_distance")


def test_the_build_is_verified():
    assert declarative.__guard__.verify() is None
    assert declarative.__guard__.check()["verdict"] == "fresh"
