"""How long does a 50,000-row import take, from upload to the last row saved?

A coordinator who pastes a district's list into a spreadsheet waits for the preview, then
for the commit. The script builds a throwaway test database (SQLite by default, PostgreSQL
when DATABASE_URL names one; the test database is created and dropped), one council with a
place and a coordinator, and files of 50,000 rows (seeded, so every run reads the same):

- needs as CSV and as XLSX: ``preview`` (read, map columns, check every row; writes nothing)
  and ``commit`` (every row through ``services.needs.create_need`` in one transaction);
- stock counts as CSV: 50,000 lots counted, preview and commit (``services.stock.count_stock``).

For comparison, in the same run:

- baseline: the same 50,000 needs created by calling ``create_need`` in a plain loop in one
  transaction (what the commit costs at least, since it goes through the service);
- ceiling: the same rows written with one ``bulk_create`` (no checks, no history: the
  fastest the database takes them, which an import must not do).

Prints one JSON object: wall seconds per phase, this process's CPU seconds per phase (the
database server's own work is not in them), and the load average at the start and the end.
Run: ``.venv/bin/python bench/aid_import.py [--rows 50000]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hromada.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

SEED = 20220228


def needs_rows(rows: int, codes: list[str], place: str) -> list[list[str]]:
    rng = random.Random(SEED)
    header = ["Місце", "Код товару", "Кількість", "Пріоритет", "Примітка"]
    priorities = ["critical", "high", "normal", "normal", "low"]
    body = [
        [place, rng.choice(codes), str(rng.randint(1, 500)), rng.choice(priorities), f"Рядок {n}"]
        for n in range(rows)
    ]
    return [header, *body]


def counts_rows(rows: int, codes: list[str], place: str) -> list[list[str]]:
    rng = random.Random(SEED + 1)
    header = ["place", "item_code", "counted", "batch", "expires_on"]
    return [
        header,
        *(
            [place, rng.choice(codes), str(rng.randint(0, 300)), f"B{n:06d}", "2099-12-31"]
            for n in range(rows)
        ),
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CPU: dict[str, float] = {}


def timed(run, name: str):  # type: ignore[no-untyped-def]
    """Run; return (result, wall seconds). This process's CPU seconds go to CPU[name]: on a
    shared, loaded machine the wall time says more about the neighbours than about us."""
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    CPU[name] = round(time.process_time() - cpu, 2)
    return result, round(time.perf_counter() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    # Stopped with SIGTERM, still drop the test database (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with translation.override("uk"):
            print(json.dumps(run(args.rows), ensure_ascii=False, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(rows: int) -> dict[str, object]:
    from hromada.aid import imports
    from hromada.aid.models import Item, Need, StockMove
    from hromada.aid.services.needs import create_need
    from hromada.core.models import Role
    from hromada.core.tests.factories import make_area, make_organization, make_place, make_user

    council = make_organization(name="Міська рада")
    area = make_area()
    places = {
        name: make_place(name=name, organization=council, area=area)
        for name in ("Пункт 1", "Пункт 2", "Пункт 3", "Склад")
    }
    coordinator = make_user(username="coordinator", roles={council: [Role.COORDINATOR]})
    codes = list(
        Item.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )
    items = {i.code: i for i in Item.objects.all()}

    needs_csv = as_csv(needs_rows(rows, codes, "Пункт 1"))
    needs_xlsx = as_xlsx(needs_rows(rows, codes, "Пункт 1"))
    counts_csv = as_csv(counts_rows(rows, codes, "Склад"))

    load_start = os.getloadavg()[0]
    preview, preview_csv = timed(
        lambda: imports.preview(coordinator, "needs", needs_csv), "needs_preview_csv"
    )
    assert preview.ok and len(preview.rows) == rows, preview.errors[:5]
    preview_x, preview_xlsx = timed(
        lambda: imports.preview(coordinator, "needs", needs_xlsx), "needs_preview_xlsx"
    )
    assert preview_x.ok and len(preview_x.rows) == rows, preview_x.errors[:5]
    _done, commit_needs = timed(
        lambda: imports.commit(coordinator, "needs", needs_csv, key="bench-needs"), "needs_commit"
    )
    assert Need.objects.filter(place=places["Пункт 1"]).count() == rows

    counts, preview_counts = timed(
        lambda: imports.preview(coordinator, "stock", counts_csv), "counts_preview"
    )
    assert counts.ok, counts.errors[:5]
    _done, commit_counts = timed(
        lambda: imports.commit(coordinator, "stock", counts_csv, key="bench-counts"),
        "counts_commit",
    )
    moved = StockMove.objects.filter(to_place=places["Склад"]).count()

    # Baseline: the service in a plain loop, in one transaction.
    def loop() -> None:
        with transaction.atomic():
            for row in preview.rows:
                v = row.values
                create_need(
                    coordinator,
                    place=places["Пункт 2"],
                    item=v["item"],
                    quantity=v["quantity"],
                    priority=v["priority"],
                    note=v["note"],
                )

    _none, baseline = timed(loop, "baseline_service_loop")

    # Ceiling: one bulk insert, no checks and no history.
    def bulk() -> None:
        Need.objects.bulk_create(
            (
                Need(
                    place=places["Пункт 3"],
                    item=items[r.values["item"].code],
                    quantity=Decimal(r.values["quantity"]),
                    unit=r.values["unit"],
                    priority=r.values["priority"],
                    note=r.values["note"],
                    created_by=coordinator,
                )
                for r in preview.rows
            ),
            batch_size=2000,
        )

    _none, ceiling = timed(bulk, "ceiling_bulk_create")

    total = preview_csv + commit_needs
    return {
        "database": connection.vendor,
        "rows": rows,
        "csv_bytes": len(needs_csv),
        "xlsx_bytes": len(needs_xlsx),
        "needs_preview_csv_seconds": preview_csv,
        "needs_preview_xlsx_seconds": preview_xlsx,
        "needs_commit_seconds": commit_needs,
        "needs_upload_to_saved_seconds": round(total, 2),
        "needs_rows_per_second": round(rows / commit_needs),
        "counts_preview_seconds": preview_counts,
        "counts_commit_seconds": commit_counts,
        "counts_corrections": moved,
        "baseline_service_loop_seconds": baseline,
        "ceiling_bulk_create_seconds": ceiling,
        "commit_over_baseline": round(commit_needs / baseline, 2),
        "cpu_seconds": CPU,
        "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


if __name__ == "__main__":
    main()
