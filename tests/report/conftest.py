"""The headless Chromium of the HTML report tests (tests/report/devtools.py), one per test module."""
import pytest
from devtools import start


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    tools = start(tmp_path_factory.mktemp("chromium-profile"))
    yield tools
    tools.close()
