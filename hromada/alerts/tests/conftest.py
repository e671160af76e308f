import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _empty_cache():
    """The test cache lives as long as the session; a throttle must not leak between tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def _in_english():
    """Service-level messages are compared in English (the test client asks in English too)."""
    with translation.override("en"):
        yield
