"""Subscriptions send a confirmation message each: a few an hour from one connection."""

import json

from django.test import override_settings
from django.urls import reverse

from hromada.alerts.models import Subscription


@override_settings(RATE_LIMITS={"alert-subscribe": (1, 3600)})
def test_the_subscription_past_the_limit_is_refused_and_sends_nothing(
    community, as_user, mailoutbox, django_capture_on_commit_callbacks
):
    client = as_user(community.anonymous)
    url = reverse("alerts:subscribe")

    def form(email):
        return {"email": email, "areas": [community.town.code], "language": "en", "consent": "on"}

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form("one@example.org")).status_code == 200
        refused = client.post(url, form("two@example.org"))
        by_api = client.post(
            "/api/alert-subscriptions",
            json.dumps({"email": "three@example.org", "areas": [community.town.code]}),
            content_type="application/json",
        )

    assert refused.status_code == 429 and "two@example.org" in refused.content.decode()
    assert "Too many attempts from this connection" in refused.content.decode()
    assert by_api.status_code == 429 and by_api["Retry-After"]
    assert list(Subscription.objects.values_list("address", flat=True)) == ["one@example.org"]
    assert [m.to for m in mailoutbox] == [["one@example.org"]]
