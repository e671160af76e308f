"""Offers of goods are rate-limited per connection; the page and the API share one count."""

import json
import uuid

from django.test import override_settings
from django.urls import reverse

from hromada.aid.models import Pledge
from hromada.aid.tests.factories import item


def page_form(**overrides):
    return {
        "item": item("blankets").pk,
        "quantity": "30",
        "handover": "drop_off",
        "contact_name": "Марія Коваль",
        "contact_phone": "+380 67 000 0000",
        "consent": "on",
        "idempotency_key": uuid.uuid4().hex,
        **overrides,
    }


def api_offer():
    return json.dumps(
        {"item_id": item("blankets").pk, "quantity": "3", "contact_name": "М", "contact_phone": "1"}
    )


@override_settings(RATE_LIMITS={"pledge": (2, 3600)})
def test_the_offer_past_the_limit_is_refused_kept_on_the_form_and_not_saved(community, as_user):
    client = as_user(community.anonymous)
    assert client.post(reverse("aid:give"), page_form()).status_code == 302
    assert client.post(reverse("aid:give"), page_form()).status_code == 302

    refused = client.post(reverse("aid:give"), page_form(note="Ковдри в коробках"))

    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert "Too many attempts from this connection" in html
    assert "Марія Коваль" in html and "Ковдри в коробках" in html  # what they typed is kept
    assert Pledge.objects.count() == 2
    # The API counts in the same bucket: the same connection is refused there too.
    by_api = client.post("/api/pledges", api_offer(), content_type="application/json")
    assert by_api.status_code == 429 and by_api["Retry-After"] == refused["Retry-After"]
    assert "Too many attempts" in by_api.json()["detail"]
    assert Pledge.objects.count() == 2
    # Another connection is not affected.
    other = client.post(reverse("aid:give"), page_form(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and Pledge.objects.count() == 3


@override_settings(RATE_LIMITS={"search": (1, 60)})
def test_searching_the_needs_board_is_limited_but_browsing_it_is_not(community, as_user):
    client = as_user(community.anonymous)
    board = reverse("aid:needs-board")
    assert client.get(board, {"q": "вода"}).status_code == 200
    assert client.get(board, {"q": "вода"}).status_code == 429
    assert client.get(board).status_code == 200
    assert client.get("/api/needs", {"q": "вода"}).status_code == 429
