# pyo3-guard: stop the test session at its start when `demo` was not built from these sources.
import demo

def pytest_sessionstart(session: object) -> None:
    demo.__guard__.pytest_sessionstart(session)
