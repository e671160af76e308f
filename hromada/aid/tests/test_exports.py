import csv
import datetime
import io
import json
from decimal import Decimal

import hxl
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hromada.aid.services import deliveries
from hromada.aid.services.deliveries import LineIn
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import AuditEvent, Role
from hromada.core.tests.factories import make_place, make_user

TODAY = timezone.localdate()


def parse_hxl(content: bytes) -> list:
    data = hxl.data(io.BytesIO(content), hxl.InputOptions(allow_local=True))
    return data, list(data)


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def shelves(community):
    soon = TODAY + datetime.timedelta(days=3)
    stock_up(community.office, "milk", 12, expires_on=soon, batch="M-1")
    stock_up(
        community.office, "milk", 8, expires_on=soon + datetime.timedelta(days=20), batch="M-2"
    )
    stock_up(community.office, "blankets", 40)
    stock_up(community.ward, "bandages", 100)  # the hospital's, not the council's
    return community


# Stock ----------------------------------------------------------------------------------------


def test_the_stock_export_has_one_row_per_place_and_lot_with_its_expiry(shelves, as_user):
    response = as_user(shelves.coordinator).get(reverse("aid:stock-export"))

    rows = rows_of(response)
    assert response["Content-Type"].startswith("text/csv")
    assert [(r["item_code"], r["batch"], r["quantity"]) for r in rows] == [
        ("blankets", "", "40.000"),
        ("milk", "M-1", "12.000"),
        ("milk", "M-2", "8.000"),
    ]
    assert rows[1]["expires_on"] == (TODAY + datetime.timedelta(days=3)).isoformat()
    assert {r["place"] for r in rows} == {shelves.office.name}
    assert rows[0]["oblast"] == "Sumy Oblast" and rows[0]["area_code"] == shelves.town.code


def test_the_stock_export_in_hxl_is_read_back_by_libhxl(shelves, as_user):
    response = as_user(shelves.coordinator).get(reverse("aid:stock-export"), {"hxl": "1"})

    data, rows = parse_hxl(response.content)

    assert "#item+num+stored" in data.display_tags and "#date+expiry" in data.display_tags
    assert sorted(r.get("#item+code") for r in rows) == ["blankets", "milk", "milk"]
    assert sum(float(r.get("#item+num+stored")) for r in rows) == 60
    assert {r.get("#loc+name") for r in rows} == {shelves.office.name}
    assert {r.get("#adm1+name") for r in rows} == {"Sumy Oblast"}


