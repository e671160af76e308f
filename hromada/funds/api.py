"""The funds API: the same permission helpers and services as the pages.

Anyone reads a public fund's transparency data (never a donor who did not agree to be named);
its managers record donations and expenses, approve, correct, and import bank statements.
"""

import datetime
import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from hromada.aid.models import Item, Need
from hromada.aid.permissions import visible_needs
from hromada.core import permissions as core_permissions
from hromada.core.api_auth import anyone
from hromada.core.idempotency import validate_key
from hromada.core.models import Place
from hromada.funds import imports, selectors, services
from hromada.funds.models import (
    BankMapping,
    Channel,
    Currency,
    Donation,
    ExchangeRate,
    Expense,
    Fund,
)
from hromada.funds.permissions import access_expense, access_fund, visible_funds
from hromada.lib.pagination import LimitOffsetPagination

router = Router(tags=["funds"])


class TotalOut(Schema):
    by_currency: dict[str, Decimal]
    quote: str
    converted: Decimal | None = Field(description="Null when a currency has no exchange rate.")
    rates: list[str] = Field(description="The rates used, each with its date.")
    missing: list[str] = Field(description="Currencies without a rate.")


def _total(total: services.Total) -> dict[str, Any]:
    return {
        "by_currency": total.by_currency,
        "quote": total.quote,
        "converted": total.converted,
        "rates": [str(r) for r in total.rates],
        "missing": total.missing,
    }


class FundOut(Schema):
    id: int
    name: str
    organization: str = Field(alias="organization.name")
    purpose: str
    currencies: list[str]
    base_currency: str
    is_public: bool
    approval_threshold: Decimal


class FundSummaryOut(Schema):
    fund: FundOut
    raised: TotalOut
    spent: TotalOut
    balance: TotalOut
    as_of: datetime.date


class EarmarkOut(Schema):
    key: str
    label: str
    raised: TotalOut
    spent: TotalOut
    overspent: bool


class FundIn(Schema):
    organization_id: int
    name: str = Field(max_length=200)
    purpose: str = Field(max_length=2000)
    currencies: list[Currency] = []
    base_currency: Currency = Currency.UAH
    is_public: bool = True
    approval_threshold: Decimal = Field(Decimal("10000.00"), ge=0, max_digits=14, decimal_places=2)

    model_config = {"extra": "forbid"}


class PublicDonationOut(Schema):
    id: int
    received_on: datetime.date
    amount: Decimal
    currency: str
    channel: str
    donor: str = Field(description="Empty unless the donor agreed to be named.")
    earmark: str
    earmark_key: str
    corrects: int | None

    @staticmethod
    def resolve_donor(obj: Donation) -> str:
        return obj.public_donor

    @staticmethod
    def resolve_earmark(obj: Donation, context: dict[str, Any]) -> str:
        return selectors.earmark_label(context["request"].user, obj)

    @staticmethod
    def resolve_corrects(obj: Donation) -> int | None:
        return obj.corrects_id


class DonationOut(PublicDonationOut):
    donor_name: str
    donor_contact: str
    donor_public: bool
    reference: str
    note: str


class DonationIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: Currency
    received_on: datetime.date
    channel: Channel = Channel.BANK
    donor_name: str = Field("", max_length=200)
    donor_contact: str = Field("", max_length=200)
    donor_public: bool = False
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=500)
    earmark_category: str = Field("", max_length=32)
    earmark_place_id: int | None = None
    earmark_need_id: int | None = None

    model_config = {"extra": "forbid"}


class CorrectionIn(Schema):
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="The right amount.")
    note: str = Field(min_length=1, max_length=300)


class CarriedOut(Schema):
    delivery_id: int
    status: str
    quantity: Decimal
    to: str


class PurchaseOut(Schema):
    item: str
    item_code: str
    quantity: Decimal
    batch: str
    deliveries: list[CarriedOut]


class ExpenseOut(Schema):
    id: int
    spent_on: datetime.date
    amount: Decimal
    currency: str
    base_amount: Decimal | None
    payee: str
    purpose: str
    category: str
    status: str
    earmark: str
    earmark_key: str
    receipt_held: bool
    corrects: int | None
    purchases: list[PurchaseOut]


class PurchaseIn(Schema):
    item_id: int
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    hub_id: int
    expires_on: datetime.date | None = None


class ExpenseIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: Currency
    spent_on: datetime.date
    payee: str = Field(max_length=200)
    purpose: str = Field(max_length=300)
    category: str = Field(max_length=32)
    earmark_category: str = Field("", max_length=32)
    earmark_place_id: int | None = None
    earmark_need_id: int | None = None
    purchases: list[PurchaseIn] = Field([], max_length=50)
    confirm_overspend: bool = False

    model_config = {"extra": "forbid"}


class DecisionIn(Schema):
    confirm_overspend: bool = False
    reason: str = Field("", max_length=300)


class RateIn(Schema):
    currency: Currency
    quote: Currency = Currency.UAH
    rate: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    on: datetime.date
    source: str = Field("", max_length=100)

    model_config = {"extra": "forbid"}


class RateOut(Schema):
    id: int
    currency: str
    quote: str
    rate: Decimal
    on: datetime.date
    source: str


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class SkippedOut(Schema):
    row: int
    reference: str
    reason: str


class StatementOut(Schema):
    donations: int = Field(description="New donations in the file (added when committed).")
    skipped: list[SkippedOut]
    errors: list[RowErrorOut]
    committed: bool


def _fund_summary(fund: Fund) -> dict[str, Any]:
    summary = selectors.summary(fund)
    return {
        "fund": fund,
        "raised": _total(summary.raised),
        "spent": _total(summary.spent),
        "balance": _total(summary.balance),
        "as_of": summary.as_of,
    }


def _expense(
    user: Any, expense: Expense, trails: dict[int, list[selectors.Trail]]
) -> dict[str, Any]:
    return {
        "id": expense.pk,
        "spent_on": expense.spent_on,
        "amount": expense.amount,
        "currency": expense.currency,
        "base_amount": expense.base_amount,
        "payee": expense.payee,
        "purpose": expense.purpose,
        "category": expense.category,
        "status": expense.status,
        "earmark": selectors.earmark_label(user, expense),
        "earmark_key": expense.earmark_key,
        "receipt_held": expense.has_receipt,
        "corrects": expense.corrects_id,
        "purchases": [
            {
                "item": t.purchase.item.name,
                "item_code": t.purchase.item.code,
                "quantity": t.purchase.quantity,
                "batch": t.purchase.batch,
                "deliveries": [
                    {
                        "delivery_id": c.delivery.pk,
                        "status": c.delivery.status,
                        "quantity": c.quantity,
                        "to": c.to_label,
                    }
                    for c in t.deliveries
                ],
            }
            for t in trails.get(expense.pk, [])
        ],
    }


def _place(user: Any, place_id: int | None, field: str) -> Place | None:
    if place_id is None:
        return None
    place = core_permissions.visible_places(user).filter(pk=place_id).first()
    if place is None:
        raise ValidationError({field: [_("Unknown place.")]})
    return place


def _need(user: Any, need_id: int | None) -> Need | None:
    if need_id is None:
        return None
    need = visible_needs(user).select_related("place").filter(pk=need_id).first()
    if need is None:
        raise ValidationError({"earmark_need_id": [_("Unknown need.")]})
    return need


@router.get(
    "/funds",
    response=list[FundSummaryOut],
    auth=anyone,
    summary="Funds this caller may see, with totals",
)
def list_funds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_fund_summary(fund) for fund in visible_funds(request.user)]


@router.post(
    "/funds", response={201: FundOut}, summary="Open a fund for an organisation you manage"
)
def create_fund(
    request: HttpRequest,
    response: HttpResponse,
    payload: FundIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Fund]:
    from hromada.funds.permissions import managed_organizations

    data = payload.dict()
    organization = (
        managed_organizations(request.user).filter(pk=data.pop("organization_id")).first()
    )
    if organization is None:
        raise PermissionDenied(_("Coordinators and admins of an organisation open its funds."))
    fund, created = services.create_fund(
        request.user,
        organization=organization,
        idempotency_key=idempotency_key,
        **{
            **data,
            "currencies": [str(c) for c in data["currencies"]],
            "base_currency": str(data["base_currency"]),
        },
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, fund)


@router.get("/funds/{fund_id}", response=FundSummaryOut, auth=anyone, summary="A fund's totals")
def get_fund(request: HttpRequest, fund_id: int) -> dict[str, Any]:
    return _fund_summary(access_fund(request.user, fund_id))


@router.get(
    "/funds/{fund_id}/earmarks",
    response=list[EarmarkOut],
    auth=anyone,
    summary="Earmarks: given and spent",
)
def list_earmarks(request: HttpRequest, fund_id: int) -> list[dict[str, Any]]:
    fund = access_fund(request.user, fund_id)
    return [
        {
            "key": e.key,
            "label": e.label,
            "raised": _total(e.raised),
            "spent": _total(e.spent),
            "overspent": e.overspent,
        }
        for e in selectors.earmarks(request.user, fund)
    ]


