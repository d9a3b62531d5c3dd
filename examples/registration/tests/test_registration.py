"""Every item reaches Python without one add_class: run with pytest in a venv where the
extension is installed (`maturin develop`)."""

import importlib
import pickle
import sys

import registration


def test_classes_and_functions_from_every_file_and_module_are_there():
    assert registration.Point(3.0, 4.0).norm() == 5.0
    assert registration.Origin() is not None
    assert registration.Polygon([registration.Point(0, 0)]).corners == 1
    assert registration.shout("hi") == "HI!"
    assert registration.answer() == 42
    assert registration.VERSION == "0.1.0"


def test_all_is_sorted_and_complete():
    # The module body first, in its own order (Point, which it adds by hand, is the body's
    # only); then the registered items, sorted.
    assert registration.__all__ == ["VERSION", "Point", "Labelled", "Origin", "Polygon", "answer", "shout", "text"]


def test_the_opted_out_class_is_not_in_the_module_but_works():
    assert not hasattr(registration, "PolygonIter")
    polygon = registration.Polygon([registration.Point(0, 0), registration.Point(1, 0)])
    assert [p.x for p in polygon] == [0.0, 1.0]


def test_module_is_where_users_import_from():
    assert registration.Point.__module__ == "registration"
    assert registration.shout.__module__ == "registration"
    assert registration.text.Token.__module__ == "registration.text"
    assert registration.text.words.__module__ == "registration.text"
    assert registration.text.case.title.__module__ == "registration.text.case"
    # A class that names its own module keeps it.
    assert registration.Labelled.__module__ == "registration.custom"


def test_submodules_import_like_packages():
    import registration.text
    from registration.text import Token, length, words
    from registration.text.case import title

    assert words("a b") == ["a", "b"]
    assert length("abc") == 3
    assert Token("x").text == "x"
    assert title("guard") == "Guard"
    assert sys.modules["registration.text"] is registration.text
    assert importlib.import_module("registration.text.case").title is title
    assert registration.text.__name__ == "registration.text"


def test_pickle_finds_registered_classes_by_module():
    # pickle looks a class up through __module__ and __qualname__.
    assert pickle.loads(pickle.dumps(registration.Point)) is registration.Point
    assert pickle.loads(pickle.dumps(registration.text.Token)) is registration.text.Token
