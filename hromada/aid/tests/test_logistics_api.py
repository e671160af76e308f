import json
import uuid
from decimal import Decimal

import pytest

from hromada.aid.models import Delivery, Pledge
from hromada.aid.services import deliveries, stock
from hromada.aid.services.deliveries import LineIn
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import Role
from hromada.core.services import issue_token
from hromada.core.tests.factories import make_user


def body(response):
    return json.loads(response.content)


@pytest.fixture
def api(client):
    def as_(user=None):
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if user is not None:
            _token, raw = issue_token(user, "script")
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return as_


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_a_donor_offers_through_the_api_and_follows_it(community, api):
    anonymous = api()
    key = str(uuid.uuid4())
    data = {
        "item_id": item("blankets").pk,
        "quantity": "10",
        "contact_name": "Марія",
        "contact_phone": "1",
    }
    first = post(anonymous, "/api/pledges", data, HTTP_IDEMPOTENCY_KEY=key)
    again = post(anonymous, "/api/pledges", data, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert body(first)["id"] == body(again)["id"] and Pledge.objects.count() == 1
    token = body(first)["follow_url"].rstrip("/").rsplit("/", 1)[1]
    assert body(anonymous.get(f"/api/pledges/follow/{token}"))["status"] == "offered"
    assert anonymous.get("/api/pledges").status_code == 401


def test_a_broken_offer_gets_field_errors(community, api):
    response = post(api(), "/api/pledges", {"quantity": "0", "contact_name": ""})
    assert response.status_code == 422
    assert {"quantity", "contact_name"} <= set(body(response)["errors"])


def test_the_coordinator_receives_an_offer_into_stock_through_the_api(community, api):
    pledge, _ = __import__("hromada.aid.services.pledges", fromlist=["x"]).offer_pledge(
        community.anonymous,
        item=item("blankets"),
        quantity=Decimal(10),
        contact_name="М",
        contact_phone="1",
    )
    client = api(community.coordinator)
    assert (
        body(post(client, f"/api/pledges/{pledge.pk}/accept", {"hub_id": community.school.pk}))[
            "status"
        ]
        == "accepted"
    )
    response = post(client, f"/api/pledges/{pledge.pk}/receive", {"hub_id": community.school.pk})
    assert body(response)["status"] == "received"
    levels = body(client.get(f"/api/stock/{community.school.pk}"))["levels"]
    assert levels[0]["quantity"] == "10.000"
    assert (
        post(
            api(community.volunteer), f"/api/pledges/{pledge.pk}/decline", {"reason": "x"}
        ).status_code
        == 404
    )


def test_stock_through_the_api_refuses_to_go_below_zero(community, api):
    client = api(community.coordinator)
    url = f"/api/stock/{community.school.pk}"
    assert (
        post(client, url + "/receive", {"item_id": item("candles").pk, "quantity": "5"}).status_code
        == 201
    )
    response = post(client, url + "/issue", {"item_id": item("candles").pk, "quantity": "6"})
    assert response.status_code == 422 and "Only 5" in body(response)["errors"]["quantity"][0]
    assert (
        body(post(client, url + "/count", {"item_id": item("candles").pk, "counted": "4"}))[0][
            "reason"
        ]
        == "correction"
    )
    assert body(client.get(url + "/moves"))["count"] == 2
    assert api(community.volunteer).get(url).status_code == 404


def test_a_delivery_runs_end_to_end_through_the_api_and_a_second_claim_is_a_conflict(
    community, api
):
    stock_up(community.school, "blankets", 30)
    need = make_need(place=community.office, item=item("blankets"), quantity=Decimal(30))
    coordinator = api(community.coordinator)
    planned = post(
        coordinator,
        "/api/deliveries",
        {
            "from_place_id": community.school.pk,
            "to_place_id": community.office.pk,
            "lines": [{"item_id": item("blankets").pk, "quantity": "30", "need_id": need.pk}],
        },
    )
    assert planned.status_code == 201, planned.content
    pk = body(planned)["id"]
    driver = make_user(roles={community.council: [Role.VOLUNTEER]})
    second = make_user(roles={community.council: [Role.VOLUNTEER]})
    assert body(post(api(driver), f"/api/deliveries/{pk}/claim", {}))["status"] == "claimed"
    assert post(api(second), f"/api/deliveries/{pk}/claim", {}).status_code == 409
    client = api(driver)
    post(client, f"/api/deliveries/{pk}/pickup", {})
    line = body(client.get(f"/api/deliveries/{pk}"))["lines"][0]["id"]
    done = post(
        client,
        f"/api/deliveries/{pk}/deliver",
        {"recipient_name": "Олена", "received": {str(line): "30"}},
    )
    assert body(done)["status"] == "delivered"
    need.refresh_from_db()
    assert need.status == "covered"
    assert (
        body(post(api(community.coordinator), f"/api/deliveries/{pk}/confirm", {}))["status"]
        == "confirmed"
    )


def test_a_delivery_from_someone_elses_hub_cannot_be_planned(community, api):
    stock_up(community.ward, "bandages", 5)
    response = post(
        api(community.coordinator),
        "/api/deliveries",
        {
            "from_place_id": community.ward.pk,
            "to_place_id": community.office.pk,
            "lines": [{"item_id": item("bandages").pk, "quantity": "5"}],
        },
    )
    assert response.status_code == 422 and "from_place_id" in body(response)["errors"]
    assert not Delivery.objects.exists()


def test_recurring_needs_through_the_api(community, api):
    client = api(community.coordinator)
    response = post(
        client,
        "/api/recurring-needs",
        {
            "place_id": community.shelter.pk,
            "item_id": item("bread").pk,
            "quantity": "200",
            "starts_on": "2026-11-23",
        },
    )
    assert response.status_code == 201, response.content
    pk = body(response)["id"]
    assert body(post(client, f"/api/recurring-needs/{pk}/stop", {}))["is_active"] is False
    assert (
        post(
            api(community.volunteer),
            "/api/recurring-needs",
            {
                "place_id": community.shelter.pk,
                "item_id": item("bread").pk,
                "quantity": "1",
                "starts_on": "2026-11-23",
            },
        ).status_code
        == 422
    )  # a place they may not see is unknown


def test_the_list_of_deliveries_costs_the_same_queries_for_any_number(
    community, api, django_assert_num_queries
):
    stock_up(community.school, "candles", 100)
    for _ in range(10):
        deliveries.plan_delivery(
            community.coordinator,
            from_place=community.school,
            to_place=community.office,
            lines=[LineIn(item("candles"), Decimal(1))],
        )
    client = api(community.coordinator)
    # token with its user, the token's first use, memberships, count, page of deliveries,
    # their lines, the lines' items
    with django_assert_num_queries(7):
        response = client.get("/api/deliveries")
    assert body(response)["count"] == 10
    assert stock.on_hand(community.school, item("candles")) == 100


def test_a_stock_move_sent_again_with_its_key_is_made_once(community, api):
    # The hub's phone lost the answer to "received 200 blankets" and sends it again.
    client = api(community.coordinator)
    url = f"/api/stock/{community.school.pk}"
    key = str(uuid.uuid4())
    data = {"item_id": item("blankets").pk, "quantity": "200"}
    first = post(client, url + "/receive", data, HTTP_IDEMPOTENCY_KEY=key)
    again = post(client, url + "/receive", data, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert body(again) == body(first) and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    issue_key = str(uuid.uuid4())
    for _ in range(2):
        issued = post(
            client,
            url + "/issue",
            {"item_id": item("blankets").pk, "quantity": "150"},
            HTTP_IDEMPOTENCY_KEY=issue_key,
        )
        assert issued.status_code == 201
    assert body(client.get(url))["levels"][0]["quantity"] == "50.000"
    assert body(client.get(url + "/moves"))["count"] == 2


def test_a_delivery_step_sent_again_with_its_key_answers_as_the_first_time(community, api):
    stock_up(community.school, "blankets", 30)
    planned = post(
        api(community.coordinator),
        "/api/deliveries",
        {
            "from_place_id": community.school.pk,
            "to_place_id": community.office.pk,
            "lines": [{"item_id": item("blankets").pk, "quantity": "30"}],
        },
    )
    pk = body(planned)["id"]
    driver = api(make_user(roles={community.council: [Role.VOLUNTEER]}))
    assert post(driver, f"/api/deliveries/{pk}/claim", {}).status_code == 200
    key = str(uuid.uuid4())
    first = post(driver, f"/api/deliveries/{pk}/pickup", {}, HTTP_IDEMPOTENCY_KEY=key)
    again = post(driver, f"/api/deliveries/{pk}/pickup", {}, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 200
    assert body(again)["status"] == "picked_up" and again["Idempotent-Replayed"] == "true"
    # Without a key the same step twice is refused: it has happened already.
    assert post(driver, f"/api/deliveries/{pk}/pickup", {}).status_code in (409, 422)
    assert Delivery.objects.get(pk=pk).moves.count() == 1


def test_another_users_key_moves_nothing_and_reveals_nothing(community, api):
    url = f"/api/stock/{community.school.pk}/receive"
    key = str(uuid.uuid4())
    data = {"item_id": item("candles").pk, "quantity": "5"}
    assert post(api(community.coordinator), url, data, HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = make_user(roles={community.council: [Role.COORDINATOR]})
    refused = post(api(other), url, data, HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 409 and "moves" not in refused.text
    assert stock.on_hand(community.school, item("candles")) == Decimal(5)
