import demo

def pytest_sessionstart(session):
    demo.__guard__.verify()
