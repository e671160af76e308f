"""Every funds page and API operation, for every persona (see tests/matrix.py).

The City Council runs a public fund (``fund``) and a private one (``private_fund``); its
coordinators and admins manage both. ``awaiting`` is an expense above the threshold that the
council's coordinator recorded: only another manager approves it.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hromada.funds import imports
from hromada.funds.models import BankMapping, Expense
from hromada.funds.tests.factories import make_donation, make_expense, make_fund, make_rate
from tests.matrix import (
    ANY_COORDINATOR,
    COUNCIL,
    MANAGERS,
    Row,
    api_for,
    everyone,
    hidden_from_others,
    only,
    page_for,
)

STATEMENT = "Дата;Сума;Референс\n01.03.2026;500,00;R-1\n".encode()
SECOND_MANAGERS = {"org_admin", "superuser"}  # the coordinator recorded the awaiting expense


def prepare(c):
    c.fund = make_fund(organization=c.council, approval_threshold=Decimal("1000.00"))
    c.private_fund = make_fund(organization=c.council, is_public=False)
    c.donation = make_donation(c.fund, "5000.00", earmark_category="food")
    c.expense = make_expense(c.fund, "300.00", receipt=True, earmark_category="food")
    c.awaiting = make_expense(
        c.fund, "2000.00", status=Expense.Status.AWAITING, created_by=c.coordinator
    )
    make_rate()
    c.mapping = BankMapping.objects.create(
        organization=c.council,
        bank="Банк",
        columns={"date": "Дата", "amount": "Сума", "reference": "Референс"},
    )
    c.upload = imports.save_upload(c.coordinator, c.fund, c.mapping, "statement.csv", STATEMENT)


def yesterday():
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def donation_form(c):
    return {"amount": "100.00", "currency": "UAH", "received_on": yesterday(), "channel": "bank"}


def expense_form(c):
    return {
        "amount": "50.00",
        "currency": "UAH",
        "spent_on": yesterday(),
        "payee": "ФОП",
        "purpose": "Хліб",
        "category": "food",
    }


def expense_json(c):
    return {
        "amount": "50.00",
        "currency": "UAH",
        "spent_on": yesterday(),
        "payee": "ФОП",
        "purpose": "Хліб",
        "category": "food",
    }


def fund_form(c):
    return {
        "organization": c.council.pk,
        "name": "Новий фонд",
        "purpose": "Ліки",
        "currencies": ["UAH"],
        "base_currency": "UAH",
        "approval_threshold": "5000",
    }


def correction(c):
    return {"amount": "4000.00", "note": "Помилка в сумі"}


def statement(c):
    return {"bank": "Банк", "file": SimpleUploadedFile("s.csv", STATEMENT, content_type="text/csv")}


def new_fund(persona):
    """Managers open one; coordinators of other organisations may not choose the council."""
    if persona in MANAGERS:
        return 302
    if persona in ANY_COORDINATOR:
        return 422
    return 302 if persona == "anonymous" else 403


def own_upload(ok):
    """The upload is the coordinator's own: another manager does not find it."""
    return lambda p: (
        ok
        if p == "coordinator"
        else 404
        if p in SECOND_MANAGERS
        else 302
        if p == "anonymous"
        else 403
    )


PUBLIC = everyone(200)
PRIVATE_PAGE = hidden_from_others(COUNCIL, 200)
MANAGE_PAGE = page_for(MANAGERS, 200)
MANAGE_POST = page_for(MANAGERS, 302)
SECOND_PAGE = only(SECOND_MANAGERS, 302, others=403, anonymous=302)
SECOND_API = only(SECOND_MANAGERS, 200, others=403, anonymous=401)

