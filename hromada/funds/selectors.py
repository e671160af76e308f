"""What the transparency page, the monthly report, the exports and the API read.

Everything here is safe for the public: a donor is named only when they agreed, and a place
is named only to someone who may see it (a restricted shelter stays "a place not shown").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Delivery, Need, StockMove
from hromada.core import permissions
from hromada.core.models import Place
from hromada.funds.models import (
    SPENDING_CATEGORIES,
    Donation,
    Expense,
    Fund,
    Purchase,
    month_bounds,
)
from hromada.funds.services import Total, balances, sums, total_in
from hromada.lib.text import collation_key

CATEGORY_LABELS = dict(SPENDING_CATEGORIES)


def place_label(user: Any, place: Place | None) -> str:
    if place is None:
        return ""
    if permissions.may_view_place(user, place):
        return place.name
    return _("a place not shown publicly")


def earmark_label(user: Any, row: Any) -> str:
    """What a donation or an expense is earmarked for, in words this reader may see."""
    if row.earmark_need_id:
        need: Need = row.earmark_need
        return _("%(what)s for %(place)s") % {
            "what": need.label,
            "place": place_label(user, need.place),
        }
    if row.earmark_place_id:
        return place_label(user, row.earmark_place)
    if row.earmark_category:
        return str(CATEGORY_LABELS.get(row.earmark_category, row.earmark_category))
    return ""


EARMARK_RELATIONS = ("earmark_need__item", "earmark_need__place", "earmark_place")


def public_donations(fund: Fund) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(fund=fund)
        .select_related(*EARMARK_RELATIONS)
        .order_by("-received_on", "-pk")
    )


def spent_expenses(fund: Fund) -> QuerySet[Expense]:
    purchases = Prefetch("purchases", queryset=Purchase.objects.select_related("item", "hub"))
    return (
        Expense.objects.filter(fund=fund, status=Expense.Status.SPENT)
        .select_related(*EARMARK_RELATIONS)
        .prefetch_related(purchases)
        .order_by("-spent_on", "-pk")
    )


def sum_by_currency(rows: QuerySet[Any]) -> dict[str, Decimal]:
    return sums(rows, "currency")


@dataclass
class Summary:
    raised: Total
    spent: Total
    balance: Total
    awaiting: int
    as_of: datetime.date


def summary(fund: Fund, *, as_of: datetime.date | None = None) -> Summary:
    """Raised, spent and held, per currency and (with the rates of ``as_of``) in one currency."""
    as_of = as_of or timezone.localdate()
    raised = sum_by_currency(Donation.objects.filter(fund=fund, received_on__lte=as_of))
    spent = sum_by_currency(
        Expense.objects.filter(fund=fund, status=Expense.Status.SPENT, spent_on__lte=as_of)
    )
    return Summary(
        raised=total_in(raised, fund.base_currency, as_of),
        spent=total_in(spent, fund.base_currency, as_of),
        balance=total_in(balances(fund, until=as_of), fund.base_currency, as_of),
        awaiting=Expense.objects.filter(fund=fund, status=Expense.Status.AWAITING).count(),
        as_of=as_of,
    )


@dataclass
class Line:
    label: str
    total: Total
    key: str = ""


def spending_by_category(fund: Fund, *, as_of: datetime.date | None = None) -> list[Line]:
    as_of = as_of or timezone.localdate()
    grouped: dict[str, dict[str, Decimal]] = defaultdict(dict)
    rows = Expense.objects.filter(fund=fund, status=Expense.Status.SPENT)
    for (category, currency), total in sums(rows, "category", "currency").items():
        grouped[category][currency] = total
    lines = [
        Line(str(CATEGORY_LABELS.get(c, c)), total_in(amounts, fund.base_currency, as_of), c)
        for c, amounts in grouped.items()
    ]
    return sorted(lines, key=lambda line: -(line.total.converted or 0))


@dataclass
class Month:
    start: datetime.date
    raised: Total
    spent: Total


def by_month(fund: Fund, *, months: int = 12, as_of: datetime.date | None = None) -> list[Month]:
    """Raised and spent in each of the last ``months`` months that had any money."""
    as_of = as_of or timezone.localdate()
    raised: dict[datetime.date, dict[str, Decimal]] = defaultdict(dict)
    spent: dict[datetime.date, dict[str, Decimal]] = defaultdict(dict)
    given = Donation.objects.filter(fund=fund).annotate(month=TruncMonth("received_on"))
    for (month, currency), total in sums(given, "month", "currency").items():
        raised[month][currency] = total
    paid = Expense.objects.filter(fund=fund, status=Expense.Status.SPENT).annotate(
        month=TruncMonth("spent_on")
    )
    for (month, currency), total in sums(paid, "month", "currency").items():
        spent[month][currency] = total
    starts = sorted({*raised, *spent})[-months:]
    return [
        Month(
            m,
            total_in(raised.get(m, {}), fund.base_currency, as_of),
            total_in(spent.get(m, {}), fund.base_currency, as_of),
        )
        for m in starts
    ]


@dataclass
class Earmark:
    key: str
    label: str
    raised: Total
    spent: Total
    donations: int = 0

    @property
    def overspent(self) -> bool:
        return (
            self.raised.converted is not None
            and self.spent.converted is not None
            and self.spent.converted > self.raised.converted
        )

    @property
    def left(self) -> Decimal | None:
        if self.raised.converted is None or self.spent.converted is None:
            return None
        return self.raised.converted - self.spent.converted


def _earmark_key(need_id: int | None, place_id: int | None, category: str) -> str:
    if need_id:
        return f"need-{need_id}"
    if place_id:
        return f"place-{place_id}"
    return f"category-{category}" if category else ""


EARMARK_FIELDS = ("earmark_need_id", "earmark_place_id", "earmark_category", "currency")


def earmarks(user: Any, fund: Fund, *, as_of: datetime.date | None = None) -> list[Earmark]:
    """Each earmark donors gave for, with what was given and what was spent on it (summed in
    the database: a fund of many thousand donations reads a few rows here)."""
    as_of = as_of or timezone.localdate()
    raised: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    spent: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[str, int] = defaultdict(int)
    donations = Donation.objects.filter(fund=fund)
    for (need_id, place_id, category, currency), total in sums(donations, *EARMARK_FIELDS).items():
        key = _earmark_key(need_id, place_id, category)
        if key:
            raised[key][currency] += total
    numbers = (
        donations.filter(corrects__isnull=True)
        .order_by()
        .values_list(*EARMARK_FIELDS[:3])
        .annotate(n=Count("pk"))
    )
    for need_id, place_id, category, number in numbers:
        counts[_earmark_key(need_id, place_id, category)] += number
    expenses = Expense.objects.filter(fund=fund, status=Expense.Status.SPENT)
    for (need_id, place_id, category, currency), total in sums(expenses, *EARMARK_FIELDS).items():
        key = _earmark_key(need_id, place_id, category)
        if key:
            spent[key][currency] += total
    keys = {*raised, *spent}
    needs = Need.objects.select_related("item", "place").in_bulk(
        [int(k[5:]) for k in keys if k.startswith("need-")]
    )
    places = Place.objects.in_bulk([int(k[6:]) for k in keys if k.startswith("place-")])
    labels = {}
    for key in keys:
        kind, _sep, value = key.partition("-")
        if kind == "need":
            need = needs[int(value)]
            labels[key] = _("%(what)s for %(place)s") % {
                "what": need.label,
                "place": place_label(user, need.place),
            }
        elif kind == "place":
            labels[key] = place_label(user, places[int(value)])
        else:
            labels[key] = str(CATEGORY_LABELS.get(value, value))
    return [
        Earmark(
            key,
            labels[key],
            total_in(dict(raised.get(key, {})), fund.base_currency, as_of),
            total_in(dict(spent.get(key, {})), fund.base_currency, as_of),
            counts.get(key, 0),
        )
        for key in sorted(keys, key=lambda k: collation_key(labels[k]))
    ]


def earmark_rows(fund: Fund, key: str) -> tuple[QuerySet[Donation], QuerySet[Expense]]:
    from hromada.funds.services import _earmark_filter

    filters = _earmark_filter(key)
    return public_donations(fund).filter(filters), spent_expenses(fund).filter(filters)


@dataclass
class Carried:
    """One delivery that carried goods of a purchase's lot, and how much of them."""

    delivery: Delivery
    quantity: Decimal
    to_label: str


