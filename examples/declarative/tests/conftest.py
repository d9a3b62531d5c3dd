# pyo3-guard: stop the test session at its start when `declarative` was not built from these sources.
import declarative


def pytest_sessionstart(session):
    declarative.__guard__.pytest_sessionstart(session)
