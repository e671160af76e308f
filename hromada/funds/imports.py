"""Bank statements into a fund: upload, preview, commit (the pattern of ``hromada.aid.imports``).

1. The columns of one bank's statement are named once (``BankMapping``, per organisation and
   bank) and used for every later statement of that bank.
2. ``preview`` reads the file (CSV in UTF-8 or Windows-1251, any separator, or XLSX, through
   ``hromada.aid.imports.read_table``) and checks every row without writing anything: every
   bad row is listed with its row number, column and reason. Incoming payments become
   donations; outgoing ones and references already recorded are skipped and reported.
3. ``commit`` writes every new donation, or none, in one transaction, once per key: the same
   statement imported twice (or the same upload committed twice) adds nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hromada.aid.imports import FileRejected, read_table
from hromada.core.idempotency import create_once
from hromada.core.services import record_event
from hromada.funds import services
from hromada.funds.models import BankMapping, Channel, Currency, Donation, Fund, StatementImport
from hromada.funds.permissions import may_manage_fund
from hromada.lib.uploads import TOKEN as TOKEN  # the views check tokens before a lookup
from hromada.lib.uploads import PrivateUploads

KEEP = datetime.timedelta(hours=24)

FIELD_LABELS = {
    "date": gettext_lazy("Date"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "reference": gettext_lazy("Reference"),
    "donor": gettext_lazy("Payer"),
    "description": gettext_lazy("Description"),
}
REQUIRED = ("date", "amount", "reference")


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it; 0 for the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class Skipped:
    row: int
    reference: str
    reason: str


@dataclass
class Entry:
    row: int
    received_on: datetime.date
    amount: Decimal
    currency: str
    reference: str
    donor: str
    description: str


@dataclass
class Preview:
    entries: list[Entry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    def totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for entry in self.entries:
            totals[entry.currency] = totals.get(entry.currency, Decimal(0)) + entry.amount
        return totals


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))  # a spreadsheet's number cell, as it shows it
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", str(value or "")).replace("−", "-")
        if "," in text and "." in text:
            # Whichever comes last separates the decimals: 1,234.50 and 1.234,50 are the same.
            thousands = "," if text.rfind(".") > text.rfind(",") else "."
            text = text.replace(thousands, "")
        text = text.replace(",", ".")
        if not text:
            raise ValueError
        number = Decimal(text)
    if (
        not number.is_finite()
        or number != number.quantize(Decimal("0.01"))
        or abs(number) > services.MAX_AMOUNT
    ):
        raise ValueError
    return number.quantize(Decimal("0.01")) + Decimal(0)


def _day(value: Any, date_format: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in (date_format, "%Y-%m-%d", f"{date_format} %H:%M", f"{date_format} %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 -- a day only
        except ValueError:
            continue
    raise ValueError


def preview(fund: Fund, mapping: BankMapping, content: bytes) -> Preview:
    """Every row checked, nothing written."""
    result = Preview()
    try:
        table = read_table(content)
    except FileRejected as rejected:
        result.errors.append(RowError(0, "", rejected.message))
        return result
    positions: dict[str, int] = {}
    headers = [_norm(h) for h in table.header]
    for name in BankMapping.FIELDS:
        wanted = _norm(mapping.columns.get(name, ""))
        if not wanted:
            continue
        if wanted in headers:
            positions[name] = headers.index(wanted)
        else:
            result.errors.append(
                RowError(
                    0,
                    mapping.columns[name],
                    _("The file has no column “%(header)s” (%(field)s).")
                    % {"header": mapping.columns[name], "field": FIELD_LABELS[name]},
                )
            )
    for name in REQUIRED:
        if not mapping.columns.get(name):
            result.errors.append(
                RowError(0, str(FIELD_LABELS[name]), _("Name the column that holds this."))
            )
    if result.errors:
        return result
    known = set(
        Donation.objects.filter(fund=fund, corrects__isnull=True)
        .exclude(reference="")
        .values_list("reference", flat=True)
    )
    seen: dict[str, int] = {}
    today = timezone.localdate()

    def cell(cells: list[Any], name: str) -> Any:
        index = positions.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in table.rows:
        problems: list[RowError] = []
        column = mapping.columns
        try:
            day = _day(cell(cells, "date"), mapping.date_format)
            if day > today:
                problems.append(RowError(number, column["date"], _("This day is still to come.")))
        except ValueError:
            day = today
            problems.append(
                RowError(
                    number,
                    column["date"],
                    _("“%(value)s” is not a date like %(example)s.")
                    % {
                        "value": cell(cells, "date") or "",
                        "example": today.strftime(mapping.date_format),
                    },
                )
            )
        try:
            amount = _amount(cell(cells, "amount"))
        except (ValueError, InvalidOperation, ArithmeticError):
            amount = Decimal(0)
            problems.append(
                RowError(
                    number,
                    column["amount"],
                    _("“%(value)s” is not an amount with at most two decimals.")
                    % {"value": cell(cells, "amount") or ""},
                )
            )
        currency = str(cell(cells, "currency") or "").strip().upper() or mapping.default_currency
        currency = {"ГРН": "UAH", "UAH": "UAH", "980": "UAH", "978": "EUR", "840": "USD"}.get(
            currency, currency
        )
        if currency not in Currency.values:
            problems.append(
                RowError(
                    number,
                    column.get("currency", ""),
                    _("Unknown currency “%(value)s”.") % {"value": currency},
                )
            )
        elif not fund.accepts(currency):
            problems.append(
                RowError(
                    number,
                    column.get("currency", ""),
                    _("This fund accepts %(currencies)s.")
                    % {"currencies": ", ".join(fund.currencies)},
                )
            )
        reference = str(cell(cells, "reference") or "").strip()
        if (
            isinstance(cell(cells, "reference"), float)
            and float(cell(cells, "reference")).is_integer()
        ):
            reference = str(int(cell(cells, "reference")))
        if not reference:
            problems.append(
                RowError(number, column["reference"], _("Every payment needs its reference."))
            )
        elif len(reference) > 100:
            problems.append(
                RowError(
                    number, column["reference"], _("The reference is longer than 100 characters.")
                )
            )
        if problems:
            result.errors.extend(problems)
            continue
        if amount <= 0:
            result.skipped.append(
                Skipped(number, reference, _("an outgoing payment, not a donation"))
            )
            continue
        if reference in known:
            result.skipped.append(Skipped(number, reference, _("already recorded")))
            continue
        if reference in seen:
            result.skipped.append(
                Skipped(
                    number,
                    reference,
                    _("the same reference as row %(row)s") % {"row": seen[reference]},
                )
            )
            continue
        seen[reference] = number
        result.entries.append(
            Entry(
                number,
                day,
                amount,
                currency,
                reference,
                str(cell(cells, "donor") or "").strip()[:200],
                str(cell(cells, "description") or "").strip()[:500],
            )
        )
    return result


@dataclass
class Committed:
    statement: StatementImport
    created: bool


def commit(
    user: Any,
    fund: Fund,
    mapping: BankMapping,
    content: bytes,
    *,
    key: str,
    name: str = "",
    request: HttpRequest | None = None,
) -> Committed:
    """Check again and write every new donation, or none; once per ``key``."""
    if not may_manage_fund(user, fund):
        raise PermissionDenied

    def write_all() -> StatementImport:
        checked = preview(fund, mapping, content)
        if not checked.ok:
            raise ImportRejected(checked.errors)
        statement = StatementImport.objects.create(
            fund=fund,
            bank=mapping.bank,
            file_name=name[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            added=len(checked.entries),
            skipped=[
                {"row": s.row, "reference": s.reference, "reason": s.reason}
                for s in checked.skipped
            ],
            created_by=user,
        )
        errors: list[RowError] = []
        for entry in checked.entries:
            try:
                services.record_donation(
                    user,
                    fund,
                    amount=entry.amount,
                    currency=entry.currency,
                    received_on=entry.received_on,
                    channel=Channel.BANK,
                    donor_name=entry.donor,
                    reference=entry.reference,
                    note=entry.description,
                    statement=statement,
                )
            except ValidationError as error:
                for column, messages in error.message_dict.items():
                    errors.extend(RowError(entry.row, column, m) for m in messages)
        if errors:
            raise ImportRejected(errors)
        record_event(
            "funds.statement.imported",
            actor=user,
            obj=statement,
            request=request,
            fund=fund.pk,
            added=statement.added,
            skipped=len(statement.skipped),
            sha256=statement.sha256,
        )
        return statement

    with transaction.atomic():
        statement, created = create_once(
            scope="funds.statement", key=key, actor=user, model=StatementImport, create=write_all
        )
    return Committed(statement, created)


def save_mapping(
    user: Any,
    fund: Fund,
    *,
    bank: str,
    columns: dict[str, str],
    date_format: str,
    default_currency: str,
) -> BankMapping:
    """Keep the columns of this bank's statements for the organisation's next import."""
    if not may_manage_fund(user, fund):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not bank.strip():
        errors["bank"] = [_("Name the bank.")]
    for name in REQUIRED:
        if not columns.get(name, "").strip():
            errors[name] = [_("Name the column that holds this.")]
    if "%" not in date_format:
        errors["date_format"] = [_("Write the date format like %d.%m.%Y.")]
    if default_currency not in Currency.values:
        errors["default_currency"] = [_("Unknown currency.")]
    if errors:
        raise ValidationError(errors)
    mapping, _created = BankMapping.objects.update_or_create(
        organization=fund.organization,
        bank=bank.strip()[:100],
        defaults={
            "columns": {
                k: v.strip()[:100]
                for k, v in columns.items()
                if k in BankMapping.FIELDS and v.strip()
            },
            "date_format": date_format.strip()[:20],
            "default_currency": default_currency,
        },
    )
    return mapping


# Keeping the file between preview and commit ------------------------------------------------


@dataclass(frozen=True)
class Upload:
    token: str
    fund_id: int
    mapping_id: int
    name: str
    content: bytes


STORE = PrivateUploads("funds_imports", keep=KEEP)


def save_upload(user: Any, fund: Fund, mapping: BankMapping, name: str, content: bytes) -> str:
    return STORE.save(user, content, {"fund": fund.pk, "mapping": mapping.pk, "name": name[:200]})


def load_upload(user: Any, token: str) -> Upload | None:
    """The user's own upload, or None (someone else's, gone, or older than a day)."""
    kept = STORE.load(user, token)
    if kept is None:
        return None
    info, content = kept
    return Upload(token, info["fund"], info["mapping"], info["name"], content)


def drop_upload(user: Any, token: str) -> None:
    STORE.drop(user, token)
