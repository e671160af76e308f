import pytest
from django.urls import reverse
from django.utils import translation

from hromada.core.models import AuditEvent
from hromada.tracing.models import Inquiry, Match
from hromada.tracing.tests.factories import make_inquiry, make_match, make_record

SEARCH = reverse("tracing:search")


@pytest.fixture
def records(community):
    return {
        "hospital": make_record(
            family_name="Шевченко",
            given_name="Олександр",
            patronymic="Петрович",
            birth_year=1987,
            current_location="ЦРЛ, палата 4",
        ),
        "shelter": make_record(
            family_name="Шевченко", given_name="Александр", source="shelter_registry"
        ),
    }


def test_anyone_files_an_inquiry_and_learns_only_a_reference(community, records, as_user):
    client = as_user(community.anonymous)
    form = client.get(reverse("tracing:inquiry-new"))
    assert form.status_code == 200
    response = client.post(
        reverse("tracing:inquiry-new"),
        {"family_name": "Shevchenko", "given_name": "Oleksandr", "birth_year": "1987",
         "inquirer_name": "Maria", "inquirer_contact": "+1 416 555 0101", "consent": "on",
         "idempotency_key": form.context["form"].initial["idempotency_key"]},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    inquiry = Inquiry.objects.get()
    assert inquiry.reference in html and "caseworker will answer" in html
    for secret in ("Шевченко", "Олександр", "ЦРЛ", "1987", "hospital", "match"):
        assert secret not in html


def test_the_inquiry_form_shows_field_errors_and_files_nothing(community, as_user):
    response = as_user(community.anonymous).post(
        reverse("tracing:inquiry-new"), {"given_name": "X"}
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {
        "family_name",
        "inquirer_name",
        "inquirer_contact",
    }
    assert not Inquiry.objects.exists()


def test_the_inquiry_form_speaks_ukrainian(community, client):
    response = client.get(reverse("tracing:inquiry-new"), HTTP_ACCEPT_LANGUAGE="uk")
    with translation.override("uk"):
        heading = translation.gettext("Looking for someone?")
    assert heading in response.content.decode()


@pytest.mark.parametrize("persona", ["volunteer", "analyst", "coordinator", "doctor"])
def test_other_members_cannot_search_or_read_a_record(community, records, as_user, persona):
    client = as_user(getattr(community, persona))
    assert client.get(SEARCH, {"q": "Shevchenko"}).status_code == 403
    assert (
        client.get(reverse("tracing:record-detail", args=[records["hospital"].pk])).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action__startswith="tracing.").exists()


def test_anonymous_visitors_are_sent_to_sign_in(community, records, as_user):
    response = as_user(community.anonymous).get(SEARCH, {"q": "Shevchenko"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_caseworker_searches_in_latin_and_finds_the_cyrillic_records(community, records, as_user):
    response = as_user(community.caseworker).get(
        SEARCH, {"q": "Oleksandr Shevchenko", "birth_year": "1987"}
    )
    html = response.content.decode()
    assert html.index("Шевченко Олександр Петрович") < html.index("Шевченко Александр")
    event = AuditEvent.objects.get(action="tracing.searched")
    assert event.actor == community.caseworker and event.details["q"] == "Oleksandr Shevchenko"


def test_htmx_search_gets_only_the_results(community, records, as_user):
    response = as_user(community.caseworker).get(
        SEARCH, {"q": "Shevchenko"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html


def test_reading_a_record_is_audited(community, records, as_user):
    record = records["hospital"]
    response = as_user(community.caseworker).get(reverse("tracing:record-detail", args=[record.pk]))
    assert "ЦРЛ, палата 4" in response.content.decode()
    event = AuditEvent.objects.get(action="tracing.record.viewed")
    assert (event.actor, event.object_id) == (community.caseworker, str(record.pk))
    assert "Шевченко" not in event.object_repr  # the log names the record, not the person


def test_a_caseworker_confirms_a_match_side_by_side_and_records_a_disclosure(
    community, records, as_user
):
    client = as_user(community.caseworker)
    inquiry = make_inquiry()
    match = inquiry.matches.get(right=records["hospital"])
    page = client.get(reverse("tracing:match-detail", args=[match.pk])).content.decode()
    assert "Шевченко" in page and "Shevchenko" in page
    response = client.post(
        reverse("tracing:match-decide", args=[match.pk]), {"decision": "confirm"}
    )
    assert response["Location"] == reverse("tracing:inquiry-detail", args=[inquiry.pk])
    match.refresh_from_db()
    assert match.status == Match.Status.CONFIRMED
    client.post(reverse("tracing:inquiry-disclose", args=[inquiry.pk]),
                {"what": "status", "recipient": "Maria Shevchenko", "basis": "consent"})  # fmt: skip
    html = client.get(reverse("tracing:inquiry-detail", args=[inquiry.pk])).content.decode()
    assert "Maria Shevchenko" in html and "That the person was found" in html


def test_a_refused_disclosure_is_explained_on_the_page(community, as_user):
    record = make_record(status="alive", disclosure="refused")
    match = make_match(right=record)
    client = as_user(community.caseworker)
    client.post(reverse("tracing:match-decide", args=[match.pk]), {"decision": "confirm"})
    response = client.post(
        reverse("tracing:inquiry-disclose", args=[match.inquiry.pk]),
        {"what": "location", "recipient": "Maria", "basis": "consent"},
        follow=True,
    )
    assert "refused" in response.content.decode()
    assert not record.disclosures.exists()


def test_the_match_queue_costs_the_same_queries_for_one_or_ten(
    community, as_user, django_assert_num_queries
):
    client = as_user(community.caseworker)
    inquiry = make_inquiry()
    for n in range(10):
        make_match(inquiry=inquiry, right=make_record(given_name=f"Name{n}"))
    # session, user, roles, proposed count, open inquiries count, queue count, queue page
    with django_assert_num_queries(8):  # +1: the session's second factor
        response = client.get(reverse("tracing:match-queue"))
    assert response.status_code == 200


def test_the_inquiry_list_costs_the_same_queries_for_any_number(
    community, as_user, django_assert_num_queries
):
    client = as_user(community.caseworker)
    for _ in range(5):
        make_inquiry(family_name="Melnyk")
    # session, user, roles, proposed count, open count, list count, list page with sought records
    with django_assert_num_queries(8):  # +1: the session's second factor
        client.get(reverse("tracing:inquiry-list"))


def test_the_pfif_export_is_audited_and_leaves_out_who_may_not_be_shared(community, as_user):
    make_record(family_name="Відкритий")
    make_record(family_name="Відмовився", disclosure="refused")
    make_record(family_name="Полонений", is_combatant=True, status="detained")
    response = as_user(community.caseworker).get(reverse("tracing:export-pfif"))
    xml = response.content.decode()
    assert "Відкритий" in xml and "Відмовився" not in xml and "Полонений" not in xml
    assert AuditEvent.objects.get(action="tracing.exported").details["rows"] == 1


def test_a_transfer_downloads_the_batch_and_records_it(community, as_user):
    make_record(family_name="Полонений", is_combatant=True, status="detained")
    client = as_user(community.caseworker)
    response = client.post(reverse("tracing:transfers"), {"recipient": "nib", "format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="transfer-')
    assert "Полонений" in response.content.decode()
    page = client.get(reverse("tracing:transfers")).content.decode()
    assert "National Information Bureau" in page
