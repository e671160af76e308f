"""Tables as downloads: CSV (optionally with an HXL hashtag row) or XLSX, from one call."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    """Values a spreadsheet keeps as numbers and dates; aware times in ISO form, text as text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    text = str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets: never let a
    # need's free text become one (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table_response(
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str = "csv",
    hxl: Sequence[str] | None = None,
) -> HttpResponse:
    """A download of ``rows`` under ``header``; ``hxl`` adds the hashtag row (CSV and XLSX)."""
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(filename[:31])
        sheet.append(list(header))
        if hxl:
            sheet.append(list(hxl))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(header)
        if hxl:
            writer.writerow(hxl)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    response["Content-Disposition"] = (
        f'attachment; filename="{filename}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    )
    return response