@dataclass
class Trail:
    purchase: Purchase
    deliveries: list[Carried] = field(default_factory=list)
    at_hubs: Decimal = Decimal(0)


def trails(user: Any, expenses: list[Expense]) -> dict[int, list[Trail]]:
    """For each expense, its purchases and the deliveries that took their lots (by batch label,
    through any transfers: the label travels with the goods)."""
    purchases = [p for e in expenses for p in e.purchases.all()]
    batches = {p.batch: p for p in purchases if p.batch}
    moves = (
        StockMove.objects.filter(batch__in=list(batches), delivery__isnull=False)
        .select_related("delivery__to_place", "delivery__from_place")
        .order_by("pk")
    )
    carried: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    found: dict[str, dict[int, Delivery]] = defaultdict(dict)
    for move in moves:
        purchase = batches[move.batch]
        if move.item_id != purchase.item_id:
            continue
        assert move.delivery is not None
        # Out of a hub onto the vehicle counts; back onto the hub's shelf (a failed run) does not.
        sign = (
            1
            if move.from_place_id is not None
            else (-1 if move.to_place_id == move.delivery.from_place_id else 0)
        )
        carried[(move.batch, move.delivery_id)] += sign * move.quantity  # type: ignore[index]
        found[move.batch][move.delivery_id] = move.delivery  # type: ignore[index]
    result: dict[int, list[Trail]] = defaultdict(list)
    for expense in expenses:
        for purchase in expense.purchases.all():
            trail = Trail(purchase)
            for delivery_id, delivery in found.get(purchase.batch, {}).items():
                quantity = carried[(purchase.batch, delivery_id)]
                if quantity > 0:
                    trail.deliveries.append(
                        Carried(delivery, quantity, place_label(user, delivery.to_place))
                    )
            result[expense.pk].append(trail)
    return result


