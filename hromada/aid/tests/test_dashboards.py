import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hromada.aid.dashboards import Scope, build_dashboard, stock_cover
from hromada.aid.models import StockMove
from hromada.aid.services import deliveries, stock
from hromada.aid.services.deliveries import LineIn
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import AuditEvent, Role
from hromada.core.tests.factories import make_place, make_user

TODAY = timezone.localdate()


@pytest.fixture
def driver(community):
    return make_user(username="driver", roles={community.council: [Role.VOLUNTEER]})


def cover_of(user, place, code, **kwargs):
    rows = [
        c
        for c in stock_cover(user, Scope(place=place), **kwargs)
        if c.item.code == code and c.place_id == place.pk
    ]
    return rows[0] if rows else None


# Needs ----------------------------------------------------------------------------------------


def test_a_visitor_sees_the_public_needs_by_category_and_nothing_of_the_stock(community, as_user):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    make_need(place=community.ward, item=item("bandages"), quantity=Decimal(10))
    make_need(place=community.shelter, item=item("blankets"))  # a restricted shelter
    stock_up(community.ward, "bandages", 5)

    response = as_user(community.anonymous).get(reverse("aid:dashboard"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Medicines" in page and "Medical supplies" in page
    assert "Blankets" not in page and community.shelter.name not in page
    assert "Stock and days of cover" not in page and "Deliveries today" not in page
    assert "<svg" in page


def test_needs_are_counted_by_category_with_their_priorities_and_what_is_missing(community):
    make_need(
        place=community.office, item=item("bread"), priority="critical", quantity=Decimal(100)
    )
    make_need(
        place=community.office,
        item=item("flour"),
        quantity=Decimal(50),
        quantity_covered=Decimal(25),
        status="partly_covered",
    )
    make_need(place=community.office, title="Генератор 5 кВт", unit="piece", priority="high")

    board = build_dashboard(community.coordinator, Scope())

    food = next(c for c in board.categories if c.category == "food")
    free = next(c for c in board.categories if c.category == "")
    assert (food.needs, food.critical, round(food.missing_share, 2)) == (2, 1, 0.75)
    assert free.by_priority == {"high": 1}
    assert board.categories[0] == food  # the most urgent category first
    labels = [s.label for s in board.shortfalls]
    assert labels[0] in ("Хліб", "Bread")
    assert "Генератор 5 кВт" in labels
    flour = next(s for s in board.shortfalls if s.code == "flour")
    assert (flour.needed, flour.shortfall) == (Decimal(50), Decimal(25))


def test_an_area_dashboard_keeps_to_its_area_and_the_areas_below(community, as_user):
    make_need(place=community.office, item=item("bread"))  # in town
    make_need(place=community.hub, item=item("tourniquet"))  # in the village

    client = as_user(community.coordinator)
    village = client.get(reverse("aid:dashboard"), {"area": community.village.code})
    whole = client.get(reverse("aid:dashboard"), {"area": community.hromada.code})

    assert "Tourniquet" in village.content.decode()
    assert "Bread" not in village.content.decode()
    assert "Bread" in whole.content.decode() and "Tourniquet" in whole.content.decode()


def test_htmx_gets_only_the_results_fragment(community, as_user):
    make_need(place=community.office)

    response = as_user(community.anonymous).get(reverse("aid:dashboard"), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results"')
    assert "<html" not in page


def test_charts_use_no_inline_style_or_script_and_numbers_with_a_dot(community, as_user):
    make_need(place=community.office, priority="critical")
    stock_up(community.office, "blankets", 45)
    stock.issue_stock(
        community.coordinator, place=community.office, item=item("blankets"), quantity=Decimal(7)
    )
    client = as_user(community.coordinator)
    client.cookies["hromada_language"] = "uk"  # decimals are written with a comma in Ukrainian

    page = client.get(reverse("aid:dashboard"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()

    svg = "".join(re.findall(r"<svg.*?</svg>", page, flags=re.S))
    assert "<rect" in svg
    assert "style=" not in page
    assert "<script>" not in page
    assert not re.search(r'(width|x)="\d+,\d+%"', svg)


# Stock ----------------------------------------------------------------------------------------


def test_days_of_cover_is_on_hand_over_the_daily_outflow_of_the_last_two_weeks(community):
    stock_up(community.office, "blankets", 100)
    stock.issue_stock(
        community.coordinator, place=community.office, item=item("blankets"), quantity=Decimal(21)
    )
    stock.issue_stock(
        community.coordinator,
        place=community.office,
        item=item("blankets"),
        quantity=Decimal(7),
        reason=StockMove.Reason.SPOILAGE,
        note="Промокли",
    )
    stock.transfer_stock(  # moved, not used: not outflow
        community.coordinator,
        from_place=community.office,
        to_place=community.school,
        item=item("blankets"),
        quantity=Decimal(2),
    )

    cover = cover_of(community.coordinator, community.office, "blankets")

    assert cover.on_hand == Decimal(70)
    assert cover.used == Decimal(28)  # 21 handed out + 7 spoiled, over 14 days: 2 a day
    assert cover.days == Decimal("35.0")


def test_an_item_in_no_recent_use_says_so_and_one_that_ran_out_shows_zero_days(community):
    stock_up(community.office, "blankets", 10)
    stock_up(community.office, "candles", 6)
    stock.issue_stock(
        community.coordinator, place=community.office, item=item("candles"), quantity=Decimal(6)
    )

    blankets = cover_of(community.coordinator, community.office, "blankets")
    candles = cover_of(community.coordinator, community.office, "candles")
    later = cover_of(
        community.coordinator,
        community.office,
        "blankets",
        now=timezone.now() + datetime.timedelta(days=15),
    )

    assert blankets.days is None
    assert (candles.on_hand, candles.days, candles.level) == (Decimal(0), Decimal(0), "low")
    assert later.days is None  # the distributions left the 14-day window


def test_goods_back_from_a_failed_delivery_do_not_count_as_used(community, driver):
    stock_up(community.school, "blankets", 50)
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(20))],
    )
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    deliveries.fail_delivery(driver, delivery, reason="Обстріл, дорогу перекрито")

    cover = cover_of(community.coordinator, community.school, "blankets")

    assert cover.on_hand == Decimal(50)
    assert cover.days is None


def test_a_place_page_shows_its_stock_and_lots_close_to_expiry_to_its_own_people(
    community, as_user
):
    soon = TODAY + datetime.timedelta(days=2)
    gone = TODAY - datetime.timedelta(days=1)
    stock_up(community.office, "milk", 12, expires_on=soon, batch="M-7")
    stock_up(community.office, "bread", 30, expires_on=gone)
    stock.issue_stock(
        community.coordinator, place=community.office, item=item("milk"), quantity=Decimal(4)
    )
    url = reverse("aid:place-dashboard", args=[community.office.pk])

    own = as_user(community.coordinator).get(url).content.decode()
    other = as_user(community.doctor).get(url).content.decode()

    assert "Close to expiry" in own and "M-7" in own and "expired" in own
    assert "Stock and days of cover" not in other and "M-7" not in other


def test_a_restricted_place_dashboard_is_hidden_from_others_and_its_views_are_audited(
    community, as_user
):
    url = reverse("aid:place-dashboard", args=[community.shelter.pk])

    assert as_user(community.doctor).get(url).status_code == 404
    assert as_user(community.anonymous).get(url).status_code == 404
    assert as_user(community.coordinator).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="aid.dashboard.viewed", object_id=str(community.shelter.pk)
    ).exists()


def test_the_places_table_flags_short_stock_only_where_the_user_may_see_it(community):
    stock_up(community.office, "candles", 16)
    stock.issue_stock(  # 2 left, 1 a day: 2 days of cover
        community.coordinator, place=community.office, item=item("candles"), quantity=Decimal(14)
    )
    other_place = make_place(organization=community.other, area=community.village)
    stock_up(other_place, "candles", 1)
    make_need(place=other_place)

    board = build_dashboard(community.coordinator, Scope())

    rows = {p.place_id: p for p in board.places}
    assert rows[community.office.pk].short_items == 1
    assert rows[other_place.pk].short_items is None


# Deliveries -----------------------------------------------------------------------------------


def test_todays_deliveries_are_counted_by_status_for_the_people_of_both_ends(
    community, as_user, driver
):
    stock_up(community.school, "blankets", 50)
    today, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(5))],
        planned_for=TODAY,
    )
    deliveries.plan_delivery(  # next week: not today's
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(5))],
        planned_for=TODAY + datetime.timedelta(days=7),
    )
    overdue, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(5))],
        planned_for=TODAY - datetime.timedelta(days=1),
    )
    deliveries.claim_delivery(driver, today)

    board = build_dashboard(community.coordinator, Scope())
    counts = {s.status: s.count for s in board.deliveries_by_status}
    page = as_user(community.coordinator).get(reverse("aid:dashboard")).content.decode()
    others = build_dashboard(community.doctor, Scope())

    assert counts == {
        "planned": 1, "claimed": 1, "picked_up": 0, "delivered": 0, "confirmed": 0,
        "failed": 0, "cancelled": 0,
    }  # fmt: skip
    assert {d.pk for d in board.deliveries} == {today.pk, overdue.pk}
    assert "Deliveries today" in page and f"#{today.pk}" in page
    assert others.deliveries == [] and sum(s.count for s in others.deliveries_by_status) == 0