def test_the_stock_export_opens_as_a_spreadsheet(shelves, as_user):
    response = as_user(shelves.coordinator).get(reverse("aid:stock-export"), {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("place_id", "place", "place_kind")
    assert len(values) == 4


def test_the_stock_export_keeps_to_the_users_organisations_and_the_scope(shelves, as_user):
    doctor = rows_of(as_user(shelves.doctor).get(reverse("aid:stock-export")))
    superuser = rows_of(
        as_user(shelves.superuser).get(reverse("aid:stock-export"), {"place": shelves.ward.pk})
    )

    assert [r["item_code"] for r in doctor] == ["bandages"]
    assert [r["place"] for r in superuser] == [shelves.ward.name]
    assert as_user(shelves.outsider).get(reverse("aid:stock-export")).status_code == 403
    assert as_user(shelves.anonymous).get(reverse("aid:stock-export")).status_code == 302


def test_every_export_writes_an_audit_event(shelves, as_user):
    client = as_user(shelves.coordinator)
    client.get(reverse("aid:stock-export"), {"hxl": "1"})
    client.get(reverse("aid:deliveries-export"))
    client.get(reverse("aid:needs-geojson"))
    client.get("/api/reports/stock/export")
    client.get("/api/reports/needs/export")

    exports = AuditEvent.objects.filter(action__startswith="aid.").order_by("pk")
    actions = list(exports.values_list("action", "actor"))
    assert actions == [
        ("aid.stock.exported", shelves.coordinator.pk),
        ("aid.deliveries.exported", shelves.coordinator.pk),
        ("aid.needs_map.exported", shelves.coordinator.pk),
        ("aid.stock.exported", shelves.coordinator.pk),
        ("aid.needs.exported", shelves.coordinator.pk),
    ]
    assert exports.first().details["rows"] == 3


def test_the_stock_api_lists_lots_in_a_fixed_number_of_queries(
    shelves, as_user, django_assert_num_queries
):
    client = as_user(shelves.coordinator)
    for n in range(5):
        stock_up(shelves.office, "candles", 1 + n, batch=f"C-{n}")

    # session, user, roles; the audit event (content type is cached, one insert); count; page
    with django_assert_num_queries(7):  # +1: the session's second factor
        response = client.get("/api/reports/stock", {"limit": 50})
    body = response.json()
    assert body["count"] == 8
    assert {i["item_code"] for i in body["items"]} == {"blankets", "milk", "candles"}


def test_the_stock_api_file_is_the_same_as_the_page(shelves, as_user):
    client = as_user(shelves.coordinator)
    page = client.get(reverse("aid:stock-export"), {"hxl": "1"}).content.decode()
    api = client.get("/api/reports/stock/export", {"hxl": "true"}).content.decode()

    assert page.splitlines()[:2] == api.splitlines()[:2]
    assert len(page.splitlines()) == len(api.splitlines()) == 5
    assert as_user(shelves.outsider).get("/api/reports/stock/export").status_code == 403
    assert as_user(shelves.anonymous).get("/api/reports/stock/export").status_code == 401


# Deliveries -----------------------------------------------------------------------------------


@pytest.fixture
def runs(community):
    driver = make_user(username="driver", roles={community.council: [Role.VOLUNTEER]})
    stock_up(community.school, "blankets", 50)
    stock_up(community.school, "candles", 50)
    need = make_need(place=community.office, item=item("blankets"), quantity=Decimal(10))
    done, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(10), need), LineIn(item("candles"), Decimal(5))],
        planned_for=TODAY,
    )
    deliveries.claim_delivery(driver, done)
    deliveries.pick_up(driver, done)
    deliveries.mark_delivered(
        driver, done, recipient_name="Оксана", received={done.lines.last().pk: Decimal(4)}
    )
    planned, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.shelter,
        lines=[LineIn(item("candles"), Decimal(3))],
        planned_for=TODAY + datetime.timedelta(days=1),
    )
    community.done, community.planned, community.need = done, planned, need
    return community


def test_the_deliveries_export_has_a_row_per_line_with_what_arrived(runs, as_user):
    rows = rows_of(as_user(runs.coordinator).get(reverse("aid:deliveries-export")))

    by_line = {(int(r["delivery_id"]), r["item_code"]): r for r in rows}
    blankets = by_line[(runs.done.pk, "blankets")]
    candles = by_line[(runs.done.pk, "candles")]
    assert len(rows) == 3
    assert blankets["status"] == "delivered" and blankets["need_id"] == str(runs.need.pk)
    assert (blankets["quantity"], blankets["delivered"]) == ("10.000", "10.000")
    assert (candles["picked_up"], candles["delivered"]) == ("5.000", "4.000")
    assert blankets["to_place"] == runs.office.name and blankets["delivered_at"]
    assert "Оксана" not in str(rows)  # no names of people in a file that travels


def test_the_deliveries_export_filters_and_keeps_to_those_who_take_part(runs, as_user):
    client = as_user(runs.coordinator)
    planned = rows_of(client.get(reverse("aid:deliveries-export"), {"status": "planned"}))
    xlsx = client.get(reverse("aid:deliveries-export"), {"format": "xlsx"})

    assert [int(r["delivery_id"]) for r in planned] == [runs.planned.pk]
    assert len(list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows())) == 4
    assert rows_of(as_user(runs.doctor).get(reverse("aid:deliveries-export"))) == []
    assert as_user(runs.outsider).get(reverse("aid:deliveries-export")).status_code == 403