@dataclass
class MonthReport:
    fund: Fund
    start: datetime.date
    end: datetime.date  # the last day
    opening: Total
    closing: Total
    raised: Total
    spent: Total
    by_channel: list[tuple[str, str, Decimal]]  # channel label, currency, amount
    donations: int
    expenses: list[Expense]


def month_report(fund: Fund, year: int, month: int) -> MonthReport:
    start, following = month_bounds(year, month)
    end = following - datetime.timedelta(days=1)
    donations = Donation.objects.filter(fund=fund, received_on__gte=start, received_on__lte=end)
    expenses = (
        spent_expenses(fund)
        .filter(spent_on__gte=start, spent_on__lte=end)
        .order_by("spent_on", "pk")
    )
    channels = dict(Donation._meta.get_field("channel").choices or [])
    by_channel = [
        (str(channels.get(channel, channel)), currency, total)
        for (channel, currency), total in sorted(sums(donations, "channel", "currency").items())
    ]
    as_of = min(end, timezone.localdate())
    return MonthReport(
        fund=fund,
        start=start,
        end=end,
        opening=total_in(
            balances(fund, until=start - datetime.timedelta(days=1)), fund.base_currency, as_of
        ),
        closing=total_in(balances(fund, until=end), fund.base_currency, as_of),
        raised=total_in(sum_by_currency(donations), fund.base_currency, as_of),
        spent=total_in(
            sum_by_currency(
                Expense.objects.filter(
                    fund=fund, status=Expense.Status.SPENT, spent_on__gte=start, spent_on__lte=end
                )
            ),
            fund.base_currency,
            as_of,
        ),
        by_channel=by_channel,
        donations=donations.filter(corrects__isnull=True).count(),
        expenses=list(expenses),
    )


def donation_rows(user: Any, fund: Fund) -> list[list[Any]]:
    """The donations export: never a donor who did not agree to be named."""
    return [
        [
            d.received_on,
            d.amount,
            d.currency,
            d.get_channel_display(),
            d.public_donor or _("Anonymous"),
            earmark_label(user, d),
            d.corrects_id or "",
        ]
        for d in public_donations(fund).order_by("received_on", "pk")
    ]


def expense_rows(user: Any, fund: Fund) -> list[list[Any]]:
    return [
        [
            e.spent_on,
            e.amount,
            e.currency,
            e.base_amount if e.base_amount is not None else "",
            e.payee,
            e.purpose,
            str(CATEGORY_LABELS.get(e.category, e.category)),
            earmark_label(user, e),
            _("yes") if e.has_receipt else _("no"),
            "; ".join(
                f"{p.item.name} × {p.quantity.normalize():f} ({p.batch})" for p in e.purchases.all()
            ),
            e.corrects_id or "",
        ]
        for e in spent_expenses(fund).order_by("spent_on", "pk")
    ]
