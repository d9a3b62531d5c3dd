import mixed_demo


def test_python_around_rust():
    assert mixed_demo.add_three(1, 2, 3) == 6


def test_the_package_carries_the_guard():
    assert mixed_demo.__build_id__ == mixed_demo._native.__build_id__
    mixed_demo.__guard__.verify()
