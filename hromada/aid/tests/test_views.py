import csv
import io
import uuid
from decimal import Decimal

import hxl
import pytest
from django.urls import reverse
from django.utils import translation

from hromada.aid.models import Need
from hromada.aid.tests.factories import item, make_need
from hromada.core.models import AuditEvent

BOARD = reverse("aid:needs-board")


@pytest.fixture
def needs(community):
    return {
        "insulin": make_need(place=community.ward, item=item("insulin"), priority="critical"),
        "bread": make_need(place=community.office, item=item("bread"), priority="high"),
        "blankets": make_need(place=community.hub, item=item("blankets"), priority="low"),
        "school": make_need(place=community.school, item=item("sandbags")),
        "shelter": make_need(
            place=community.shelter, item=item("baby-formula"), priority="critical"
        ),
        "members_only": make_need(
            place=community.office, item=item("power-bank"), visibility="members"
        ),
        "closed": make_need(place=community.office, item=item("candles"), status="covered"),
    }


def test_the_board_lists_current_needs_most_urgent_first(community, needs, as_user):
    html = as_user(community.anonymous).get(BOARD).content.decode()
    assert html.index("Insulin") < html.index("Bread") < html.index("Blankets")
    assert "Candles" not in html


def test_anonymous_visitors_see_no_members_or_restricted_needs(community, needs, as_user):
    html = as_user(community.anonymous).get(BOARD).content.decode()
    for hidden in ("Sandbags", "Baby formula", "Power bank", "Школа № 5", "Укриття № 1"):
        assert hidden not in html


def test_members_see_members_needs_and_their_own_restricted_ones(community, needs, as_user):
    volunteer = as_user(community.volunteer).get(BOARD).content.decode()
    assert "Sandbags" in volunteer and "Power bank" in volunteer and "Baby formula" not in volunteer
    assert "Baby formula" in as_user(community.coordinator).get(BOARD).content.decode()


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"priority": "critical"}, ["Insulin"], ["Bread", "Blankets"]),
        ({"category": "bedding"}, ["Blankets"], ["Insulin", "Bread"]),
        ({"area": "UA59020130170000001"}, ["Blankets"], ["Insulin", "Bread"]),
        ({"area": "UA59020130000000001"}, ["Blankets", "Insulin", "Bread"], []),
        ({"q": "ХЛІБ"}, ["Bread"], ["Insulin", "Blankets"]),
        ({"q": "лікарня"}, ["Insulin"], ["Bread", "Blankets"]),
    ],
)
def test_the_board_filters_by_area_category_priority_and_text(
    community, needs, as_user, query, shown, hidden
):
    html = as_user(community.anonymous).get(BOARD, query).content.decode()
    for name in shown:
        assert name in html
    for name in hidden:
        assert name not in html


def test_an_unknown_filter_value_is_shown_as_an_error_and_ignored(community, needs, as_user):
    response = as_user(community.anonymous).get(BOARD, {"priority": "whenever"})
    assert response.status_code == 200
    assert "Insulin" in response.content.decode() and "Blankets" in response.content.decode()
    assert response.context["form"].errors["priority"]


