from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hromada.aid.models import Delivery, DeliveryPlan
from hromada.aid.services import planning, stock
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import Place


@pytest.fixture
def hub(community):
    """The volunteer group's distribution point is the hub; the council and hospital ask."""
    community.hub.kind = Place.Kind.HUB
    community.hub.save()
    stock_up(community.hub, "blankets", 100)
    stock_up(community.hub, "insulin", 10)
    return community.hub


@pytest.fixture
def hub_coordinator(community):
    from hromada.core.models import Role
    from hromada.core.tests.factories import make_user

    return make_user(username="hubcoord", roles={community.hq: [Role.COORDINATOR]})


def test_the_plan_sends_the_urgent_first_and_explains_each_line(community, hub, hub_coordinator):
    urgent = make_need(
        place=community.ward, item=item("blankets"), priority="critical", quantity=Decimal(80)
    )
    make_need(place=community.office, item=item("blankets"), priority="low", quantity=Decimal(80))
    plan = planning.propose_plan(hub_coordinator)
    lines = [
        (t["place"], ln["need"], Decimal(ln["quantity"])) for t in plan.trips for ln in t["lines"]
    ]
    assert (community.ward.pk, urgent.pk, Decimal(80)) in lines
    assert sum(q for *_rest, q in lines) == Decimal(100)
    [short] = plan.unmet
    assert planning.explain_unmet(short["reason"])
    assert all(planning.explain(ln["reason"]) for t in plan.trips for ln in t["lines"])


def test_confirming_turns_the_kept_lines_into_deliveries(community, hub, hub_coordinator):
    make_need(
        place=community.ward, item=item("blankets"), priority="critical", quantity=Decimal(30)
    )
    make_need(place=community.office, item=item("insulin"), priority="high", quantity=Decimal(5))
    plan = planning.propose_plan(hub_coordinator)
    first_trip = plan.trips[0]
    made = planning.confirm_plan(
        hub_coordinator, plan, quantities={(0, 0): Decimal(first_trip["lines"][0]["quantity"]) - 1}
    )
    assert len(made) == len(plan.trips)
    assert Delivery.objects.filter(status="planned").count() == len(plan.trips)
    plan.refresh_from_db()
    assert plan.status == "confirmed"
    with pytest.raises(ValidationError):
        planning.confirm_plan(hub_coordinator, plan)


def test_a_plan_on_stock_that_moved_creates_nothing(community, hub, hub_coordinator):
    make_need(
        place=community.ward, item=item("blankets"), priority="critical", quantity=Decimal(90)
    )
    plan = planning.propose_plan(hub_coordinator)
    stock.issue_stock(hub_coordinator, place=hub, item=item("blankets"), quantity=Decimal(50))
    with pytest.raises(ValidationError):
        planning.confirm_plan(hub_coordinator, plan)
    assert not Delivery.objects.exists()
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_stock_already_promised_is_not_planned_twice(community, hub, hub_coordinator):
    make_need(
        place=community.ward, item=item("blankets"), priority="critical", quantity=Decimal(100)
    )
    planning.confirm_plan(hub_coordinator, planning.propose_plan(hub_coordinator))
    again = planning.propose_plan(hub_coordinator)
    assert not any(ln["item"] == item("blankets").pk for t in again.trips for ln in t["lines"])


def test_only_people_who_run_a_hub_plan(community, hub):
    with pytest.raises(PermissionDenied):
        planning.propose_plan(community.volunteer)


def test_the_pages_propose_show_and_confirm(community, hub, hub_coordinator, as_user):
    make_need(
        place=community.ward, item=item("blankets"), priority="critical", quantity=Decimal(20)
    )
    client = as_user(hub_coordinator)
    response = client.post(reverse("aid:plan-start"), {"capacity": "50"})
    plan = DeliveryPlan.objects.get()
    assert response["Location"] == reverse("aid:plan-detail", args=[plan.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Blankets" in page and "nearest hub" in page
    geo = client.get(reverse("aid:plan-geojson", args=[plan.pk])).json()
    assert any(f["geometry"]["type"] == "LineString" for f in geo["features"])
    assert (
        client.post(reverse("aid:plan-confirm", args=[plan.pk]), {"q-0-0": "20"}).status_code == 302
    )
    assert Delivery.objects.get().lines.get().quantity == Decimal(20)
    assert (
        as_user(community.coordinator).get(reverse("aid:plan-detail", args=[plan.pk])).status_code
        == 404
    )