# Query counts ---------------------------------------------------------------------------------


def fill(community, n):
    for i in range(n):
        place = make_place(organization=community.council, area=community.town, name=f"Пункт {i}")
        make_need(place=place, item=item("bread"), priority="critical")
        make_need(place=place, title=f"Річ {i}", unit="piece")
        stock_up(place, "blankets", 10)
        stock.issue_stock(
            community.coordinator, place=place, item=item("blankets"), quantity=Decimal(1)
        )
        stock_up(place, "milk", 5, expires_on=TODAY + datetime.timedelta(days=1))


@pytest.mark.parametrize("places", [1, 6])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    community, as_user, django_assert_num_queries, places
):
    fill(community, places)
    client = as_user(community.coordinator)
    client.get(reverse("aid:dashboard"))  # warm the content-type and session caches

    # session, user, roles; area choices: visible paths, areas; needs: by category, by item,
    # by place; stock: levels, outflow, returns, items, expiring lots, expiring per place;
    # deliveries: by status, list
    with django_assert_num_queries(17):  # +1: the session's second factor
        response = client.get(reverse("aid:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize("places", [1, 6])
def test_the_dashboard_api_runs_a_fixed_number_of_queries(
    community, as_user, django_assert_num_queries, places
):
    fill(community, places)
    client = as_user(community.coordinator)

    # session, user, roles; needs by category, by item, by place; stock: levels, outflow,
    # returns, items, expiring lots, expiring per place; deliveries by status, list
    with django_assert_num_queries(15):  # +1: the session's second factor
        response = client.get("/api/reports/dashboard")
    assert response.status_code == 200
    assert len(response.json()["places"]) == places


def test_the_dashboard_api_gives_a_visitor_the_public_needs_only(community, as_user):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    make_need(place=community.shelter, item=item("insulin"))
    stock_up(community.ward, "bandages", 5)

    body = json.loads(as_user(community.anonymous).get("/api/reports/dashboard").content)

    assert body["open_needs"] == 1 and body["critical_needs"] == 1
    assert body["sees_stock"] is False and body["cover"] == []
    assert body["sees_deliveries"] is False


def test_the_dashboard_api_for_a_hidden_place_is_404(community, as_user):
    response = as_user(community.anonymous).get(
        "/api/reports/dashboard", {"place": community.shelter.pk}
    )
    assert response.status_code == 404
