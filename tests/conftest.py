"""Shared pytest options: --update-golden rewrites expected outputs, --slow runs long tests."""
import pytest


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/**/*.expected from the current output")
    parser.addoption("--slow", action="store_true", help="also run the slow tests")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test, only with --slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")