def test_the_deliveries_api_lists_deliveries_with_their_lines_in_fixed_queries(
    runs, as_user, django_assert_num_queries
):
    client = as_user(runs.coordinator)

    # session, user, roles; the audit event; count; page; lines with their items
    with django_assert_num_queries(8):  # +1: the session's second factor
        response = client.get("/api/reports/deliveries")
    body = response.json()
    assert body["count"] == 2
    lines = {i["id"]: i["lines"] for i in body["items"]}
    assert [line["item_code"] for line in lines[runs.done.pk]] == ["blankets", "candles"]
    assert lines[runs.done.pk][1]["quantity_delivered"] == "4.000"


# Needs and places -----------------------------------------------------------------------------


def test_the_needs_api_export_in_hxl_is_read_back_by_libhxl(community, as_user):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    make_need(place=community.shelter, item=item("bread"))  # restricted: not for a visitor

    response = as_user(community.anonymous).get(
        "/api/reports/needs/export", {"hxl": "true", "area": community.hromada.code}
    )

    data, rows = parse_hxl(response.content)
    assert [r.get("#item+code") for r in rows] == ["insulin"]
    assert rows[0].get("#severity") == "critical"
    assert "#item+num+needed" in data.display_tags


def test_the_needs_page_export_in_hxl_is_read_back_by_libhxl(community, as_user):
    make_need(place=community.ward, item=item("insulin"))

    response = as_user(community.anonymous).get(reverse("aid:needs-export"), {"hxl": "1"})

    _data, rows = parse_hxl(response.content)
    assert [r.get("#loc+name") for r in rows] == [community.ward.name]


def test_the_places_geojson_holds_only_places_with_needs_the_visitor_may_see(community, as_user):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    make_need(place=community.ward, item=item("bandages"), priority="normal")
    make_need(place=community.hub, item=item("blankets"), priority="low")
    make_need(place=community.shelter, item=item("bread"), priority="critical")  # restricted
    make_need(place=community.school, item=item("bread"))  # members only
    nowhere = make_place(organization=community.hq, latitude=None, longitude=None)
    make_need(place=nowhere)  # no coordinates: not on a map
    make_place(organization=community.hq)  # no needs

    body = json.loads(as_user(community.anonymous).get(reverse("aid:needs-geojson")).content)

    features = {f["properties"]["name"]: f for f in body["features"]}
    ward = features[community.ward.name]
    assert body["type"] == "FeatureCollection"
    assert set(features) == {community.ward.name, community.hub.name}
    assert ward["geometry"] == {"type": "Point", "coordinates": [34.89, 50.31]}  # lon, lat
    assert ward["properties"]["colour"] == "#b3261e"  # critical
    assert features[community.hub.name]["properties"]["colour"] == "#596270"  # low
    assert ward["properties"]["url"] == reverse("aid:place-dashboard", args=[community.ward.pk])
    assert "Insulin" in ward["properties"]["detail"] and ward["properties"]["needs"] == 2


def test_members_see_more_places_on_the_map_and_the_api_gives_the_same(community, as_user):
    make_need(place=community.shelter, item=item("bread"))
    make_need(place=community.school, item=item("bread"))

    page = as_user(community.coordinator).get(reverse("aid:needs-geojson")).json()
    api = as_user(community.coordinator).get("/api/reports/needs.geojson").json()
    doctor = as_user(community.doctor).get(reverse("aid:needs-geojson")).json()

    assert {f["properties"]["name"] for f in page["features"]} == {
        community.shelter.name,
        community.school.name,
    }
    assert page == api
    assert {f["properties"]["name"] for f in doctor["features"]} == {community.school.name}


def test_the_map_page_loads_the_map_of_places_with_needs(community, as_user):
    response = as_user(community.anonymous).get(reverse("aid:needs-map"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-geojson="{reverse("aid:needs-geojson")}"' in page
    assert "leaflet" in page