def test_htmx_requests_get_only_the_results_fragment(community, needs, as_user):
    response = as_user(community.anonymous).get(
        BOARD, {"priority": "critical"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and "Insulin" in html and "Bread" not in html


def test_the_board_costs_the_same_queries_for_three_needs_or_thirty(
    community, as_user, django_assert_num_queries
):
    client = as_user(community.volunteer)
    for _ in range(30):
        make_need(place=community.hub)
    # session, user, memberships (roles), areas' paths, areas, count, page of needs
    with django_assert_num_queries(7):
        response = client.get(BOARD)
    assert response.context["page"].paginator.count == 30


def test_the_board_in_ukrainian_for_a_ukrainian_browser(community, needs, client):
    response = client.get(BOARD, HTTP_ACCEPT_LANGUAGE="uk")
    assert response["Content-Language"] == "uk"
    html = response.content.decode()
    with translation.override("uk"):
        heading = translation.gettext("What is needed")
    assert heading != "What is needed"
    assert heading in html and "Інсулін" in html


def test_the_csv_export_matches_the_board_and_is_audited(community, needs, as_user):
    response = as_user(community.anonymous).get(
        reverse("aid:needs-export"), {"priority": "critical"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["item_code"] for row in rows] == ["insulin"]
    assert rows[0]["hromada"] == "Okhtyrka Hromada" and rows[0]["settlement"] == "Okhtyrka"
    event = AuditEvent.objects.get(action="aid.needs.exported")
    assert event.details["rows"] == 1 and event.actor is None


def test_the_hxl_export_parses_back_with_libhxl(community, needs, as_user):
    response = as_user(community.anonymous).get(reverse("aid:needs-export"), {"hxl": "1"})
    data = hxl.data(io.BytesIO(response.content), hxl.InputOptions(allow_local=True))
    assert "#item+name" in [column.display_tag for column in data.columns]
    rows = list(data)
    assert {row.get("#item+name") for row in rows} == {"Insulin", "Bread", "Blankets"}
    assert {row.get("#loc+name") for row in rows} == {"Лікарня", "Міська рада", "Пункт видачі"}
    assert {row.get("#adm3+name") for row in rows} == {"Okhtyrka Hromada"}


def test_a_coordinator_posts_a_need_from_the_form(community, as_user):
    client = as_user(community.coordinator)
    form = client.get(reverse("aid:need-create"))
    assert (
        "Укриття № 1" in form.content.decode()
        and "Лікарня" not in form.content.decode().split("id_place")[1][:2000]
    )
    key = uuid.uuid4().hex
    data = {
        "place": community.shelter.pk,
        "item": item("blankets").pk,
        "quantity": "120",
        "priority": "high",
        "visibility": "public",
        "idempotency_key": key,
    }
    response = client.post(reverse("aid:need-create"), data)
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "aid:need-detail", args=[need.pk]
    )
    assert (need.quantity, need.unit, need.priority) == (Decimal(120), "piece", "high")
    client.post(reverse("aid:need-create"), data)  # a double tap on "Post"
    assert Need.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "0", "Ensure this value is greater than or equal to 0.001."),
        ("quantity", "-3", "Ensure this value is greater than or equal to 0.001."),
        ("needed_by", "2022-02-28", "This date is in the past."),
        ("note", "x" * 10_000, "Ensure this value has at most 2000 characters"),
        ("item", "999999", "Select a valid choice."),
        ("idempotency_key", "bad key!", "This form was damaged in transit."),
    ],
)
def test_bad_input_on_the_form_is_explained_and_nothing_is_saved(
    community, as_user, field, value, message
):
    data = {
        "place": community.shelter.pk,
        "item": item("bread").pk,
        "quantity": "5",
        "priority": "normal",
        "visibility": "public",
    }
    data[field] = value
    response = as_user(community.coordinator).post(reverse("aid:need-create"), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Need.objects.exists()


def test_form_errors_are_in_ukrainian_for_a_ukrainian_user(community, as_user):
    community.coordinator.language = "uk"
    community.coordinator.save()
    data = {
        "place": community.shelter.pk,
        "item": "",
        "quantity": "0",
        "priority": "normal",
        "visibility": "public",
    }
    html = as_user(community.coordinator).post(reverse("aid:need-create"), data).content.decode()
    assert "Переконайтеся, що це значення більше чи дорівнює 0.001" in html


def test_a_coordinator_gets_403_posting_at_another_organisations_place(community, as_user):
    data = {
        "place": community.ward.pk,
        "item": item("bread").pk,
        "quantity": "5",
        "priority": "normal",
        "visibility": "public",
    }
    response = as_user(community.coordinator).post(reverse("aid:need-create"), data)
    assert response.status_code == 403
    assert not Need.objects.exists()


def test_a_volunteer_may_not_open_the_need_form(community, as_user):
    assert as_user(community.volunteer).get(reverse("aid:need-create")).status_code == 403


def test_editing_and_closing_from_the_pages(community, as_user):
    need = make_need(place=community.shelter)
    client = as_user(community.coordinator)
    response = client.post(
        reverse("aid:need-edit", args=[need.pk]),
        {
            "place": community.shelter.pk,
            "item": need.item.pk,
            "quantity": "80",
            "quantity_covered": "0",
            "unit": need.unit,
            "priority": "critical",
            "needed_by": need.needed_by.isoformat(),
            "note": "",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.quantity, need.priority) == (Decimal(80), "critical")
    client.post(reverse("aid:need-close", args=[need.pk]), {"status": "covered"})
    need.refresh_from_db()
    assert need.status == "covered"
    assert client.get(reverse("aid:need-edit", args=[need.pk])).status_code == 302


def test_need_pages_hide_what_the_visitor_may_not_see(community, needs, as_user):
    anonymous = as_user(community.anonymous)
    assert anonymous.get(reverse("aid:need-detail", args=[needs["shelter"].pk])).status_code == 404
    assert (
        anonymous.get(reverse("aid:need-detail", args=[needs["members_only"].pk])).status_code
        == 404
    )
    assert anonymous.get(reverse("aid:need-detail", args=[needs["insulin"].pk])).status_code == 200
    volunteer = as_user(community.volunteer)
    assert volunteer.get(reverse("aid:need-edit", args=[needs["insulin"].pk])).status_code == 403
    assert (
        volunteer.post(
            reverse("aid:need-close", args=[needs["insulin"].pk]), {"status": "covered"}
        ).status_code
        == 403
    )


def test_ten_megabytes_of_note_from_a_page_are_refused_clearly(community, as_user):
    data = {
        "place": community.shelter.pk,
        "item": item("bread").pk,
        "quantity": "5",
        "priority": "normal",
        "visibility": "public",
        "note": "x" * 10_000_000,
    }
    response = as_user(community.coordinator).post(reverse("aid:need-create"), data)
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Need.objects.exists()


def test_a_stale_form_gets_a_clear_message_in_the_users_language(community):
    from django.test import Client

    from hromada.core.tests.factories import sign_in

    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="uk")
    sign_in(browser, community.coordinator)
    response = browser.post(reverse("aid:need-create"), {"place": community.shelter.pk})
    assert response.status_code == 403
    with translation.override("uk"):
        assert translation.gettext(
            "This form has expired. Go back, reload the page and send it again."
        ) in (response.content.decode())


def test_the_board_exports_to_xlsx_with_numbers_as_numbers(community, needs, as_user):
    from openpyxl import load_workbook

    response = as_user(community.anonymous).get(
        reverse("aid:needs-export"), {"format": "xlsx", "priority": "high"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    row = dict(zip(header, first, strict=True))
    assert row["item_code"] == "bread" and row["quantity"] == 100


def test_free_text_cannot_become_a_spreadsheet_formula(community, as_user):
    make_need(place=community.office, title='=HYPERLINK("http://evil")', item=None, unit="piece")
    response = as_user(community.anonymous).get(reverse("aid:needs-export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["item"] == '\'=HYPERLINK("http://evil")'
