# pyo3-guard: stop the test session at its start when `registration` was not built from these sources.
import registration


def pytest_sessionstart(session):
    registration.__guard__.pytest_sessionstart(session)
