"""CSV and XLSX imports of needs, offers (pledges) and stock counts.

Upload, preview, commit:

1. ``save_upload`` keeps the file in private storage (never a web-served folder), under the
   uploader's id and a random token: nobody else can reach it, and it is gone after the commit,
   a cancel, or a day.
2. ``preview`` reads the file, maps its columns by their headers (English or Ukrainian names,
   or the HXL hashtags of our own exports) and checks every row as the services would, without
   writing anything. Every bad row is listed with its row number, column and reason, in the
   reader's language.
3. ``commit`` writes all rows through the services in one transaction, or nothing: a row the
   services refuse at that moment rolls the whole file back and is reported like a preview
   error. The import is written once per key (the upload's token), with its audit event, in
   the same transaction: a commit sent twice, even at the same moment, writes once.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from hromada.aid.models import Item, Pledge, Priority, StockLevel, Unit, lot_key
from hromada.aid.permissions import (
    may_manage_needs_at,
    may_manage_stock_at,
    may_view_need,
    visible_needs,
)
from hromada.aid.services import needs as need_services
from hromada.aid.services import pledges as pledge_services
from hromada.aid.services import stock as stock_services
from hromada.core import permissions
from hromada.core.idempotency import create_once
from hromada.core.models import AuditEvent, Place, Sensitivity
from hromada.core.services import record_event
from hromada.lib import pagecache
from hromada.lib.crashpoints import crashpoint
from hromada.lib.uploads import TOKEN as TOKEN  # the views check tokens before a lookup
from hromada.lib.uploads import PrivateUploads

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
# An XLSX is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED = 300 * 1024 * 1024
KEEP = datetime.timedelta(hours=24)
MAX_DIGITS, DECIMALS = 12, 3  # the quantity fields of the models
ERRORS_SHOWN = 500  # on the page; the error download lists them all


class Kind(models.TextChoices):
    NEEDS = "needs", gettext_lazy("Needs")
    PLEDGES = "pledges", gettext_lazy("Offers (pledges)")
    STOCK = "stock", gettext_lazy("Stock counts")


def may_import(user: Any, kind: str | None = None) -> bool:
    """Coordinators (and organisation admins) import for the places they run; offers, which
    belong to no place yet, for their organisations."""
    return permissions.has_any_role(user, *permissions.PLACE_MANAGERS)


# Columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A field the importer understands, and the headers that name it in a file."""

    name: str
    label: Promise  # shown to the reader
    en: str  # the header of the English template
    uk: str  # the header of the Ukrainian template
    aliases: tuple[str, ...] = ()
    hxl: tuple[str, ...] = ()  # hashtags with their attributes, e.g. "#item+num+needed"
    required: bool = False

    @property
    def header(self) -> str:
        return self.en if get_language() == "en" else self.uk

    def names(self) -> set[str]:
        return {_norm(n) for n in (self.name, self.en, self.uk, *self.aliases)}


def _norm(header: Any) -> str:
    """Headers compare without case, punctuation or extra spaces: "Кількість, шт.*" and
    "кількість шт" are the same."""
    text = str(header or "").casefold().replace("’", "'").replace("ʼ", "'")
    text = re.sub(r"[\s_\-.,:;*()\[\]/]+", " ", text)
    return text.strip()


