"""The transparency page's charts: spending by category and money by month, as the bar charts
of ``hromada.aid.charts`` (plain SVG, no styles: the Content-Security-Policy allows nothing
else). Each sits beside a table with the same figures."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hromada.aid.charts import BLUE, GREEN, Chart, bar_chart
from hromada.funds.selectors import Line, Month
from hromada.funds.services import money


def _value(amount: Decimal | None, currency: str) -> str:
    return f"{money(amount)} {currency}" if amount is not None else _("no rate")


def by_category(lines: list[Line], currency: str) -> Chart:
    rows: list[tuple[str, str, list[tuple[float | Decimal, str]]]] = [
        (
            line.label,
            _value(line.total.converted, currency),
            [(line.total.converted or Decimal(0), BLUE)],
        )
        for line in lines
    ]
    return bar_chart(_("Spending by category"), rows)


def by_month(months: list[Month], currency: str) -> tuple[Chart, Chart]:
    top = max(
        [float(m.raised.converted or 0) for m in months]
        + [float(m.spent.converted or 0) for m in months],
        default=0.0,
    )
    raised = bar_chart(
        _("Raised by month"),
        [
            (
                date_format(m.start, "YEAR_MONTH_FORMAT"),
                _value(m.raised.converted, currency),
                [(m.raised.converted or 0, GREEN)],
            )
            for m in months
        ],
        scale_max=top or None,
    )
    spent = bar_chart(
        _("Spent by month"),
        [
            (
                date_format(m.start, "YEAR_MONTH_FORMAT"),
                _value(m.spent.converted, currency),
                [(m.spent.converted or 0, BLUE)],
            )
            for m in months
        ],
        scale_max=top or None,
    )
    return raised, spent
