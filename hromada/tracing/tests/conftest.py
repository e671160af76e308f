import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and the record count live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client(client):
    from hromada.core.services import issue_token

    def for_user(user, language="en"):
        _token, raw = issue_token(user, "test script")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return for_user
