"""The installable app's files, and page POSTs replayed by the offline queue running once."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse

from hromada.aid.models import Delivery, Pledge, StockMove
from hromada.aid.services import deliveries
from hromada.aid.services.deliveries import LineIn
from hromada.aid.tests.factories import item, stock_up
from hromada.core.models import IdempotencyKey, Role
from hromada.core.offline import QUEUE_HEADER, SCOPE
from hromada.core.tests.factories import make_user

REPLAY = "hromada.core.offline.replay_once"
KEY = "9b1f3c1e-5d0a-4e8e-9a57-0c1d2e3f4a5b"


@pytest.fixture(autouse=True)
def _replay_middleware(settings):
    """Until settings.py lists it (after the message middleware), the tests put it there."""
    if REPLAY not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: at + 1],
            REPLAY,
            *settings.MIDDLEWARE[at + 1 :],
        ]


@pytest.fixture
def driver(community):
    return make_user(username="driver", roles={community.council: [Role.VOLUNTEER]})


@pytest.fixture
def delivery(community):
    stock_up(community.school, "blankets", 50)
    planned, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(20))],
    )
    return planned


def queued(client, url, *, key=KEY, data=None, mode="outbox"):
    """POST as hromada-offline.js does, and read its JSON answer."""
    response = client.post(url, data or {}, headers={"Idempotency-Key": key, QUEUE_HEADER: mode})
    answer = json.loads(response.content)
    assert response.status_code == (answer["status"] if answer["status"] >= 400 else 200)
    return answer


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    body = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert body["start_url"] == "/" and body["display"] == "standalone"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}


def test_the_service_worker_is_served_at_the_root_with_the_shell_it_caches(client):
    response = client.get("/sw.js")
    source = response.content.decode()
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Type"].startswith("text/javascript")
    config = json.loads(source.split("\n", 1)[0].removeprefix("self.HROMADA = ").rstrip(";"))
    assert "/static/hromada.css" in config["shell"]
    assert "/deliveries/*" in config["pages"] and config["version"]
    assert 'addEventListener("fetch"' in source


@pytest.mark.django_db
def test_pages_tell_the_queue_it_may_send_through_the_replay(community, as_user, driver, settings):
    page = as_user(driver).get(reverse("aid:delivery-list")).content.decode()
    assert '<div id="offline" data-replay' in page
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != REPLAY]
    page = as_user(driver).get(reverse("aid:delivery-list")).content.decode()
    assert "data-replay" not in page  # online forms then go the usual way


@pytest.mark.django_db
def test_a_replayed_pick_up_runs_once_and_answers_as_the_first_time(
    community, as_user, driver, delivery
):
    client = as_user(driver)
    client.post(reverse("aid:delivery-claim", args=[delivery.pk]))
    url = reverse("aid:delivery-pick-up", args=[delivery.pk])
    first = queued(client, url)
    moves = StockMove.objects.count()
    again = queued(client, url)
    assert first["ok"] and again["ok"], (first, again)
    assert again["replayed"] and not first["replayed"]
    assert again["location"] == first["location"] == f"/deliveries/{delivery.pk}/"
    assert StockMove.objects.count() == moves  # the goods left the hub once
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PICKED_UP


@pytest.mark.django_db
def test_a_replay_without_the_queue_gets_the_first_redirect_again(
    community, as_user, driver, delivery
):
    client = as_user(driver)
    url = reverse("aid:delivery-claim", args=[delivery.pk])
    first = client.post(url, headers={"Idempotency-Key": KEY})
    again = client.post(url, headers={"Idempotency-Key": KEY})
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    row = IdempotencyKey.objects.get(scope=SCOPE, key=KEY)
    assert row.actor == driver and row.object_id == f"302 {first['Location']}"


@pytest.mark.django_db
def test_a_conflict_comes_back_as_the_message_of_the_queued_item_and_keeps_no_key(
    community, as_user, driver, delivery
):
    other = make_user(username="other", roles={community.council: [Role.VOLUNTEER]})
    deliveries.claim_delivery(other, delivery)  # while the first driver was in the basement
    client = as_user(driver)
    answer = queued(client, reverse("aid:delivery-claim", args=[delivery.pk]))
    assert not answer["ok"]
    assert answer["errors"] and "claimed" in " ".join(answer["errors"]).lower()
    assert not IdempotencyKey.objects.filter(scope=SCOPE).exists()  # may be tried again
    page = client.get(reverse("aid:delivery-detail", args=[delivery.pk])).content.decode()
    assert answer["errors"][0] not in page  # said on the item, not again on the next page


@pytest.mark.django_db
def test_the_page_mode_leaves_the_message_for_the_page_the_user_goes_to(
    community, as_user, driver, delivery
):
    client = as_user(driver)
    answer = queued(client, reverse("aid:delivery-claim", args=[delivery.pk]), mode="page")
    assert answer["ok"]
    page = client.get(answer["location"]).content.decode()
    assert "The delivery is yours" in page


@pytest.mark.django_db
def test_bad_input_answers_with_the_field_errors_and_keeps_no_key(
    community, as_user, driver, delivery
):
    client = as_user(driver)
    client.post(reverse("aid:delivery-claim", args=[delivery.pk]))
    client.post(reverse("aid:delivery-pick-up", args=[delivery.pk]))
    answer = queued(client, reverse("aid:delivery-deliver", args=[delivery.pk]), data={})
    assert (answer["ok"], answer["status"]) == (False, 422)
    assert any(e.startswith("Name of the person who took the goods") for e in answer["errors"])
    assert not IdempotencyKey.objects.filter(scope=SCOPE).exists()


@pytest.mark.django_db
def test_somebody_elses_key_is_refused_without_running_or_revealing(
    community, as_user, driver, delivery
):
    as_user(driver).post(
        reverse("aid:delivery-claim", args=[delivery.pk]), headers={"Idempotency-Key": KEY}
    )
    other = make_user(username="other", roles={community.council: [Role.VOLUNTEER]})
    response = as_user(other).post(
        reverse("aid:delivery-unclaim", args=[delivery.pk]), headers={"Idempotency-Key": KEY}
    )
    assert response.status_code == 409
    assert "Location" not in response


@pytest.mark.django_db
def test_a_malformed_key_is_refused(community, as_user, driver, delivery):
    response = as_user(driver).post(
        reverse("aid:delivery-claim", args=[delivery.pk]), headers={"Idempotency-Key": "x y"}
    )
    assert response.status_code == 400
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PLANNED


@pytest.mark.django_db
def test_an_anonymous_pledge_sent_twice_by_the_queue_is_one_pledge(community, client):
    data = {
        "item": item("blankets").pk,
        "quantity": "10",
        "contact_name": "Claire",
        "contact_phone": "+33 6 00 00 00 00",
        "consent": "on",
        "handover": "drop_off",
        "idempotency_key": KEY,  # the queue puts its key in the form's own field too
    }
    first = queued(client, reverse("aid:give"), data=data)
    again = queued(client, reverse("aid:give"), data=data)
    assert first["ok"] and again["ok"], (first, again)
    assert again["location"] == first["location"] != "/give/"
    assert Pledge.objects.count() == 1


@pytest.mark.django_db
def test_the_api_keeps_its_own_rules(community, as_user, driver):
    response = as_user(driver).post(
        "/api/aid/needs", {}, content_type="application/json", headers={"Idempotency-Key": KEY}
    )
    assert response.status_code != 200 or "replayed" not in response.content.decode()
    assert not IdempotencyKey.objects.filter(scope=SCOPE).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_replays_at_the_same_moment_run_the_step_once(community, as_user, driver, delivery):
    """Real threads, real connections: the second waits for the first's key row (PostgreSQL:
    the unique index; SQLite: the IMMEDIATE write lock) and answers what the first did."""
    as_user(driver).post(reverse("aid:delivery-claim", args=[delivery.pk]))
    url = reverse("aid:delivery-pick-up", args=[delivery.pk])
    clients = [as_user(driver), as_user(driver)]
    barrier = threading.Barrier(2)
    answers: list[dict] = []

    def replay(client):
        try:
            barrier.wait()
            answers.append(queued(client, url))
        finally:
            connections.close_all()

    moves = StockMove.objects.count()
    threads = [threading.Thread(target=replay, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(answers) == 2, (connection.vendor, answers)
    assert all(a["ok"] for a in answers), answers
    assert sorted(a["replayed"] for a in answers) == [False, True]
    assert StockMove.objects.count() == moves + 1  # one move out of the hub
    assert IdempotencyKey.objects.filter(scope=SCOPE, key=KEY).count() == 1
