"""make_<thing>(**overrides): the smallest valid row of the funds ledger."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from hromada.core.models import Organization
from hromada.core.tests.factories import make_organization
from hromada.funds.models import Currency, Donation, ExchangeRate, Expense, Fund

_seq = itertools.count(1)
# The smallest PDF check_document accepts: a receipt needs nothing more in a test.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_fund(*, organization: Organization | None = None, **overrides: Any) -> Fund:
    fields: dict[str, Any] = {
        "name": f"Фонд {next(_seq)}",
        "organization": organization or make_organization(),
        "purpose": "Хліб і ліки",
        "currencies": ["EUR", "UAH", "USD"],
        "base_currency": Currency.UAH,
        "is_public": True,
        "approval_threshold": Decimal("10000.00"),
    }
    fields.update(overrides)
    return Fund.objects.create(**fields)


def make_donation(fund: Fund, amount: str = "1000.00", **overrides: Any) -> Donation:
    fields: dict[str, Any] = {
        "fund": fund,
        "amount": Decimal(amount),
        "currency": Currency.UAH,
        "received_on": timezone.localdate() - datetime.timedelta(days=1),
    }
    fields.update(overrides)
    return Donation.objects.create(**fields)


def make_expense(fund: Fund, amount: str = "100.00", **overrides: Any) -> Expense:
    receipt = overrides.pop("receipt", False)
    fields: dict[str, Any] = {
        "fund": fund,
        "amount": Decimal(amount),
        "currency": Currency.UAH,
        "base_amount": Decimal(amount),
        "spent_on": timezone.localdate() - datetime.timedelta(days=1),
        "payee": "ФОП Коваль",
        "purpose": "Хліб",
        "category": "food",
        "status": Expense.Status.SPENT,
    }
    fields.update(overrides)
    expense = Expense(**fields)
    if receipt:
        expense.receipt.save("receipt.pdf", ContentFile(PDF), save=False)
        expense.receipt_type = "application/pdf"
    expense.save()
    return expense


def make_rate(currency: str = "EUR", rate: str = "44.000000", **overrides: Any) -> ExchangeRate:
    fields: dict[str, Any] = {
        "currency": currency,
        "quote": Currency.UAH,
        "rate": Decimal(rate),
        "on": timezone.localdate() - datetime.timedelta(days=30),
    }
    fields.update(overrides)
    return ExchangeRate.objects.create(**fields)


def receipt_file(name: str = "receipt.pdf") -> ContentFile:
    return ContentFile(PDF, name=name)