def _hxl_key(tag: Any) -> tuple[str, frozenset[str]] | None:
    """ "#item +num +needed" -> ("#item", {"num", "needed"}); None when it is not a hashtag."""
    text = str(tag or "").strip().lower().replace(" ", "")
    if not re.match(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$", text):
        return None
    name, *attributes = text.split("+")
    return name, frozenset(attributes)


PLACE_ID = Column(
    "place_id", gettext_lazy("Place number"), "place_id", "номер місця",
    ("place id", "place number", "id місця", "місце id", "номер закладу"), ("#loc+id",),
)  # fmt: skip
PLACE = Column(
    "place", gettext_lazy("Place"), "place", "місце",
    ("place name", "site", "location", "facility", "заклад", "пункт", "назва місця", "локація"),
    ("#loc+name",),
)  # fmt: skip
ITEM_CODE = Column(
    "item_code", gettext_lazy("Item code"), "item_code", "код товару",
    ("code", "item code", "код", "код позиції"), ("#item+code",),
)  # fmt: skip
ITEM = Column(
    "item", gettext_lazy("Item"), "item", "товар",
    ("item name", "article", "найменування", "назва товару", "позиція", "предмет"),
    ("#item+name",),
)  # fmt: skip
TITLE = Column(
    "title", gettext_lazy("Description"), "title", "опис",
    ("what", "what is needed", "description", "details", "що потрібно", "деталі"),
)  # fmt: skip
UNIT = Column(
    "unit", gettext_lazy("Unit"), "unit", "одиниця",
    ("units", "од", "од виміру", "одиниця виміру", "одиниці"), ("#item+unit",),
)  # fmt: skip
NOTE = Column(
    "note", gettext_lazy("Note"), "note", "примітка",
    ("notes", "comment", "коментар", "нотатка"), ("#description",),
)  # fmt: skip
QUANTITY_ALIASES = ("qty", "amount", "how many", "к сть", "скільки")

NEED_COLUMNS = [
    PLACE_ID, PLACE, ITEM_CODE, ITEM, TITLE,
    Column(
        "quantity", gettext_lazy("Quantity"), "quantity", "кількість", QUANTITY_ALIASES,
        ("#item+num+needed", "#item+num"), required=True,
    ),
    UNIT,
    Column(
        "priority", gettext_lazy("Priority"), "priority", "пріоритет",
        ("urgency", "терміновість", "важливість"), ("#severity",),
    ),
    Column(
        "needed_by", gettext_lazy("Needed by"), "needed_by", "потрібно до",
        ("needed by", "deadline", "due", "термін", "до дати"), ("#date+deadline",),
    ),
    Column(
        "visibility", gettext_lazy("Who may see it"), "visibility", "видимість",
        ("who may see it", "хто бачить"),
    ),
    NOTE,
]  # fmt: skip

STOCK_COLUMNS = [
    PLACE_ID, PLACE, ITEM_CODE, ITEM,
    Column(
        "counted", gettext_lazy("Counted"), "counted", "пораховано",
        ("count", "on hand", "quantity", "кількість", "залишок", "фактично", "фактична кількість",
         *QUANTITY_ALIASES),
        ("#item+num+stored", "#item+num"), required=True,
    ),
    Column("batch", gettext_lazy("Batch"), "batch", "партія", ("lot", "лот", "серія"), ("#item+batch",)),
    Column(
        "expires_on", gettext_lazy("Expires"), "expires_on", "термін придатності",
        ("expires", "expires on", "expiry", "expiry date", "best before", "придатний до", "вжити до"),
        ("#date+expiry",),
    ),
    NOTE,
]  # fmt: skip

PLEDGE_COLUMNS = [
    ITEM_CODE, ITEM, TITLE,
    Column(
        "quantity", gettext_lazy("Quantity"), "quantity", "кількість", QUANTITY_ALIASES,
        ("#item+num",), required=True,
    ),
    UNIT,
    Column(
        "contact_name", gettext_lazy("Donor's name"), "contact_name", "ім'я донора",
        ("name", "donor", "donor name", "contact", "contact name", "донор", "ім'я", "контакт",
         "контактна особа", "від кого"),
        ("#contact+name",), required=True,
    ),
    Column(
        "contact_phone", gettext_lazy("Phone"), "contact_phone", "телефон",
        ("phone", "telephone", "тел"), ("#contact+phone",),
    ),
    Column(
        "contact_email", gettext_lazy("E-mail"), "contact_email", "e-mail",
        ("email", "пошта", "електронна пошта"), ("#contact+email",),
    ),
    Column("handover", gettext_lazy("Handover"), "handover", "передача", ("delivery", "доставка")),
    Column(
        "location", gettext_lazy("Where it can be collected"), "location", "де забрати",
        ("address", "pick-up address", "where", "адреса"),
    ),
    Column(
        "available_from", gettext_lazy("Available from"), "available_from", "доступно з",
        ("from", "з"), ("#date+start",),
    ),
    Column(
        "available_until", gettext_lazy("Available until"), "available_until", "доступно до",
        ("until", "до"), ("#date+end",),
    ),
    Column(
        "expires_on", gettext_lazy("Best before"), "expires_on", "придатний до",
        ("best before", "expires", "expiry", "термін придатності", "вжити до"), ("#date+expiry",),
    ),
    Column(
        "need", gettext_lazy("For the need"), "need_id", "номер потреби",
        ("need", "need id", "потреба"), ("#need+id",),
    ),
    Column(
        "hub", gettext_lazy("To be received at"), "hub", "пункт прийому",
        ("received at", "to be received at", "склад", "хаб"),
    ),
    NOTE,
]  # fmt: skip

COLUMNS: dict[str, list[Column]] = {
    Kind.NEEDS: NEED_COLUMNS,
    Kind.STOCK: STOCK_COLUMNS,
    Kind.PLEDGES: PLEDGE_COLUMNS,
}


# Reading a file -----------------------------------------------------------------------------


class FileRejected(Exception):
    """The file as a whole cannot be imported (not CSV/XLSX, empty, too large, no columns)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header: list[Any]
    hxl: list[Any] | None
    rows: list[tuple[int, list[Any]]]  # (row number as a spreadsheet shows it, cells)


def _blank(cells: Iterable[Any]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def _is_hxl_row(cells: list[Any]) -> bool:
    filled = [c for c in cells if c is not None and str(c).strip()]
    return bool(filled) and all(_hxl_key(c) is not None for c in filled)


def _table(records: Iterable[list[Any]]) -> Table:
    header: list[Any] | None = None
    hxl: list[Any] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(records, start=1):
        cells = list(cells[:MAX_COLUMNS])
        if _blank(cells):
            continue
        if header is None:
            header = cells
            if _is_hxl_row(cells):
                hxl = cells
            continue
        if hxl is None and not rows and _is_hxl_row(cells):
            hxl = cells
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise FileRejected(
                _("The file has more than %(n)s rows: split it into smaller files.")
                % {"n": f"{MAX_ROWS:,}".replace(",", " ")}
            )
    if header is None:
        raise FileRejected(_("The file is empty."))
    if not rows:
        raise FileRejected(_("The file has a header row but no rows of data under it."))
    return Table(header, hxl, rows)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Ukrainian Windows saves "CSV" in its own code page.
        return content.decode("cp1251", errors="strict")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return "\x00" in sample or controls > len(sample) / 100


def _delimiter(text: str) -> str:
    """The separator of the header line: a comma, a semicolon (Excel in a Ukrainian locale)
    or a tab, whichever the first line holds most of."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _read_csv(content: bytes) -> Table:
    try:
        text = _decode(content)
    except UnicodeDecodeError:
        raise FileRejected(_("This file is not a CSV or XLSX file.")) from None
    if _looks_binary(text):
        raise FileRejected(_("This file is not a CSV or XLSX file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _table(reader)
    except csv.Error as error:
        raise FileRejected(
            _("Line %(n)s of the file cannot be read as CSV: %(error)s")
            % {"n": reader.line_num, "error": error}
        ) from None


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRejected(_("This XLSX file is damaged.")) from None
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise FileRejected(_("This is an OpenDocument file: save it as XLSX or CSV."))
        raise FileRejected(_("This file is not a CSV or XLSX file."))
    if unpacked > MAX_UNPACKED:
        raise FileRejected(_("This XLSX file is too large once unpacked: save it as CSV."))
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise FileRejected(_("This XLSX file is damaged.")) from None
    try:
        sheet = book.worksheets[0]
        return _table(list(r) for r in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))
    finally:
        book.close()


def read_table(content: bytes) -> Table:
    """The header, the HXL hashtag row if any, and the data rows of a CSV or XLSX file.

    The kind is read from the content, not from the name: a renamed file is still found out."""
    if not content.strip():
        raise FileRejected(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise FileRejected(
            _("The file is larger than %(mb)s MB: split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(_("This is an old Excel file (.xls): save it as XLSX or CSV."))
    return _read_csv(content)


# Values -------------------------------------------------------------------------------------


class Bad(Exception):
    """One cell cannot be used; the message says why."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or an id typed into a number cell
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise Bad(_("Enter a number."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = re.sub(r"[\s\u00a0\u202f']", "", str(value))
        if "," in text and "." in text:
            # Whichever comes last separates the decimals: 1,234.5 and 1.234,5 are the same.
            thousands = "," if text.rfind(".") > text.rfind(",") else "."
            text = text.replace(thousands, "")
        text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Bad(_("Enter a number.")) from None
    if not number.is_finite():
        raise Bad(_("Enter a number."))
    if abs(number) >= Decimal(10) ** (MAX_DIGITS - DECIMALS):
        raise Bad(_("The number is too large."))
    if number != number.quantize(Decimal(1).scaleb(-DECIMALS)):
        raise Bad(_("At most %(n)s decimal places.") % {"n": DECIMALS})
    return number + Decimal(0)  # drops a "-0"


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%Y/%m/%d")


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 -- a date only
        except ValueError:
            continue
    raise Bad(_("Write the date as 2022-03-01 or 01.03.2022."))


def _labels(choices: type[models.TextChoices], **extra: str) -> dict[str, str]:
    """Every way of writing a choice: its value, its label in each language, and synonyms."""
    names: dict[str, str] = {_norm(v): v for v in choices.values}
    for language in ("uk", "en"):
        with translation.override(language):
            names.update({_norm(str(label)): value for value, label in choices.choices})
    names.update({_norm(k): v for k, v in extra.items()})
    return names


def _choice(value: Any, names: dict[str, str], choices: type[models.TextChoices]) -> str:
    found = names.get(_norm(value))
    if found is None:
        raise Bad(
            _("Unknown value “%(value)s”: write one of %(values)s.")
            % {"value": _text(value), "values": ", ".join(str(label) for label in choices.labels)}
        )
    return found


# Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it; 0 for the file as a whole
    column: str  # the header as written in the file, or the field's name
    message: str


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    shown: list[str] = field(default_factory=list)  # for the preview table


@dataclass
class Preview:
    kind: str
    total: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header in the file, field)
    ignored: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # of the preview table
    headers: dict[str, str] = field(default_factory=dict)  # field -> its header in the file
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    @property
    def errors_shown(self) -> list[RowError]:
        return self.errors[:ERRORS_SHOWN]

    @property
    def sample(self) -> list[Row]:
        return self.rows[:20]


def _map_columns(
    kind: str, table: Table
) -> tuple[dict[str, int], dict[str, str], list[str], list[RowError]]:
    """Which column of the file holds which field: by HXL hashtag when the file has a hashtag
    row, else by header name. Returns (field -> column index, field -> the header or hashtag
    it was found by, ignored headers, errors)."""
    columns = COLUMNS[kind]
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in column.names():
            by_name.setdefault(name, column)
    by_tag: dict[tuple[str, frozenset[str]], Column] = {}
    for column in columns:
        for hashtag in column.hxl:
            parsed = _hxl_key(hashtag)
            if parsed is not None:
                by_tag.setdefault(parsed, column)
    found: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    width = max(len(table.header), len(table.hxl or []))
    for index in range(width):
        header = _text(table.header[index]) if index < len(table.header) else ""
        tag = table.hxl[index] if table.hxl and index < len(table.hxl) else None
        key = _hxl_key(tag)
        match = by_tag.get(key) if key else None
        shown = _text(tag) if match is not None else header or _text(tag) or f"#{index + 1}"
        if match is None and header and not header.startswith("#"):
            match = by_name.get(_norm(header))
        if match is None:
            if header or tag:
                ignored.append(shown)
            continue
        if match.name in found:
            errors.append(
                RowError(
                    0,
                    shown,
                    _("Both “%(a)s” and “%(b)s” give the %(field)s: keep one of them.")
                    % {"a": headers[match.name], "b": shown, "field": str(match.label).lower()},
                )
            )
            continue
        found[match.name] = index
        headers[match.name] = shown
    for column in columns:
        if column.required and column.name not in found:
            errors.append(
                RowError(
                    0,
                    column.header,
                    _("No column for the %(field)s: name one “%(uk)s” or “%(en)s”.")
                    % {"field": str(column.label).lower(), "uk": column.uk, "en": column.en},
                )
            )
    needs_place = kind in (Kind.NEEDS, Kind.STOCK)
    if needs_place and "place" not in found and "place_id" not in found:
        errors.append(
            RowError(
                0,
                PLACE.header,
                _("No column for the place: name one “%(uk)s” or “%(en)s”.")
                % {"uk": PLACE.uk, "en": PLACE.en},
            )
        )
    if kind == Kind.STOCK and "item" not in found and "item_code" not in found:
        errors.append(
            RowError(
                0,
                ITEM_CODE.header,
                _("No column for the item: name one “%(uk)s” or “%(en)s”.")
                % {"uk": ITEM_CODE.uk, "en": ITEM_CODE.en},
            )
        )
    return found, headers, ignored, errors


class Catalogue:
    """Items by code and by name in either language, read once per file."""

    def __init__(self) -> None:
        self.by_code: dict[str, Item] = {}
        self.by_name: dict[str, list[Item]] = defaultdict(list)
        for item in Item.objects.all():
            self.by_code[item.code.casefold()] = item
            for name in {_norm(item.name_uk), _norm(item.name_en)}:
                self.by_name[name].append(item)

    def find(self, code: str, name: str) -> Item:
        if code:
            item = self.by_code.get(code.casefold())
            if item is None:
                raise Bad(
                    _(
                        "Unknown item code “%(code)s”: use a code from the catalogue, such as “bread”."
                    )
                    % {"code": code}
                )
        else:
            found = self.by_name.get(_norm(name), [])
            if not found:
                raise Bad(
                    _("Unknown item “%(name)s”: use a name or a code from the catalogue.")
                    % {"name": name}
                )
            if len(found) > 1:
                raise Bad(
                    _("Several items are called “%(name)s”: give the item code instead.")
                    % {"name": name}
                )
            item = found[0]
        if not item.is_active:
            raise Bad(_("This item is no longer in the catalogue."))
        return item


class Places:
    """The places the user may import for, found by number or by name; the places they may
    only see give a clearer refusal than "unknown"."""

    def __init__(self, user: Any, allowed: Callable[[Any, Place], bool]) -> None:
        self.mine: dict[int, Place] = {}
        self.by_name: dict[str, list[Place]] = defaultdict(list)
        for place in permissions.coordinated_places(user):
            if allowed(user, place):
                self.mine[place.pk] = place
                self.by_name[_norm(place.name)].append(place)
        self.seen: dict[str, str] = {}
        for pk, name in permissions.visible_places(user).values_list("pk", "name"):
            self.seen[str(pk)] = name
            self.seen.setdefault(_norm(name), name)

    def find(self, number: str, name: str) -> Place:
        if number:
            if not number.isdigit():
                raise Bad(_("A place number is a whole number."))
            place = self.mine.get(int(number))
            if place is None:
                self._refuse(number, self.seen.get(number))
            return place
        found = self.by_name.get(_norm(name), [])
        if len(found) > 1:
            raise Bad(
                _("Several of your places are called “%(name)s”: give the place number instead.")
                % {"name": name}
            )
        if not found:
            self._refuse(name, self.seen.get(_norm(name)))
        return found[0]

    def _refuse(self, given: str, seen: str | None) -> NoReturn:
        if seen is not None:
            raise Bad(
                _(
                    "%(place)s is run by another organisation: you may import only for the places you coordinate."
                )
                % {"place": seen}
            )
        raise Bad(_("Unknown place “%(place)s”.") % {"place": given})


UNIT_NAMES = _labels(
    Unit, pieces="piece", шт="piece", штук="piece", кілограм="kg", літр="litre", літрів="litre",
    пачка="pack", упаковка="pack", коробка="box", мішок="bag", буханець="loaf", рулон="roll",
)  # fmt: skip
PRIORITY_NAMES = _labels(Priority, критично="critical", високий="high", звичайний="normal")
VISIBILITY_NAMES = _labels(Sensitivity, усім="public", members="members", restricted="restricted")
HANDOVER_NAMES = _labels(
    Pledge.Handover, bring="drop_off", drop="drop_off", collect="pick_up", pickup="pick_up",
    привезу="drop_off", забрати="pick_up", самовивіз="pick_up",
)  # fmt: skip


class _RowReader:
    """Reads one row's cells by field name, collecting the problems of each cell."""

    def __init__(
        self, number: int, cells: list[Any], mapping: dict[str, int], headers: dict[str, str]
    ) -> None:
        self.number = number
        self.cells = cells
        self.mapping = mapping
        self.headers = headers
        self.errors: list[RowError] = []

    def raw(self, name: str) -> Any:
        index = self.mapping.get(name)
        if index is None or index >= len(self.cells):
            return None
        value = self.cells[index]
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def text(self, name: str) -> str:
        return _text(self.raw(name))

    def get(self, name: str, parse: Callable[[Any], Any], default: Any = None) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return parse(value)
        except Bad as error:
            self.fail(name, str(error))
            return default

    def fail(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.headers.get(name, name), message))

    def require(self, name: str, label: Promise | str) -> bool:
        if self.raw(name) is None:
            self.fail(name, _("The %(field)s is missing.") % {"field": str(label).lower()})
            return False
        return True


def _quantity(value: Any) -> Decimal:
    number = _decimal(value)
    if number <= 0:
        raise Bad(_("The quantity must be more than zero."))
    return number


def _count(value: Any) -> Decimal:
    number = _decimal(value)
    if number < 0:
        raise Bad(_("A count cannot be negative."))
    return number


def _future(value: Any) -> datetime.date:
    day = _date(value)
    if day < timezone.localdate():
        raise Bad(_("This date is in the past."))
    return day


def _short_text(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise Bad(_("At most %(n)s characters.") % {"n": limit})
        return text

    return parse


def _fmt(number: Decimal | None) -> str:
    """A quantity as the reader writes numbers (120,5 in Ukrainian), without trailing zeros."""
    if number is None:
        return ""
    text = f"{number:f}"
    plain = (text.rstrip("0").rstrip(".") if "." in text else text) or "0"
    return number_format(Decimal(plain), use_l10n=True)


def _item_or_title(reader: _RowReader, catalogue: Catalogue, *, free_text: bool) -> Item | None:
    code, name = reader.text("item_code"), reader.text("item")
    if not code and not name:
        if not free_text:
            reader.fail("item_code", _("The item is missing."))
        elif not reader.text("title"):
            reader.fail(
                "item",
                _(
                    "Give an item from the catalogue, or describe the need in the “%(column)s” column."
                )
                % {"column": TITLE.header},
            )
        return None
    try:
        return catalogue.find(code, name)
    except Bad as error:
        message = str(error)
        if free_text and not code:
            message += " " + _(
                "Something outside the catalogue goes in the “%(column)s” column, with its unit."
            ) % {"column": TITLE.header}
        reader.fail("item_code" if code else "item", message)
        return None


def _check_needs(
    user: Any, table: Table, mapping: dict[str, int], headers: dict[str, str], preview: Preview
) -> None:
    catalogue = Catalogue()
    places = Places(user, may_manage_needs_at)
    preview.headings = [
        str(_("Place")),
        str(_("What")),
        str(_("Quantity")),
        str(_("Priority")),
        str(_("Needed by")),
    ]
    for number, cells in table.rows:
        reader = _RowReader(number, cells, mapping, headers)
        place = None
        try:
            place = places.find(reader.text("place_id"), reader.text("place"))
        except Bad as error:
            reader.fail("place_id" if reader.text("place_id") else "place", str(error))
        item = _item_or_title(reader, catalogue, free_text=True)
        title = reader.get("title", _short_text(200), "")
        quantity = (
            reader.get("quantity", _quantity) if reader.require("quantity", _("quantity")) else None
        )
        unit = reader.get("unit", lambda v: _choice(v, UNIT_NAMES, Unit), "")
        if not unit and item is None and not reader.errors:
            reader.fail("unit", _("Give the unit of a need described in words."))
        priority = reader.get(
            "priority", lambda v: _choice(v, PRIORITY_NAMES, Priority), Priority.NORMAL
        )
        needed_by = reader.get("needed_by", _future)
        visibility = reader.get(
            "visibility", lambda v: _choice(v, VISIBILITY_NAMES, Sensitivity), Sensitivity.PUBLIC
        )
        note = reader.get("note", _short_text(2000), "")
        if reader.errors:
            preview.errors.extend(reader.errors)
            continue
        assert place is not None and quantity is not None
        unit = unit or (item.unit if item else "")
        preview.rows.append(
            Row(
                number,
                {
                    "place": place, "item": item, "title": title, "quantity": quantity,
                    "unit": unit, "priority": priority, "needed_by": needed_by,
                    "visibility": visibility, "note": note,
                },
                [
                    place.name,
                    f"{item.name} ({title})" if item and title else (item.name if item else title),
                    f"{_fmt(quantity)} {Unit(unit).label}",
                    str(Priority(priority).label),
                    needed_by.isoformat() if needed_by else "",
                ],
            )
        )  # fmt: skip


def _check_stock(
    user: Any, table: Table, mapping: dict[str, int], headers: dict[str, str], preview: Preview
) -> None:
    catalogue = Catalogue()
    places = Places(user, may_manage_stock_at)
    preview.headings = [
        str(_("Place")),
        str(_("Item")),
        str(_("Lot")),
        str(_("On record")),
        str(_("Counted")),
        str(_("Change")),
    ]
    seen: dict[tuple[int, int, str], int] = {}
    for number, cells in table.rows:
        reader = _RowReader(number, cells, mapping, headers)
        place = None
        try:
            place = places.find(reader.text("place_id"), reader.text("place"))
        except Bad as error:
            reader.fail("place_id" if reader.text("place_id") else "place", str(error))
        item = _item_or_title(reader, catalogue, free_text=False)
        counted = reader.get("counted", _count) if reader.require("counted", _("count")) else None
        batch = reader.get("batch", _short_text(64), "")
        expires_on = reader.get("expires_on", _date)
        note = reader.get("note", _short_text(300), "")
        if (
            item is not None
            and item.perishable
            and expires_on is None
            and "expires_on" not in {e.column for e in reader.errors}
        ):
            reader.fail(
                "expires_on", _("%(item)s spoils: give its expiry date.") % {"item": item.name}
            )
        if place is not None and item is not None and not reader.errors:
            key = (place.pk, item.pk, lot_key(batch, expires_on))
            if key in seen:
                reader.fail(
                    "counted",
                    _("The same lot is counted on row %(row)s: keep one count per lot.")
                    % {"row": seen[key]},
                )
            seen.setdefault(key, number)
        if reader.errors:
            preview.errors.extend(reader.errors)
            continue
        assert place is not None and item is not None and counted is not None
        preview.rows.append(
            Row(
                number,
                {
                    "place": place, "item": item, "counted": counted, "batch": batch,
                    "expires_on": expires_on, "note": note,
                },
            )
        )  # fmt: skip
    # What the ledger holds now, to show what each count will change: the places in the file only.
    held = {
        (p, i, lot): q
        for p, i, lot, q in StockLevel.objects.filter(
            place_id__in={row.values["place"].pk for row in preview.rows}
        ).values_list("place_id", "item_id", "lot", "quantity")
    }
    for row in preview.rows:
        v = row.values
        before = held.get(
            (v["place"].pk, v["item"].pk, lot_key(v["batch"], v["expires_on"])), Decimal(0)
        )
        change = v["counted"] - before
        lot = " · ".join(
            x for x in (v["batch"], v["expires_on"].isoformat() if v["expires_on"] else "") if x
        )
        row.shown = [
            v["place"].name, v["item"].name, lot or "—", _fmt(before), _fmt(v["counted"]),
            ("+" if change > 0 else "") + _fmt(change),
        ]  # fmt: skip


def _check_pledges(
    user: Any, table: Table, mapping: dict[str, int], headers: dict[str, str], preview: Preview
) -> None:
    catalogue = Catalogue()
    hubs = Places(user, may_manage_stock_at)
    need_ids = set()
    if "need" in mapping:
        for _number, cells in table.rows:
            index = mapping["need"]
            value = _text(cells[index]) if index < len(cells) else ""
            if value.isdigit():
                need_ids.add(int(value))
    needs = visible_needs(user).select_related("place__organization", "item").in_bulk(need_ids)
    today = timezone.localdate()
    preview.headings = [
        str(_("What")),
        str(_("Quantity")),
        str(_("Donor's name")),
        str(_("Handover")),
        str(_("For the need")),
    ]
    for number, cells in table.rows:
        reader = _RowReader(number, cells, mapping, headers)
        item = _item_or_title(reader, catalogue, free_text=True)
        title = reader.get("title", _short_text(200), "")
        quantity = (
            reader.get("quantity", _quantity) if reader.require("quantity", _("quantity")) else None
        )
        unit = reader.get("unit", lambda v: _choice(v, UNIT_NAMES, Unit), "")
        if not unit and item is None and not reader.errors:
            reader.fail("unit", _("Give the unit of an offer described in words."))
        name = (
            reader.get("contact_name", _short_text(200), "")
            if reader.require("contact_name", _("donor's name"))
            else ""
        )
        phone = reader.get("contact_phone", _short_text(32), "")
        email = reader.get("contact_email", _short_text(254), "")
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            reader.fail("contact_email", _("Enter a valid e-mail address."))
        if not phone and not email:
            reader.fail(
                "contact_phone",
                _("Give a phone number or an e-mail, so a coordinator can reach the donor."),
            )
        handover = reader.get(
            "handover",
            lambda v: _choice(v, HANDOVER_NAMES, Pledge.Handover),
            Pledge.Handover.DROP_OFF,
        )
        location = reader.get("location", _short_text(300), "")
        if handover == Pledge.Handover.PICK_UP and not location:
            reader.fail("location", _("Say where it can be collected."))
        available_from = reader.get("available_from", _date)
        available_until = reader.get("available_until", _future)
        if available_from and available_until and available_until < available_from:
            reader.fail("available_until", _("The end comes before the start."))
        expires_on = reader.get("expires_on", _date)
        if expires_on is not None and expires_on < today:
            reader.fail("expires_on", _("This has already expired."))
        if (
            item is not None
            and item.perishable
            and expires_on is None
            and "expires_on" not in {e.column for e in reader.errors}
        ):
            reader.fail(
                "expires_on", _("%(item)s spoils: give its best-before date.") % {"item": item.name}
            )
        need = None
        need_text = reader.text("need")
        if need_text:
            need = needs.get(int(need_text)) if need_text.isdigit() else None
            if need is None:
                reader.fail(
                    "need",
                    _("Unknown need “%(need)s”: give the number of a need you can see.")
                    % {"need": need_text},
                )
            elif not need.is_open:
                reader.fail("need", _("This need is not open any more."))
            elif item is not None and need.item_id and need.item_id != item.pk:
                reader.fail("need", _("This need is for another item."))
        hub = None
        hub_text = reader.text("hub")
        if hub_text:
            try:
                hub = hubs.find(
                    hub_text if hub_text.isdigit() else "", "" if hub_text.isdigit() else hub_text
                )
            except Bad as error:
                reader.fail("hub", str(error))
        note = reader.get("note", _short_text(2000), "")
        if reader.errors:
            preview.errors.extend(reader.errors)
            continue
        assert quantity is not None
        unit = unit or (item.unit if item else "")
        preview.rows.append(
            Row(
                number,
                {
                    "item": item, "title": title, "quantity": quantity, "unit": unit,
                    "contact_name": name, "contact_phone": phone, "contact_email": email,
                    "handover": handover, "location": location, "available_from": available_from,
                    "available_until": available_until, "expires_on": expires_on, "need": need,
                    "hub": hub, "note": note,
                },
                [
                    f"{item.name} ({title})" if item and title else (item.name if item else title),
                    f"{_fmt(quantity)} {Unit(unit).label}", name,
                    str(Pledge.Handover(handover).label) + (f" · {hub.name}" if hub else ""),
                    f"#{need.pk} {need.place.name}" if need else "",
                ],
            )
        )  # fmt: skip


CHECKS = {Kind.NEEDS: _check_needs, Kind.STOCK: _check_stock, Kind.PLEDGES: _check_pledges}


def preview(user: Any, kind: str, content: bytes) -> Preview:
    """Read and check the whole file; write nothing. A file that cannot be read at all gives
    one error on row 0."""
    result = Preview(kind=kind)
    try:
        table = read_table(content)
    except FileRejected as error:
        result.errors.append(RowError(0, "", error.message))
        return result
    result.total = len(table.rows)
    mapping, headers, ignored, errors = _map_columns(kind, table)
    result.ignored = ignored
    result.headers = headers
    labels = {c.name: str(c.label) for c in COLUMNS[kind]}
    result.columns = [
        (headers[name], labels[name])
        for name, _index in sorted(mapping.items(), key=lambda kv: kv[1])
    ]
    if errors:
        result.errors.extend(errors)
        return result
    CHECKS[Kind(kind)](user, table, mapping, headers, result)
    return result


# Commit -------------------------------------------------------------------------------------


class ImportRejected(Exception):
    """Nothing was written: these rows were refused."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _errors_from(number: int, error: Exception, headers: dict[str, str]) -> list[RowError]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [
            RowError(number, headers.get(name, name), str(message))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    if isinstance(error, ValidationError):
        return [RowError(number, "", str(m)) for m in error.messages]
    return [RowError(number, "", str(error) or _("You may not do this."))]


def _commit_need(user: Any, row: Row) -> Any:
    v = row.values
    need, _created = need_services.create_need(
        user,
        place=v["place"], item=v["item"], title=v["title"], quantity=v["quantity"],
        unit=v["unit"], priority=v["priority"], needed_by=v["needed_by"], note=v["note"],
        visibility=v["visibility"],
    )  # fmt: skip
    return need


def _commit_count(user: Any, row: Row) -> Any:
    v = row.values
    return stock_services.count_stock(
        user,
        place=v["place"], item=v["item"], counted=v["counted"], batch=v["batch"],
        expires_on=v["expires_on"], note=v["note"],
    )  # fmt: skip


def _commit_pledge(user: Any, row: Row) -> Any:
    """The offer is the donor's, who has no account here: it is offered as by an anonymous
    visitor (the donor's e-mail, if any, gets the thanks and the private link), then linked
    to its need and accepted into the hub by the coordinator who imports it."""
    v = row.values
    need = v["need"]
    donor = AnonymousUser()
    pledge, _created = pledge_services.offer_pledge(
        donor,
        quantity=v["quantity"], contact_name=v["contact_name"], item=v["item"], title=v["title"],
        unit=v["unit"], need=need if need is not None and may_view_need(donor, need) else None,
        handover=v["handover"], location=v["location"], available_from=v["available_from"],
        available_until=v["available_until"], expires_on=v["expires_on"],
        contact_phone=v["contact_phone"], contact_email=v["contact_email"], note=v["note"],
    )  # fmt: skip
    if need is not None and pledge.need_id is None:
        pledge_services.link_pledge(user, pledge, need)
    if v["hub"] is not None and pledge.status == Pledge.Status.OFFERED:
        pledge_services.accept_pledge(user, pledge, hub=v["hub"])
    return pledge


COMMITS = {Kind.NEEDS: _commit_need, Kind.STOCK: _commit_count, Kind.PLEDGES: _commit_pledge}


@dataclass
class Committed:
    kind: str
    rows: int
    created: bool  # False: this import (by its key) was committed before; nothing new
    event: AuditEvent


def commit(
    user: Any,
    kind: str,
    content: bytes,
    *,
    key: str,
    name: str = "",
    request: HttpRequest | None = None,
) -> Committed:
    """Check the file again (things change between preview and commit) and write every row
    through the services, in one transaction with the audit event that records the import.
    Raises ImportRejected, and writes nothing, when any row is refused, now or by a service.

    ``key`` names this import (the upload's token, or the API caller's idempotency key): the
    same import committed twice, even at the same moment, is written once (the second gets
    the first one's event back, ``created`` False)."""

    def write_all() -> AuditEvent:
        checked = preview(user, kind, content)
        if not checked.ok:
            raise ImportRejected(
                checked.errors or [RowError(0, "", _("The file has no rows to import."))]
            )
        write = COMMITS[Kind(kind)]
        by_field = {c.name: checked.headers.get(c.name, str(c.label)) for c in COLUMNS[kind]}
        errors: list[RowError] = []
        with pagecache.batch("needs"):  # the kept boards are dropped once, not per row
            for row in checked.rows:
                try:
                    # Each service runs in its own savepoint: a refused row leaves the others'
                    # work in place until the end, so that every refusal is reported at once.
                    write(user, row)
                except (ValidationError, PermissionDenied) as error:
                    errors.extend(_errors_from(row.number, error, by_field))
        if errors:
            raise ImportRejected(errors)
        crashpoint("aid.import.commit")  # every row written, the import not yet recorded
        return record_event(
            "aid.import.committed",
            actor=user,
            request=request,
            kind=kind,
            rows=len(checked.rows),
            file=name[:200],
            sha256=hashlib.sha256(content).hexdigest(),
        )

    event, created = create_once(
        scope="aid.import.commit", key=key, actor=user, model=AuditEvent, create=write_all
    )
    return Committed(kind, int(event.details.get("rows", 0)), created, event)


def errors_csv(errors: list[RowError]) -> Iterable[list[Any]]:
    for error in errors:
        yield [error.row or "", error.column, error.message]


# Keeping the file between preview and commit ------------------------------------------------


@dataclass(frozen=True)
class Upload:
    token: str
    kind: str
    name: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    content: bytes


STORE = PrivateUploads("aid_imports", keep=KEEP)


def save_upload(user: Any, kind: str, name: str, content: bytes) -> str:
    """Keep the file for the preview and the commit; returns the token that names it."""
    if len(content) > MAX_BYTES:
        raise FileRejected(
            _("The file is larger than %(mb)s MB: split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    info = {
        "kind": kind,
        "name": name[:200],
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return STORE.save(user, content, info)


def load_upload(user: Any, token: str) -> Upload | None:
    """The user's own upload under ``token``, or None (someone else's, gone, or expired)."""
    kept = STORE.load(user, token)
    if kept is None:
        return None
    info, content = kept
    return Upload(
        token, info["kind"], info["name"], info["size"], info["sha256"], info["saved_at"], content
    )


def drop_upload(user: Any, token: str) -> None:
    STORE.drop(user, token)


def template_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The header of an empty file to fill in, in the reader's language, with one example."""
    columns = [c for c in COLUMNS[kind] if c.name != "place_id"]
    examples = {
        "place": _("Shelter No. 1"), "item_code": "bread", "item": "", "title": "",
        "quantity": "200", "counted": "35", "unit": "loaf", "priority": "high",
        "needed_by": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        "visibility": "public", "note": "", "batch": "", "expires_on": "",
        "contact_name": _("Olena"), "contact_phone": "+380501234567", "contact_email": "",
        "handover": "drop_off", "location": "", "available_from": "", "available_until": "",
        "need": "", "hub": "",
    }  # fmt: skip
    if kind == Kind.STOCK:
        examples["expires_on"] = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    if kind == Kind.PLEDGES:
        examples.update(quantity="50", expires_on=examples["needed_by"])
    return [c.header for c in columns], [[examples.get(c.name, "") for c in columns]]
