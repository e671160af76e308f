import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from hromada.aid.services import deliveries
from hromada.aid.tests.factories import item, make_need
from hromada.core.models import AuditEvent
from hromada.funds import services
from hromada.funds.models import Donation, Expense
from hromada.funds.tests.factories import PDF, make_donation, make_expense, make_fund, make_rate

SECRET_DONOR = "Таємний Донор"
SECRET_CONTACT = "secret.donor@example.org"


@pytest.fixture
def fund(community):
    fund = make_fund(organization=community.council, name="Хліб для укриттів")
    make_donation(
        fund, "300.00", donor_name=SECRET_DONOR, donor_contact=SECRET_CONTACT, reference="R-SECRET"
    )
    make_donation(fund, "50.00", currency="EUR", donor_name="Anna Schmidt", donor_public=True)
    make_rate("EUR", "44.00")
    return fund


def test_a_donor_who_did_not_agree_never_appears_on_a_public_page_or_export(
    community, fund, as_user
):
    client = as_user(community.anonymous)
    expense = make_expense(fund, "100.00")
    pages = [
        f"/funds/{fund.pk}/",
        f"/funds/{fund.pk}/expenses/{expense.pk}/",
        f"/funds/{fund.pk}/reports/{expense.spent_on.year}/{expense.spent_on.month}/",
        f"/funds/{fund.pk}/donations.csv",
        f"/funds/{fund.pk}/expenses.csv",
        "/funds/",
    ]
    for path in pages:
        text = client.get(path).content.decode()
        assert SECRET_DONOR not in text and SECRET_CONTACT not in text and "R-SECRET" not in text, (
            path
        )
    assert "Anna Schmidt" in client.get(f"/funds/{fund.pk}/").content.decode()
    book = load_workbook(io.BytesIO(client.get(f"/funds/{fund.pk}/donations.xlsx").content))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row]
    assert SECRET_DONOR not in cells and "Anna Schmidt" in cells


def test_the_transparency_page_shows_totals_with_the_rate_and_its_date(community, fund, as_user):
    text = as_user(community.anonymous).get(f"/funds/{fund.pk}/").content.decode()
    assert "2\u202f500.00 UAH" in text  # 300 UAH + 50 EUR at 44
    assert "1 EUR = 44 UAH" in text


def test_the_export_is_csv_with_hashtags_and_is_logged(community, fund, as_user):
    response = as_user(community.anonymous).get(f"/funds/{fund.pk}/donations.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "#date" and len(rows) == 4
    assert AuditEvent.objects.filter(action="funds.exported").count() == 1


def test_a_donor_follows_an_earmark_to_the_expense_and_the_delivery_it_paid_for(community, as_user):
    fund = make_fund(organization=community.council)
    need = make_need(place=community.office, item=item("candles"), quantity=Decimal(20))
    services.record_donation(
        community.coordinator, fund, amount=Decimal("700.00"), currency="UAH",
        received_on=need.created_at.date(), earmark_need=need,
    )  # fmt: skip
    expense, _ = services.record_expense(
        community.coordinator, fund, amount=Decimal("640.00"), currency="UAH",
        spent_on=need.created_at.date(), payee="ФОП Свічки", purpose="Свічки для ради",
        category="power", earmark_need=need,
        purchases=[services.PurchaseIn(item("candles"), Decimal(20), community.school)],
    )  # fmt: skip
    delivery, _ = deliveries.plan_delivery(
        community.coordinator, from_place=community.school, to_place=community.office,
        lines=[deliveries.LineIn(item("candles"), Decimal(20), need)],
    )  # fmt: skip
    deliveries.claim_delivery(community.coordinator, delivery)
    deliveries.pick_up(community.coordinator, delivery)
    deliveries.mark_delivered(community.coordinator, delivery, recipient_name="Черговий")

    client = as_user(community.anonymous)
    page = client.get(f"/funds/{fund.pk}/").content.decode()
    earmark_url = re.search(rf'href="(/funds/{fund.pk}/earmarks/need-{need.pk}/)"', page).group(1)
    earmark = client.get(earmark_url).content.decode()
    assert "Свічки для ради" in earmark
    detail = client.get(f"/funds/{fund.pk}/expenses/{expense.pk}/").content.decode()
    assert f"delivered to {community.office.name} (delivery #{delivery.pk})" in detail


def test_the_manager_records_an_expense_with_a_receipt_and_the_public_sees_it_is_held(
    community, fund, as_user
):
    client = as_user(community.coordinator)
    response = client.post(
        f"/funds/{fund.pk}/expenses/new/",
        {
            "amount": "120.00", "currency": "UAH", "spent_on": "2026-12-01", "payee": "ФОП",
            "purpose": "Дріжджі", "category": "food",
            "receipt": SimpleUploadedFile("check.pdf", PDF, content_type="application/pdf"),
        },
    )  # fmt: skip
    assert response.status_code == 302
    expense = Expense.objects.get()
    public = as_user(community.anonymous).get(f"/funds/{fund.pk}/expenses/{expense.pk}/")
    assert "Held" in public.content.decode() and "/receipt/" not in public.content.decode()
    assert (
        as_user(community.anonymous)
        .get(f"/funds/{fund.pk}/expenses/{expense.pk}/receipt/")
        .status_code
        == 302
    )
    receipt = client.get(f"/funds/{fund.pk}/expenses/{expense.pk}/receipt/")
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="funds.receipt.viewed").count() == 1


def test_a_bad_donation_form_is_shown_again_with_its_errors(community, fund, as_user):
    response = as_user(community.coordinator).post(
        f"/funds/{fund.pk}/donations/new/",
        {
            "amount": "5",
            "currency": "UAH",
            "received_on": "2999-01-01",
            "channel": "bank",
            "donor_public": "on",
        },
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert (
        "This day is still to come." in text and "Give the name the donor agreed to show." in text
    )
    assert Donation.objects.count() == 2


def test_a_second_press_of_the_form_records_one_donation(community, fund, as_user):
    client = as_user(community.coordinator)
    data = {
        "amount": "5",
        "currency": "UAH",
        "received_on": "2026-12-01",
        "channel": "cash",
        "idempotency_key": "k-12345678",
    }
    client.post(f"/funds/{fund.pk}/donations/new/", data)
    client.post(f"/funds/{fund.pk}/donations/new/", data)
    assert Donation.objects.filter(channel="cash").count() == 1


def test_the_list_of_funds_reads_a_fixed_number_of_queries(
    community, fund, as_user, django_assert_num_queries
):
    make_fund(organization=community.hq)
    client = as_user(community.anonymous)
    client.get("/funds/")  # warm: sessions, content types
    # the funds (1); for each fund: raised and spent by currency, waiting expenses (3), its
    # balances: donations, expenses, conversions in and out (4); for each foreign currency in the
    # raised and balance totals, the direct and the inverse rate (2 + 2 for the EUR held here).
    # 1 + (3 + 4 + 4) + (3 + 4) for the second fund, which holds nothing yet.
    with django_assert_num_queries(19):
        assert client.get("/funds/").status_code == 200


def test_the_public_list_of_donations_reads_a_fixed_number_of_queries(
    community, fund, as_user, django_assert_num_queries
):
    for n in range(10):
        make_donation(
            fund, "10.00", earmark_need=make_need(place=community.office) if n % 2 else None
        )
    client = as_user(community.anonymous)
    # the fund; the count; the page of donations with their earmarked needs, items and places
    with django_assert_num_queries(3):
        assert client.get(f"/api/funds/{fund.pk}/donations?limit=50").status_code == 200