@router.get(
    "/funds/{fund_id}/donations",
    response=list[PublicDonationOut],
    auth=anyone,
    summary="Donations (donors named only when they agreed)",
)
@paginate(LimitOffsetPagination)
def list_donations(request: HttpRequest, fund_id: int) -> QuerySet[Donation]:
    return selectors.public_donations(access_fund(request.user, fund_id))


@router.get(
    "/funds/{fund_id}/ledger/donations",
    response=list[DonationOut],
    summary="Donations with donors and references, for the fund's managers",
)
@paginate(LimitOffsetPagination)
def list_ledger_donations(request: HttpRequest, fund_id: int) -> QuerySet[Donation]:
    from hromada.core.services import record_event

    fund = access_fund(request.user, fund_id, manage=True)
    record_event("funds.ledger.viewed", obj=fund, request=request, via="api")
    return selectors.public_donations(fund)


@router.post(
    "/funds/{fund_id}/donations",
    response={201: DonationOut},
    summary="Record a donation",
    description="Send `Idempotency-Key` (a UUID) so that a retry returns the first donation.",
)
def create_donation(
    request: HttpRequest,
    response: HttpResponse,
    fund_id: int,
    payload: DonationIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Donation]:
    fund = access_fund(request.user, fund_id, manage=True)
    data = payload.dict()
    donation, created = services.record_donation(
        request.user,
        fund,
        earmark_place=_place(request.user, data.pop("earmark_place_id"), "earmark_place_id"),
        earmark_need=_need(request.user, data.pop("earmark_need_id")),
        idempotency_key=idempotency_key,
        **{**data, "currency": str(data["currency"]), "channel": str(data["channel"])},
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, donation)


@router.post(
    "/funds/{fund_id}/donations/{donation_id}/correct",
    response={201: DonationOut},
    summary="Correct a donation",
)
def correct_donation(
    request: HttpRequest, fund_id: int, donation_id: int, payload: CorrectionIn
) -> Status[Donation]:
    fund = access_fund(request.user, fund_id, manage=True)
    donation = Donation.objects.filter(fund=fund, pk=donation_id).first()
    if donation is None:
        raise Http404
    correction = services.correct_donation(
        request.user, donation, amount=payload.amount, note=payload.note
    )
    return Status(201, correction)


@router.get(
    "/funds/{fund_id}/expenses",
    response=list[ExpenseOut],
    auth=anyone,
    summary="Spent expenses, with what they bought and where it went",
)
@paginate(LimitOffsetPagination)
def list_expenses(request: HttpRequest, fund_id: int) -> list[dict[str, Any]]:
    fund = access_fund(request.user, fund_id)
    expenses = list(selectors.spent_expenses(fund))
    trails = selectors.trails(request.user, expenses)
    return [_expense(request.user, e, trails) for e in expenses]


@router.get(
    "/funds/{fund_id}/expenses/{expense_id}",
    response=ExpenseOut,
    auth=anyone,
    summary="One expense",
)
def get_expense(request: HttpRequest, fund_id: int, expense_id: int) -> dict[str, Any]:
    fund = access_fund(request.user, fund_id)
    expense = access_expense(request.user, fund, expense_id)
    return _expense(request.user, expense, selectors.trails(request.user, [expense]))


