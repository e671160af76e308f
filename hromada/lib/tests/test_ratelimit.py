"""The shared rate limiter: counts per scope and client, in fixed windows of the clock."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import translation

from hromada.core.tests.factories import make_user
from hromada.lib import ratelimit

NOON = 1_800_000_000.0  # a fixed instant, a whole number of hours since the epoch
assert NOON % 3600 == 0


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@override_settings(RATE_LIMITS={"pledge": (3, 3600)})
def test_the_call_past_the_count_is_refused_until_the_window_turns():
    decisions = [ratelimit.hit("pledge", "ip:a", now=NOON + n) for n in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 3600 - 3  # what is left of the hour
    assert not ratelimit.hit("pledge", "ip:a", now=NOON + 3599.5).allowed
    assert ratelimit.hit("pledge", "ip:a", now=NOON + 3600).allowed  # a fresh window


@override_settings(RATE_LIMITS={"pledge": (1, 3600), "inquiry": (1, 3600)})
def test_other_clients_and_other_scopes_keep_their_own_counts():
    assert ratelimit.hit("pledge", "ip:a", now=NOON).allowed
    assert not ratelimit.hit("pledge", "ip:a", now=NOON).allowed
    assert ratelimit.hit("pledge", "ip:b", now=NOON).allowed
    assert ratelimit.hit("inquiry", "ip:a", now=NOON).allowed


@override_settings(RATE_LIMITS={"inquiry": (2, 60)})
def test_check_raises_with_the_wait_in_minutes_and_a_message_in_english():
    ratelimit.check("inquiry", ip="203.0.113.5", now=NOON)
    ratelimit.check("inquiry", ip="203.0.113.5", now=NOON)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check("inquiry", ip="203.0.113.5", now=NOON + 10)
    assert (refused.value.retry_after, refused.value.minutes) == (50, 1)
    with translation.override("en"):
        assert (
            str(refused.value) == "Too many attempts from this connection. Try again in 1 minute."
        )


def test_the_count_of_a_search_speaks_of_searches():
    refused = ratelimit.RateLimited("search", retry_after=150)
    assert refused.minutes == 3
    with translation.override("en"):
        assert refused.message == "Too many searches. Try again in 3 minutes."


def test_a_refusal_nobody_catches_is_a_permission_error_not_a_crash():
    from django.core.exceptions import PermissionDenied

    assert issubclass(ratelimit.RateLimited, PermissionDenied)


def test_the_cache_holds_neither_the_address_nor_the_name():
    key = ratelimit.client_key(AnonymousUser(), "203.0.113.5")
    assert key is not None and key.startswith("ip:") and "203.0.113.5" not in key
    assert ratelimit.client_key(AnonymousUser(), "203.0.113.5") == key
    assert ratelimit.client_key(AnonymousUser(), "203.0.113.6") != key


@pytest.mark.django_db
def test_a_signed_in_user_is_counted_by_account_with_more_room(settings):
    settings.RATE_LIMITS = {"pledge": (1, 3600)}
    user = make_user()
    assert ratelimit.client_key(user, "203.0.113.5") == f"user:{user.pk}"
    for _n in range(ratelimit.SIGNED_IN_FACTOR):
        ratelimit.check("pledge", actor=user, ip="203.0.113.5", now=NOON)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check("pledge", actor=user, ip="203.0.113.5", now=NOON)
    ratelimit.check("pledge", ip="203.0.113.5", now=NOON)  # the address has its own count


def test_code_without_an_address_or_an_account_is_never_limited(settings):
    settings.RATE_LIMITS = {"pledge": (0, 3600)}
    for _n in range(5):
        ratelimit.check("pledge", actor=AnonymousUser(), ip=None)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check("pledge", ip="203.0.113.5")


def test_limits_come_from_the_module_then_old_settings_then_rate_limits(settings):
    del settings.TRACING_SEARCHES_PER_MINUTE
    assert ratelimit.rule("tracing-search") == ratelimit.DEFAULTS["tracing-search"]
    settings.TRACING_SEARCHES_PER_MINUTE = 7
    assert ratelimit.rule("tracing-search") == (7, 60)
    settings.RATE_LIMITS = {"tracing-search": (9, 120)}
    assert ratelimit.rule("tracing-search") == (9, 120)


def test_the_view_decorator_answers_429_with_retry_after_and_a_friendly_page(settings):
    settings.RATE_LIMITS = {"search": (1, 60)}

    @ratelimit.rate_limited("search", when=ratelimit.searching)
    def view(request):
        return HttpResponse("results")

    factory = RequestFactory(HTTP_ACCEPT_LANGUAGE="en")

    def get(**params):
        request = factory.get("/", params, REMOTE_ADDR="203.0.113.5")
        request.user = AnonymousUser()
        request.LANGUAGE_CODE = "en"
        return view(request)

    assert get().status_code == 200 and get().status_code == 200  # no text: not a search
    assert get(q="вода").status_code == 200
    with translation.override("en"):  # a request factory skips LocaleMiddleware
        refused = get(q="вода")
        refused.render()
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many searches" in refused.content.decode()