ROWS = [
    Row("funds", "get", lambda c: "/funds/", PUBLIC),
    Row("public fund", "get", lambda c: f"/funds/{c.fund.pk}/", PUBLIC),
    Row("private fund", "get", lambda c: f"/funds/{c.private_fund.pk}/", PRIVATE_PAGE),
    Row("spent expense", "get", lambda c: f"/funds/{c.fund.pk}/expenses/{c.expense.pk}/", PUBLIC),
    Row(
        "awaiting expense",
        "get",
        lambda c: f"/funds/{c.fund.pk}/expenses/{c.awaiting.pk}/",
        only(MANAGERS, 200, others=404),
    ),
    Row("earmark", "get", lambda c: f"/funds/{c.fund.pk}/earmarks/category-food/", PUBLIC),
    Row(
        "monthly report",
        "get",
        lambda c: (
            f"/funds/{c.fund.pk}/reports/{timezone.localdate().year}/{timezone.localdate().month}/"
        ),
        PUBLIC,
    ),
    Row(
        "private monthly report",
        "get",
        lambda c: f"/funds/{c.private_fund.pk}/reports/2026/1/",
        PRIVATE_PAGE,
    ),
    Row("donations CSV", "get", lambda c: f"/funds/{c.fund.pk}/donations.csv", PUBLIC),
    Row("expenses XLSX", "get", lambda c: f"/funds/{c.fund.pk}/expenses.xlsx", PUBLIC),
    Row(
        "private fund CSV",
        "get",
        lambda c: f"/funds/{c.private_fund.pk}/donations.csv",
        PRIVATE_PAGE,
    ),
    Row("rates", "get", lambda c: "/funds/rates/", PUBLIC),
    Row(
        "enter rate",
        "post",
        lambda c: "/funds/rates/",
        page_for(ANY_COORDINATOR, 302),
        lambda c: {"currency": "USD", "rate": "41.5", "quote": "UAH", "on": yesterday()},
    ),
    Row("fund form", "get", lambda c: "/funds/new/", page_for(ANY_COORDINATOR, 200)),
    Row("open fund", "post", lambda c: "/funds/new/", new_fund, fund_form),
    Row("settings", "get", lambda c: f"/funds/{c.fund.pk}/settings/", MANAGE_PAGE),
    Row(
        "save settings",
        "post",
        lambda c: f"/funds/{c.fund.pk}/settings/",
        MANAGE_POST,
        lambda c: {"purpose": "Ліки", "currencies": ["UAH"], "approval_threshold": "2000"},
    ),
    Row("ledger", "get", lambda c: f"/funds/{c.fund.pk}/ledger/", MANAGE_PAGE),
    Row(
        "private ledger",
        "get",
        lambda c: f"/funds/{c.private_fund.pk}/ledger/",
        lambda p: (
            302 if p == "anonymous" else 200 if p in MANAGERS else 403 if p in COUNCIL else 404
        ),
    ),
    Row("donation form", "get", lambda c: f"/funds/{c.fund.pk}/donations/new/", MANAGE_PAGE),
    Row(
        "record donation",
        "post",
        lambda c: f"/funds/{c.fund.pk}/donations/new/",
        MANAGE_POST,
        donation_form,
    ),
    Row(
        "correct donation",
        "post",
        lambda c: f"/funds/{c.fund.pk}/donations/{c.donation.pk}/correct/",
        MANAGE_POST,
        correction,
    ),
    Row("expense form", "get", lambda c: f"/funds/{c.fund.pk}/expenses/new/", MANAGE_PAGE),
    Row(
        "record expense",
        "post",
        lambda c: f"/funds/{c.fund.pk}/expenses/new/",
        MANAGE_POST,
        expense_form,
    ),
    Row(
        "approve expense",
        "post",
        lambda c: f"/funds/{c.fund.pk}/expenses/{c.awaiting.pk}/approve/",
        SECOND_PAGE,
    ),
    Row(
        "reject expense",
        "post",
        lambda c: f"/funds/{c.fund.pk}/expenses/{c.awaiting.pk}/reject/",
        SECOND_PAGE,
        lambda c: {"reason": "Дорого"},
    ),
    Row(
        "correct expense",
        "post",
        lambda c: f"/funds/{c.fund.pk}/expenses/{c.expense.pk}/correct/",
        MANAGE_POST,
        lambda c: {"amount": "250.00", "note": "Повернення"},
    ),
    Row(
        "receipt",
        "get",
        lambda c: f"/funds/{c.fund.pk}/expenses/{c.expense.pk}/receipt/",
        MANAGE_PAGE,
    ),
    Row(
        "conversion",
        "post",
        lambda c: f"/funds/{c.fund.pk}/conversions/new/",
        MANAGE_POST,
        lambda c: {
            "sold_amount": "100",
            "sold_currency": "UAH",
            "bought_amount": "2",
            "bought_currency": "EUR",
            "on": yesterday(),
        },
    ),
    Row("import form", "get", lambda c: f"/funds/{c.fund.pk}/import/", MANAGE_PAGE),
    Row(
        "import preview", "get", lambda c: f"/funds/{c.fund.pk}/import/{c.upload}/", own_upload(200)
    ),
    Row(
        "import commit",
        "post",
        lambda c: f"/funds/{c.fund.pk}/import/{c.upload}/commit/",
        own_upload(302),
    ),
    Row(
        "import cancel",
        "post",
        lambda c: f"/funds/{c.fund.pk}/import/{c.upload}/cancel/",
        MANAGE_POST,
    ),
    # API
    Row("api funds", "get", lambda c: "/api/funds", PUBLIC),
    Row(
        "api open fund",
        "post",
        lambda c: "/api/funds",
        api_for(MANAGERS, 201),
        lambda c: {"organization_id": c.council.pk, "name": "API", "purpose": "Ліки"},
        json=True,
    ),
    Row("api fund", "get", lambda c: f"/api/funds/{c.fund.pk}", PUBLIC),
    Row("api private fund", "get", lambda c: f"/api/funds/{c.private_fund.pk}", PRIVATE_PAGE),
    Row("api earmarks", "get", lambda c: f"/api/funds/{c.fund.pk}/earmarks", PUBLIC),
    Row("api donations", "get", lambda c: f"/api/funds/{c.fund.pk}/donations", PUBLIC),
    Row(
        "api private donations",
        "get",
        lambda c: f"/api/funds/{c.private_fund.pk}/donations",
        PRIVATE_PAGE,
    ),
    Row(
        "api ledger",
        "get",
        lambda c: f"/api/funds/{c.fund.pk}/ledger/donations",
        api_for(MANAGERS, 200),
    ),
    Row(
        "api record donation",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/donations",
        api_for(MANAGERS, 201),
        donation_form,
        json=True,
    ),
    Row(
        "api correct donation",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/donations/{c.donation.pk}/correct",
        api_for(MANAGERS, 201),
        correction,
        json=True,
    ),
    Row("api expenses", "get", lambda c: f"/api/funds/{c.fund.pk}/expenses", PUBLIC),
    Row("api expense", "get", lambda c: f"/api/funds/{c.fund.pk}/expenses/{c.expense.pk}", PUBLIC),
    Row(
        "api awaiting expense",
        "get",
        lambda c: f"/api/funds/{c.fund.pk}/expenses/{c.awaiting.pk}",
        only(MANAGERS, 200, others=404),
    ),
    Row(
        "api record expense",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/expenses",
        api_for(MANAGERS, 201),
        expense_json,
        json=True,
    ),
    Row(
        "api approve",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/expenses/{c.awaiting.pk}/approve",
        SECOND_API,
        lambda c: {},
        json=True,
    ),
    Row(
        "api reject",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/expenses/{c.awaiting.pk}/reject",
        SECOND_API,
        lambda c: {"reason": "Дорого"},
        json=True,
    ),
    Row(
        "api correct expense",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/expenses/{c.expense.pk}/correct",
        api_for(MANAGERS, 201),
        lambda c: {"amount": "250.00", "note": "Повернення"},
        json=True,
    ),
    Row("api rates", "get", lambda c: "/api/exchange-rates", PUBLIC),
    Row(
        "api enter rate",
        "post",
        lambda c: "/api/exchange-rates",
        api_for(ANY_COORDINATOR, 201),
        lambda c: {"currency": "USD", "rate": "41.5", "on": yesterday()},
        json=True,
    ),
    Row(
        "api statement",
        "post",
        lambda c: f"/api/funds/{c.fund.pk}/statements",
        api_for(MANAGERS, 200),
        statement,
    ),
]