@router.post(
    "/funds/{fund_id}/expenses",
    response={201: ExpenseOut},
    summary="Record an expense; a purchase receives its goods into stock",
    description=(
        "Above the fund's threshold the expense waits for a second manager (status `awaiting`). "
        "Send `Idempotency-Key` so that a retry returns the first expense."
    ),
)
def create_expense(
    request: HttpRequest,
    response: HttpResponse,
    fund_id: int,
    payload: ExpenseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    fund = access_fund(request.user, fund_id, manage=True)
    data = payload.dict()
    purchases = []
    for number, line in enumerate(data.pop("purchases")):
        item = Item.objects.filter(pk=line["item_id"], is_active=True).first()
        hub = _place(request.user, line["hub_id"], f"purchases.{number}.hub_id")
        if item is None:
            raise ValidationError({f"purchases.{number}.item_id": [_("Unknown item.")]})
        assert hub is not None
        purchases.append(services.PurchaseIn(item, line["quantity"], hub, line["expires_on"]))
    expense, created = services.record_expense(
        request.user,
        fund,
        earmark_place=_place(request.user, data.pop("earmark_place_id"), "earmark_place_id"),
        earmark_need=_need(request.user, data.pop("earmark_need_id")),
        purchases=purchases,
        idempotency_key=idempotency_key,
        **{**data, "currency": str(data["currency"])},
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _expense(request.user, expense, selectors.trails(request.user, [expense])))


@router.post(
    "/funds/{fund_id}/expenses/{expense_id}/approve",
    response=ExpenseOut,
    summary="Approve an expense (a second manager)",
)
def approve_expense(
    request: HttpRequest, fund_id: int, expense_id: int, payload: DecisionIn
) -> dict[str, Any]:
    fund = access_fund(request.user, fund_id, manage=True)
    expense = access_expense(request.user, fund, expense_id, manage=True)
    expense = services.approve_expense(
        request.user, expense, confirm_overspend=payload.confirm_overspend
    )
    return _expense(request.user, expense, selectors.trails(request.user, [expense]))


@router.post(
    "/funds/{fund_id}/expenses/{expense_id}/reject",
    response=ExpenseOut,
    summary="Reject an expense (a second manager)",
)
def reject_expense(
    request: HttpRequest, fund_id: int, expense_id: int, payload: DecisionIn
) -> dict[str, Any]:
    fund = access_fund(request.user, fund_id, manage=True)
    expense = access_expense(request.user, fund, expense_id, manage=True)
    expense = services.reject_expense(request.user, expense, reason=payload.reason)
    return _expense(request.user, expense, {})


@router.post(
    "/funds/{fund_id}/expenses/{expense_id}/correct",
    response={201: ExpenseOut},
    summary="Correct a spent expense",
)
def correct_expense(
    request: HttpRequest, fund_id: int, expense_id: int, payload: CorrectionIn
) -> Status[dict[str, Any]]:
    fund = access_fund(request.user, fund_id, manage=True)
    expense = access_expense(request.user, fund, expense_id, manage=True)
    correction = services.correct_expense(
        request.user, expense, amount=payload.amount, note=payload.note
    )
    return Status(201, _expense(request.user, correction, {}))


@router.get(
    "/exchange-rates", response=list[RateOut], auth=anyone, summary="The exchange rate table"
)
@paginate(LimitOffsetPagination)
def list_rates(request: HttpRequest) -> Any:
    return ExchangeRate.objects.all()


@router.post("/exchange-rates", response={201: RateOut}, summary="Enter an exchange rate")
def create_rate(request: HttpRequest, payload: RateIn) -> Status[ExchangeRate]:
    data = payload.dict()
    return Status(
        201,
        services.add_rate(
            request.user, **{**data, "currency": str(data["currency"]), "quote": str(data["quote"])}
        ),
    )


@router.post(
    "/funds/{fund_id}/statements",
    response={200: StatementOut, 422: StatementOut},
    summary="Check a bank statement (CSV or XLSX) with a saved bank's columns; commit it on request",
    description=(
        "The bank's columns are those saved on the import page for the fund's organisation. "
        "Without `commit`, nothing is written. With `commit=true`, every new donation is written, "
        "or none (422 with the errors); references already recorded are skipped and listed."
    ),
)
def import_statement(
    request: HttpRequest,
    fund_id: int,
    file: File[UploadedFile],
    bank: Form[str],
    commit: Form[bool] = False,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    fund = access_fund(request.user, fund_id, manage=True)
    if idempotency_key:
        validate_key(idempotency_key)
    mapping = BankMapping.objects.filter(organization=fund.organization, bank=bank).first()
    if mapping is None:
        raise ValidationError(
            {"bank": [_("No saved columns for this bank: import one statement on the page first.")]}
        )
    if file.size is not None and file.size > 10 * 1024 * 1024:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    content = file.read()
    checked = imports.preview(fund, mapping, content)
    body: dict[str, Any] = {
        "donations": len(checked.entries),
        "skipped": [s.__dict__ for s in checked.skipped],
        "errors": [e.__dict__ for e in checked.errors],
        "committed": False,
    }
    if not commit:
        return Status(200, body)
    if not checked.ok:
        return Status(422, body)
    key = (
        idempotency_key or f"sha-{hashlib.sha256(content).hexdigest()[:40]}-{secrets.token_hex(4)}"
    )
    try:
        imports.commit(
            request.user, fund, mapping, content, key=key, name=file.name or "", request=request
        )
    except imports.ImportRejected as rejected:
        body["errors"] = [e.__dict__ for e in rejected.errors]
        return Status(422, body)
    body["committed"] = True
    return Status(200, body)
