"""The path dependency's classes are in the module because the module names its crate."""

import app


def test_dependency_items_are_registered():
    assert app.Point(1.0, 2.0).y == 2.0
    assert app.units.feet(10).value == 3.048
    assert app.units.Metres.__module__ == "app.units"
    assert app.describe().startswith("classes from core_types")
    assert sorted(app.__all__) == ["Point", "describe", "units"]
