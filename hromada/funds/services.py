"""Every rule of the funds ledger. Pages, the API, the import and the demo change money only here.

- A donation or an expense is appended, never edited; a correction is a new row that names
  the row it corrects and carries the difference, so the ledger adds up to the cent.
- Amounts in two currencies are added only through a dated exchange rate; without one the
  answer is "no rate", never a guess.
- An expense worth more than the fund's threshold waits until another manager approves it.
  Only then does it count as spent, and only then are the goods it bought received into
  stock (reason PURCHASE, a lot of their own), in the same transaction.
- Spending money earmarked for something beyond what was given for it needs a confirmation.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hromada.aid.models import Item, Need, StockMove
from hromada.aid.permissions import may_manage_stock_at
from hromada.aid.services import stock
from hromada.core.idempotency import create_once
from hromada.core.models import Organization, Place
from hromada.funds.models import (
    CENT,
    SPENDING_CATEGORIES,
    Channel,
    Conversion,
    Currency,
    Donation,
    ExchangeRate,
    Expense,
    Fund,
    Purchase,
)
from hromada.funds.permissions import may_approve_expense, may_manage_fund

MAX_AMOUNT = Decimal("999999999999.99")


def sums(rows: QuerySet[Any], *keys: str, field: str = "amount") -> dict[Any, Decimal]:
    """Exact sums of a money column grouped by ``keys`` (a single key: its value; several: a
    tuple). PostgreSQL adds numerics exactly; SQLite adds them as floating point (2.01 - 2.00
    gives 0.00999...), so there the rows are read, each to the cent, and added here."""
    rows = rows.order_by()
    totals: dict[Any, Decimal] = defaultdict(Decimal)

    def key_of(values: list[Any]) -> Any:
        return values[0] if len(keys) == 1 else tuple(values)

    if connection.vendor == "sqlite":
        for *group, amount in rows.values_list(*keys, field).iterator():
            totals[key_of(group)] += amount
    elif not keys:
        total = rows.aggregate(total=Sum(field))["total"]
        if total is not None:
            totals[()] = total
    else:
        for *group, amount in rows.values_list(*keys).annotate(total=Sum(field)):
            totals[key_of(group)] += amount
    return dict(totals)


def money(amount: Decimal) -> str:
    """ "1 234.50 UAH"-style text without the currency: two places, a thin space per thousand."""
    return f"{amount:,.2f}".replace(",", "\u202f")


def _cents(value: Any, field_name: str, *, signed: bool = False) -> Decimal:
    if value is None or isinstance(value, float):
        # A float has already lost the cents; refuse it rather than round a guess.
        raise ValidationError(
            {field_name: [_("Enter the amount as a number with at most two decimals.")]}
        )
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field_name: [_("Enter a number.")]}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError(
            {field_name: [_("Enter the amount as a number with at most two decimals.")]}
        )
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError({field_name: [_("This amount is too large.")]})
    if not signed and amount <= 0:
        raise ValidationError({field_name: [_("The amount must be more than zero.")]})
    if signed and amount == 0:
        raise ValidationError({field_name: [_("The amount must not be zero.")]})
    return amount.quantize(CENT)


def _currency(value: str, field_name: str = "currency") -> str:
    if value not in Currency.values:
        raise ValidationError({field_name: [_("Unknown currency.")]})
    return value


def _require_manager(actor: Any, fund: Fund) -> None:
    if not may_manage_fund(actor, fund):
        raise PermissionDenied(
            _("Only coordinators and admins of %(org)s manage this fund.")
            % {"org": fund.organization}
        )


# Funds ---------------------------------------------------------------------------------------


def create_fund(
    actor: Any,
    *,
    organization: Organization,
    name: str,
    purpose: str,
    currencies: list[str],
    base_currency: str = Currency.UAH,
    is_public: bool = True,
    approval_threshold: Decimal = Decimal("10000.00"),
    idempotency_key: str | None = None,
) -> tuple[Fund, bool]:
    from hromada.core import permissions
    from hromada.funds.permissions import MANAGERS

    if not permissions.has_role(actor, organization.pk, *MANAGERS):
        raise PermissionDenied(
            _("Only coordinators and admins of %(org)s open its funds.") % {"org": organization}
        )
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the fund a name.")]
    if not purpose.strip():
        errors["purpose"] = [_("Say what the money is for.")]
    chosen = sorted({c for c in currencies if c})
    unknown = [c for c in chosen if c not in Currency.values]
    if unknown:
        errors["currencies"] = [_("Unknown currency.")]
    if base_currency not in Currency.values:
        errors["base_currency"] = [_("Unknown currency.")]
    elif base_currency not in chosen:
        chosen = sorted({*chosen, base_currency})
    try:
        threshold = _cents(approval_threshold, "approval_threshold", signed=True)
        if threshold < 0:
            raise ValidationError({"approval_threshold": [_("The threshold cannot be negative.")]})
    except ValidationError as error:
        errors.update(error.message_dict)
    if Fund.objects.filter(organization=organization, name=name.strip()).exists():
        errors.setdefault("name", []).append(
            _("%(org)s already has a fund of this name.") % {"org": organization}
        )
    if errors:
        raise ValidationError(errors)

    def create() -> Fund:
        return Fund.objects.create(
            organization=organization,
            name=name.strip()[:200],
            purpose=purpose.strip(),
            currencies=chosen,
            base_currency=base_currency,
            is_public=is_public,
            approval_threshold=threshold,
            created_by=actor,
        )

    with transaction.atomic():
        return create_once(
            scope="funds.fund", key=idempotency_key, actor=actor, model=Fund, create=create
        )


@transaction.atomic
def update_fund(
    actor: Any,
    fund: Fund,
    *,
    purpose: str | None = None,
    currencies: list[str] | None = None,
    is_public: bool | None = None,
    approval_threshold: Decimal | None = None,
) -> Fund:
    _require_manager(actor, fund)
    if purpose is not None:
        if not purpose.strip():
            raise ValidationError({"purpose": [_("Say what the money is for.")]})
        fund.purpose = purpose.strip()
    if currencies is not None:
        chosen = sorted({c for c in currencies if c} | {fund.base_currency})
        if any(c not in Currency.values for c in chosen):
            raise ValidationError({"currencies": [_("Unknown currency.")]})
        fund.currencies = chosen
    if is_public is not None:
        fund.is_public = is_public
    if approval_threshold is not None:
        threshold = _cents(approval_threshold, "approval_threshold", signed=True)
        if threshold < 0:
            raise ValidationError({"approval_threshold": [_("The threshold cannot be negative.")]})
        fund.approval_threshold = threshold
    fund.save()
    return fund


# Exchange rates ----------------------------------------------------------------------------


def add_rate(
    actor: Any,
    *,
    currency: str,
    rate: Decimal,
    on: datetime.date,
    quote: str = Currency.UAH,
    source: str = "",
) -> ExchangeRate:
    from hromada.funds.permissions import may_manage_funds

    if not may_manage_funds(actor):
        raise PermissionDenied(_("Coordinators and admins who manage funds enter exchange rates."))
    _currency(currency)
    _currency(quote, "quote")
    if currency == quote:
        raise ValidationError({"quote": [_("A rate is between two different currencies.")]})
    if (
        rate is None
        or isinstance(rate, float)
        or not Decimal(str(rate)).is_finite()
        or Decimal(str(rate)) <= 0
    ):
        raise ValidationError({"rate": [_("The rate must be a number more than zero.")]})
    rate = Decimal(str(rate))
    if rate != rate.quantize(Decimal("0.000001")) or rate >= Decimal("1000000000000"):
        raise ValidationError({"rate": [_("Give the rate with at most six decimals.")]})
    if on > timezone.localdate():
        raise ValidationError({"on": [_("A rate cannot be given for a day still to come.")]})
    try:
        with transaction.atomic():
            return ExchangeRate.objects.create(
                currency=currency,
                quote=quote,
                rate=rate,
                on=on,
                source=source.strip()[:100],
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "on": [
                    _("A rate of %(currency)s for this day is already entered.")
                    % {"currency": currency}
                ]
            }
        ) from None


@dataclass(frozen=True)
class Rate:
    """How one currency turns into another, and on what authority (a stored rate, or its
    inverse)."""

    currency: str
    quote: str
    rate: Decimal
    on: datetime.date
    row: ExchangeRate | None

    def convert(self, amount: Decimal) -> Decimal:
        return (amount * self.rate).quantize(CENT, rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize():f} {self.quote} ({date_format(self.on, 'j E Y')})"


def rate_for(currency: str, quote: str, on: datetime.date) -> Rate | None:
    """The latest rate on or before ``on``: of ``currency`` in ``quote``, or the inverse."""
    if currency == quote:
        return Rate(currency, quote, Decimal(1), on, None)
    direct = (
        ExchangeRate.objects.filter(currency=currency, quote=quote, on__lte=on)
        .order_by("-on")
        .first()
    )
    inverse = (
        ExchangeRate.objects.filter(currency=quote, quote=currency, on__lte=on)
        .order_by("-on")
        .first()
    )
    if inverse is not None and (direct is None or inverse.on > direct.on):
        return Rate(
            currency,
            quote,
            (Decimal(1) / inverse.rate).quantize(Decimal("0.000001")),
            inverse.on,
            inverse,
        )
    if direct is not None:
        return Rate(currency, quote, direct.rate, direct.on, direct)
    return None


def no_rate_error(
    currency: str, quote: str, on: datetime.date, field_name: str = "currency"
) -> ValidationError:
    return ValidationError(
        {
            field_name: [
                _(
                    "There is no exchange rate of %(currency)s in %(quote)s on or before %(day)s: enter one first."
                )
                % {"currency": currency, "quote": quote, "day": date_format(on, "j E Y")}
            ]
        }
    )


def convert(
    amount: Decimal, currency: str, quote: str, on: datetime.date, field_name: str = "currency"
) -> tuple[Decimal, Rate]:
    """``amount`` of ``currency`` in ``quote``, or a ValidationError when no rate is known."""
    rate = rate_for(currency, quote, on)
    if rate is None:
        raise no_rate_error(currency, quote, on, field_name)
    return rate.convert(amount), rate


# Balances ----------------------------------------------------------------------------------


def balances(fund: Fund, *, until: datetime.date | None = None) -> dict[str, Decimal]:
    """What the fund holds in each currency: donations, conversions in and out, spent expenses
    (corrections included). ``until``: as at the end of that day."""
    donations = Donation.objects.filter(fund=fund)
    expenses = Expense.objects.filter(fund=fund, status=Expense.Status.SPENT)
    conversions = Conversion.objects.filter(fund=fund)
    if until is not None:
        donations = donations.filter(received_on__lte=until)
        expenses = expenses.filter(spent_on__lte=until)
        conversions = conversions.filter(on__lte=until)
    held: dict[str, Decimal] = defaultdict(Decimal)
    for currency, total in sums(donations, "currency").items():
        held[currency] += total
    for currency, total in sums(expenses, "currency").items():
        held[currency] -= total
    for currency, total in sums(conversions, "bought_currency", field="bought_amount").items():
        held[currency] += total
    for currency, total in sums(conversions, "sold_currency", field="sold_amount").items():
        held[currency] -= total
    return {c: held[c] for c in sorted(held)}


@dataclass
class Total:
    """Amounts per currency and, when every currency has a rate, their sum in one currency."""

    by_currency: dict[str, Decimal]
    quote: str
    converted: Decimal | None
    rates: list[Rate] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def total_in(amounts: dict[str, Decimal], quote: str, on: datetime.date) -> Total:
    """Add amounts of several currencies in ``quote`` at the latest rates on ``on``; a currency
    without a rate is listed in ``missing`` and the sum is None (never a partial sum)."""
    converted = Decimal(0)
    rates, missing = [], []
    for currency, amount in sorted(amounts.items()):
        if amount == 0 and currency != quote:
            continue
        rate = rate_for(currency, quote, on)
        if rate is None:
            missing.append(currency)
            continue
        if currency != quote:
            rates.append(rate)
        converted += rate.convert(amount)
    return Total(
        dict(sorted(amounts.items())), quote, None if missing else converted, rates, missing
    )


# Donations ---------------------------------------------------------------------------------


def _check_earmark(
    errors: dict[str, list[str]], place: Place | None, need: Need | None, category: str
) -> None:
    if category and category not in dict(SPENDING_CATEGORIES):
        errors.setdefault("earmark_category", []).append(_("Unknown category."))
    if need is not None and place is not None and need.place_id != place.pk:
        errors.setdefault("earmark_need", []).append(_("This need is not at the place chosen."))


def record_donation(
    actor: Any,
    fund: Fund,
    *,
    amount: Decimal,
    currency: str,
    received_on: datetime.date,
    channel: str = Channel.BANK,
    donor_name: str = "",
    donor_contact: str = "",
    donor_public: bool = False,
    reference: str = "",
    note: str = "",
    earmark_category: str = "",
    earmark_place: Place | None = None,
    earmark_need: Need | None = None,
    statement: Any = None,
    idempotency_key: str | None = None,
) -> tuple[Donation, bool]:
    """Money received. A reference (the bank's) is recorded once per fund: a second donation
    with it is refused, so a statement imported twice adds nothing."""
    _require_manager(actor, fund)
    errors: dict[str, list[str]] = {}
    try:
        amount = _cents(amount, "amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    if currency not in Currency.values:
        errors["currency"] = [_("Unknown currency.")]
    elif not fund.accepts(currency):
        errors["currency"] = [
            _("This fund accepts %(currencies)s.") % {"currencies": ", ".join(fund.currencies)}
        ]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if received_on is None:
        errors["received_on"] = [_("Give the day the money arrived.")]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("This day is still to come.")]
    if donor_public and not donor_name.strip():
        errors["donor_name"] = [_("Give the name the donor agreed to show.")]
    reference = reference.strip()[:100]
    if (
        reference
        and Donation.objects.filter(fund=fund, reference=reference, corrects__isnull=True).exists()
    ):
        errors["reference"] = [_("A donation with this reference is already recorded.")]
    _check_earmark(errors, earmark_place, earmark_need, earmark_category)
    if errors:
        raise ValidationError(errors)

    def create() -> Donation:
        return Donation.objects.create(
            fund=fund,
            amount=amount,
            currency=currency,
            received_on=received_on,
            channel=channel,
            donor_name=donor_name.strip()[:200],
            donor_contact=donor_contact.strip()[:200],
            donor_public=donor_public,
            reference=reference,
            note=note.strip()[:500],
            earmark_category=earmark_category,
            earmark_place=earmark_place,
            earmark_need=earmark_need,
            statement=statement,
            created_by=actor if getattr(actor, "pk", None) else None,
        )

    try:
        with transaction.atomic():
            return create_once(
                scope="funds.donation",
                key=idempotency_key,
                actor=actor,
                model=Donation,
                create=create,
            )
    except IntegrityError:
        # Two entries of the same reference at the same moment: the second one loses here.
        raise ValidationError(
            {"reference": [_("A donation with this reference is already recorded.")]}
        ) from None


def _correction(row: Donation | Expense, amount: Decimal | None) -> Decimal:
    """What a correction to ``amount`` appends: the right amount less what the row and its
    corrections already hold. The amount is exact (a Decimal, two places, not negative)."""
    if amount is None or isinstance(amount, float):
        raise ValidationError(
            {"amount": [_("Enter the amount as a number with at most two decimals.")]}
        )
    right = Decimal(str(amount))
    if right < 0 or right != right.quantize(CENT):
        raise ValidationError(
            {"amount": [_("Enter the amount as a number with at most two decimals.")]}
        )
    current = row.amount + (sums(row.corrections.all()).get((), Decimal(0)))
    difference = right - current
    if difference == 0:
        raise ValidationError({"amount": [_("This is the amount already recorded.")]})
    return difference


@transaction.atomic
def correct_donation(actor: Any, donation: Donation, *, amount: Decimal, note: str) -> Donation:
    """The donation was really ``amount`` (zero: it never came). Appends the difference."""
    _require_manager(actor, donation.fund)
    if donation.corrects_id:
        raise ValidationError(_("Correct the original donation, not a correction."))
    if not note.strip():
        raise ValidationError({"note": [_("Say why the donation is corrected.")]})
    difference = _correction(donation, amount)
    if difference < 0:
        _require_funds(donation.fund, donation.currency, -difference, field_name="amount")
    return Donation.objects.create(
        fund=donation.fund,
        amount=difference,
        currency=donation.currency,
        received_on=donation.received_on,
        channel=donation.channel,
        donor_name=donation.donor_name,
        donor_contact=donation.donor_contact,
        donor_public=donation.donor_public,
        reference=donation.reference,
        note=note.strip()[:500],
        earmark_category=donation.earmark_category,
        earmark_place=donation.earmark_place,
        earmark_need=donation.earmark_need,
        corrects=donation,
        created_by=actor,
    )


# Expenses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseIn:
    item: Item
    quantity: Decimal
    hub: Place
    expires_on: datetime.date | None = None


def _require_funds(
    fund: Fund, currency: str, amount: Decimal, *, field_name: str = "amount"
) -> None:
    held = balances(fund).get(currency, Decimal(0))
    if amount > held:
        raise ValidationError(
            {
                field_name: [
                    _("The fund holds only %(held)s %(currency)s.")
                    % {"held": money(held), "currency": currency}
                ]
            }
        )


@dataclass
class EarmarkState:
    key: str
    raised: dict[str, Decimal]
    spent: dict[str, Decimal]


def earmark_state(fund: Fund, key: str, *, excluding: Expense | None = None) -> EarmarkState:
    """Money given for ``key`` and money spent from it, per currency."""
    filters = _earmark_filter(key)
    raised = sums(Donation.objects.filter(filters, fund=fund), "currency")
    expenses = Expense.objects.filter(filters, fund=fund, status=Expense.Status.SPENT)
    if excluding is not None:
        expenses = expenses.exclude(pk=excluding.pk)
    spent = sums(expenses, "currency")
    return EarmarkState(key, dict(raised), dict(spent))


def _earmark_filter(key: str) -> Q:
    kind, _sep, value = key.partition("-")
    if kind == "need" and value.isdigit():
        return Q(earmark_need_id=int(value))
    if kind == "place" and value.isdigit():
        return Q(earmark_need__isnull=True, earmark_place_id=int(value))
    if kind == "category" and value:
        return Q(earmark_need__isnull=True, earmark_place__isnull=True, earmark_category=value)
    return Q(pk__in=[])


def _check_earmark_overspend(fund: Fund, expense: Expense, base_amount: Decimal) -> str | None:
    """A warning when this expense takes more than is left of its earmark, else None."""
    key = expense.earmark_key
    if not key:
        return None
    state = earmark_state(fund, key, excluding=expense)
    today = timezone.localdate()
    left = {
        c: state.raised.get(c, Decimal(0)) - state.spent.get(c, Decimal(0))
        for c in {*state.raised, *state.spent}
    }
    total = total_in(left, fund.base_currency, today)
    if total.converted is None:
        raise no_rate_error(total.missing[0], fund.base_currency, today, "earmark_category")
    if base_amount > total.converted:
        return _(
            "Only %(left)s %(currency)s given for this earmark is left: this expense spends more "
            "than donors gave for it. Confirm to spend it anyway."
        ) % {"left": money(max(total.converted, Decimal(0))), "currency": fund.base_currency}
    return None


def _receive_purchases(actor: Any, expense: Expense) -> None:
    """The goods arrive at their hubs as lots of their own, in the transaction that spends."""
    for number, purchase in enumerate(expense.purchases.select_related("item", "hub"), start=1):
        purchase.batch = f"FND{expense.pk}-{number}"
        moves = stock.move(
            actor,
            item=purchase.item,
            quantity=purchase.quantity,
            reason=StockMove.Reason.PURCHASE,
            to_place=purchase.hub,
            batch=purchase.batch,
            expires_on=purchase.expires_on,
            note=_("Bought from %(fund)s: %(purpose)s")
            % {"fund": expense.fund.name, "purpose": expense.purpose},
        )
        purchase.stock_move = moves[0]
        purchase.save(update_fields=["batch", "stock_move"])


def _spend(actor: Any, expense: Expense, *, confirm_overspend: bool) -> None:
    _require_funds(expense.fund, expense.currency, expense.amount)
    warning = _check_earmark_overspend(expense.fund, expense, expense.base_amount or Decimal(0))
    if warning and not confirm_overspend:
        raise ValidationError({"confirm_overspend": [warning]})
    expense.status = Expense.Status.SPENT
    expense.overspend_confirmed = bool(warning)
    expense.save()
    _receive_purchases(actor, expense)


def _attach_receipt(expense: Expense, receipt: Any) -> None:
    from hromada.volunteers.documents import check_document

    try:
        checked = check_document(receipt)
    except ValidationError as error:
        raise ValidationError({"receipt": error.messages}) from None
    expense.receipt.save(checked.name, ContentFile(checked.data), save=False)
    expense.receipt_type = checked.content_type


def record_expense(
    actor: Any,
    fund: Fund,
    *,
    amount: Decimal,
    currency: str,
    spent_on: datetime.date,
    payee: str,
    purpose: str,
    category: str,
    earmark_category: str = "",
    earmark_place: Place | None = None,
    earmark_need: Need | None = None,
    receipt: Any = None,
    purchases: list[PurchaseIn] | None = None,
    confirm_overspend: bool = False,
    idempotency_key: str | None = None,
) -> tuple[Expense, bool]:
    """Money paid out. At or below the fund's threshold it is spent at once; above it, it waits
    for a second manager (``approve_expense``)."""
    _require_manager(actor, fund)
    purchases = purchases or []
    errors: dict[str, list[str]] = {}
    try:
        amount = _cents(amount, "amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    if currency not in Currency.values:
        errors["currency"] = [_("Unknown currency.")]
    if spent_on is None:
        errors["spent_on"] = [_("Give the day it was paid.")]
    elif spent_on > timezone.localdate():
        errors["spent_on"] = [_("This day is still to come.")]
    if not payee.strip():
        errors["payee"] = [_("Say who was paid.")]
    if not purpose.strip():
        errors["purpose"] = [_("Say what the money paid for.")]
    if category not in dict(SPENDING_CATEGORIES):
        errors["category"] = [_("Choose a category.")]
    _check_earmark(errors, earmark_place, earmark_need, earmark_category)
    for line in purchases:
        if line.quantity is None or line.quantity <= 0:
            errors.setdefault("purchases", []).append(
                _("%(item)s: the quantity must be more than zero.") % {"item": line.item.name}
            )
        if line.item.perishable and line.expires_on is None:
            errors.setdefault("purchases", []).append(
                _("%(item)s spoils: give its expiry date.") % {"item": line.item.name}
            )
        if line.hub.organization_id != fund.organization_id and not may_manage_stock_at(
            actor, line.hub
        ):
            errors.setdefault("purchases", []).append(
                _(
                    "%(place)s is not a place of %(org)s: goods bought from this fund go to its own hubs."
                )
                % {"place": line.hub.name, "org": fund.organization}
            )
    base_amount = None
    if "amount" not in errors and "currency" not in errors and spent_on is not None:
        try:
            base_amount, _rate = convert(amount, currency, fund.base_currency, spent_on)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    rate = rate_for(currency, fund.base_currency, spent_on)

    def create() -> Expense:
        expense = Expense(
            fund=fund,
            amount=amount,
            currency=currency,
            spent_on=spent_on,
            payee=payee.strip()[:200],
            purpose=purpose.strip()[:300],
            category=category,
            earmark_category=earmark_category,
            earmark_place=earmark_place,
            earmark_need=earmark_need,
            base_amount=base_amount,
            rate=rate.row if rate else None,
            status=Expense.Status.AWAITING,
            created_by=actor,
        )
        if receipt is not None:
            _attach_receipt(expense, receipt)
        expense.save()
        Purchase.objects.bulk_create(
            Purchase(
                expense=expense,
                item=p.item,
                quantity=p.quantity,
                hub=p.hub,
                expires_on=p.expires_on,
            )
            for p in purchases
        )
        if base_amount is not None and base_amount > fund.approval_threshold:
            # Not spent yet; but say now if the fund cannot pay it, rather than at approval.
            _require_funds(fund, currency, amount)
        else:
            _spend(actor, expense, confirm_overspend=confirm_overspend)
        return expense

    with transaction.atomic():
        return create_once(
            scope="funds.expense", key=idempotency_key, actor=actor, model=Expense, create=create
        )


@transaction.atomic
def approve_expense(actor: Any, expense: Expense, *, confirm_overspend: bool = False) -> Expense:
    """A second manager approves: the expense is spent and its goods received, now."""
    expense = (
        Expense.objects.select_for_update().select_related("fund__organization").get(pk=expense.pk)
    )
    _require_manager(actor, expense.fund)
    if expense.status != Expense.Status.AWAITING:
        raise ValidationError(_("This expense is not waiting for approval."))
    if not may_approve_expense(actor, expense):
        raise PermissionDenied(
            _("Someone other than the person who recorded it approves an expense.")
        )
    expense.decided_by = actor
    expense.decided_at = timezone.now()
    _spend(actor, expense, confirm_overspend=confirm_overspend)
    return expense


@transaction.atomic
def reject_expense(actor: Any, expense: Expense, *, reason: str) -> Expense:
    expense = (
        Expense.objects.select_for_update().select_related("fund__organization").get(pk=expense.pk)
    )
    _require_manager(actor, expense.fund)
    if expense.status != Expense.Status.AWAITING:
        raise ValidationError(_("This expense is not waiting for approval."))
    if not may_approve_expense(actor, expense):
        raise PermissionDenied(
            _("Someone other than the person who recorded it approves an expense.")
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the expense is rejected.")]})
    expense.status = Expense.Status.REJECTED
    expense.decided_by = actor
    expense.decided_at = timezone.now()
    expense.decision_note = reason.strip()[:300]
    expense.save()
    return expense


@transaction.atomic
def correct_expense(actor: Any, expense: Expense, *, amount: Decimal, note: str) -> Expense:
    """The expense was really ``amount`` (zero: refunded in full). Appends the difference; the
    goods it bought stay in the stock ledger, which has corrections of its own."""
    _require_manager(actor, expense.fund)
    if expense.corrects_id or not expense.is_spent:
        raise ValidationError(_("Only a spent expense is corrected."))
    if not note.strip():
        raise ValidationError({"note": [_("Say why the expense is corrected.")]})
    difference = _correction(expense, amount)
    if difference > 0:
        _require_funds(expense.fund, expense.currency, difference)
    rate = rate_for(expense.currency, expense.fund.base_currency, expense.spent_on)
    return Expense.objects.create(
        fund=expense.fund,
        amount=difference,
        currency=expense.currency,
        spent_on=expense.spent_on,
        payee=expense.payee,
        purpose=expense.purpose,
        category=expense.category,
        earmark_category=expense.earmark_category,
        earmark_place=expense.earmark_place,
        earmark_need=expense.earmark_need,
        status=Expense.Status.SPENT,
        base_amount=rate.convert(difference) if rate else None,
        rate=rate.row if rate else None,
        corrects=expense,
        decision_note=note.strip()[:300],
        created_by=actor,
    )


# Conversions -------------------------------------------------------------------------------


@transaction.atomic
def convert_currency(
    actor: Any,
    fund: Fund,
    *,
    sold_amount: Decimal,
    sold_currency: str,
    bought_amount: Decimal,
    bought_currency: str,
    on: datetime.date,
    reference: str = "",
) -> Conversion:
    """Money changed at the bank: it leaves one balance and reaches the other."""
    _require_manager(actor, fund)
    errors: dict[str, list[str]] = {}
    for name, value in (("sold_amount", sold_amount), ("bought_amount", bought_amount)):
        try:
            _cents(value, name)
        except ValidationError as error:
            errors.update(error.message_dict)
    for name, code in (("sold_currency", sold_currency), ("bought_currency", bought_currency)):
        if code not in Currency.values:
            errors[name] = [_("Unknown currency.")]
    if sold_currency == bought_currency:
        errors["bought_currency"] = [_("A conversion is between two different currencies.")]
    if on is None or on > timezone.localdate():
        errors["on"] = [_("This day is still to come.")]
    if errors:
        raise ValidationError(errors)
    _require_funds(fund, sold_currency, Decimal(str(sold_amount)), field_name="sold_amount")
    return Conversion.objects.create(
        fund=fund,
        sold_amount=Decimal(str(sold_amount)),
        sold_currency=sold_currency,
        bought_amount=Decimal(str(bought_amount)),
        bought_currency=bought_currency,
        on=on,
        reference=reference.strip()[:100],
        created_by=actor,
    )
