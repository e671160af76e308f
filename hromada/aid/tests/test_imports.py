import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from hromada.aid import imports
from hromada.aid.models import Item, Need, Pledge, StockMove
from hromada.aid.services import stock
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import AuditEvent, Sensitivity

TODAY = timezone.localdate()
SOON = (TODAY + datetime.timedelta(days=5)).isoformat()


@pytest.fixture(autouse=True)
def in_english():
    """Checks called outside a request speak the test client's language."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_storage(settings):
    """Uploads wait in memory during the tests (a deployment names a private folder or bucket)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "aid_imports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, kind, content, name="file.csv"):
    return client.post(
        reverse("aid:imports"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def token_of(response) -> str:
    assert response.status_code == 302, response.content[:500]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def problems(preview) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in preview.errors]


NEEDS_OK = [
    ["place", "item_code", "quantity", "priority", "needed_by", "note"],
    ["Міська рада", "bread", "200", "high", SOON, "Щодня до 8:00"],
    ["Міська рада", "blankets", "40", "normal", "", ""],
]


# The whole journey ----------------------------------------------------------------------------


def test_a_coordinator_previews_needs_and_then_imports_them_all(community, as_user):
    client = as_user(community.coordinator)

    token = token_of(upload(client, "needs", csv_bytes(NEEDS_OK)))
    preview = client.get(reverse("aid:import-preview", args=[token]))

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Ready to import" in page and "Import 2 rows" in page
    assert not Need.objects.exists()  # nothing is written before the commit

    done = client.post(reverse("aid:import-commit", args=[token]))

    assert done.status_code == 302 and done["Location"] == reverse("aid:needs-board")
    needs = Need.objects.order_by("pk")
    assert [(n.item.code, n.quantity, n.priority, n.place) for n in needs] == [
        ("bread", Decimal(200), "high", community.office),
        ("blankets", Decimal(40), "normal", community.office),
    ]
    assert {n.created_by for n in needs} == {community.coordinator}
    assert imports.load_upload(community.coordinator, token) is None  # the file is gone
    event = AuditEvent.objects.get(action="aid.import.committed")
    assert event.details["rows"] == 2 and event.details["kind"] == "needs"


def test_ukrainian_headers_semicolons_a_windows_code_page_and_decimal_commas_are_read(community):
    content = csv_bytes(
        [
            ["Місце", "Товар", "Кількість", "Одиниця", "Пріоритет", "Потрібно до"],
            ["Міська рада", "Борошно", "12,5", "кг", "Критичний", "01.03.2099"],
        ],
        delimiter=";",
        encoding="cp1251",
    )

    preview = imports.preview(community.coordinator, "needs", content)

    assert problems(preview) == []
    values = preview.rows[0].values
    assert (values["item"].code, values["quantity"], values["unit"]) == (
        "flour",
        Decimal("12.5"),
        "kg",
    )
    assert values["priority"] == "critical"
    assert values["needed_by"] == datetime.date(2099, 3, 1)


def test_our_own_needs_download_with_hxl_hashtags_imports_back(community, as_user):
    make_need(place=community.office, item=item("insulin"), priority="critical")
    make_need(place=community.office, title="Кисневий концентратор", unit="set")
    exported = as_user(community.coordinator).get(reverse("aid:needs-export"), {"hxl": "1"})
    Need.objects.all().delete()
    header, hashtags, *rows = exported.content.decode().splitlines()
    # Headers another tool renamed: the hashtags alone say what each column holds.
    renamed = [",".join(f"c{n}" for n in range(len(header.split(",")))), hashtags, *rows]

    preview = imports.preview(community.coordinator, "needs", "\n".join(renamed).encode())

    mapped = dict(preview.columns)
    assert mapped["#item+num+needed"] == "Quantity" and mapped["#loc+name"] == "Place"
    assert "#item+num+covered" not in mapped  # not confused with the quantity
    assert [(r.values["item"].code, r.values["quantity"]) for r in preview.rows] == [
        ("insulin", Decimal(100))
    ]
    # A need in free text comes back under the item's hashtag: it is not taken for an item.
    assert problems(preview) == [
        (
            4,
            "#item+name",
            "Unknown item “Кисневий концентратор”: use a name or a code from the catalogue. "
            "Something outside the catalogue goes in the “title” column, with its unit.",
        )
    ]


def test_an_xlsx_file_is_read_like_a_csv_with_its_dates_and_numbers(community):
    content = xlsx_bytes(
        [
            ["place", "item", "quantity", "needed_by"],
            ["Міська рада", "Bread", 150, datetime.datetime(2099, 1, 2)],  # noqa: DTZ001 -- a cell
            [None, None, None, None],  # a blank row is skipped
            ["Міська рада", "Candles", 2.5, "2099-01-03"],
        ]
    )

    preview = imports.preview(community.coordinator, "needs", content)

    assert problems(preview) == []
    assert [(r.number, r.values["quantity"]) for r in preview.rows] == [
        (2, Decimal(150)),
        (4, Decimal("2.5")),
    ]
    assert preview.rows[0].values["needed_by"] == datetime.date(2099, 1, 2)


# Broken files ---------------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_row_column_and_reason(community, as_user):
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    content = csv_bytes(
        [
            ["place", "item_code", "quantity", "needed_by", "priority"],
            ["Міська рада", "bread", "багато", "", ""],  # 2: not a number
            ["Міська рада", "unobtainium", "5", "", ""],  # 3: unknown item
            ["Міська рада", "bread", "5", yesterday, ""],  # 4: a date in the past
            ["Лікарня", "bread", "5", "", ""],  # 5: the hospital's place
            ["Нема такого", "bread", "5", "", ""],  # 6: no such place
            ["Міська рада", "bread", "-3", "", ""],  # 7: negative
            ["Міська рада", "bread", "1.2345", "", "вчора"],  # 8: decimals and priority
            ["Міська рада", "bread", "", "", ""],  # 9: no quantity
            ["Міська рада", "bread", "5", "", ""],  # 10: fine
        ]
    )
    client = as_user(community.coordinator)

    token = token_of(upload(client, "needs", content))
    response = client.get(reverse("aid:import-preview", args=[token]))
    preview = imports.preview(community.coordinator, "needs", content)

    assert problems(preview) == [
        (2, "quantity", "Enter a number."),
        (3, "item_code", "Unknown item code “unobtainium”: use a code from the catalogue, such as “bread”."),
        (4, "needed_by", "This date is in the past."),
        (5, "place", "Лікарня is run by another organisation: you may import only for the places you coordinate."),
        (6, "place", "Unknown place “Нема такого”."),
        (7, "quantity", "The quantity must be more than zero."),
        (8, "quantity", "At most 3 decimal places."),
        (8, "priority", "Unknown value “вчора”: write one of Critical, High, Normal, Low."),
        (9, "quantity", "The quantity is missing."),
    ]  # fmt: skip
    assert preview.bad_rows == 8 and len(preview.rows) == 1
    page = response.content.decode()
    assert "Rows that cannot be imported" in page and "Import 1 row" not in page
    assert "Лікарня is run by another organisation" in page
    errors_csv = client.get(reverse("aid:import-errors", args=[token])).content.decode()
    assert errors_csv.count("\n") == 10  # the header and the nine problems
    assert not Need.objects.exists()


def test_messages_come_in_the_users_language(community):
    content = csv_bytes([["місце", "товар", "кількість"], ["Міська рада", "Хліб", "кілька"]])

    with translation.override("uk"):
        preview = imports.preview(community.coordinator, "needs", content)

    assert preview.errors[0].message == "Введіть число."


def test_a_file_without_the_columns_we_need_says_which_are_missing(community):
    content = csv_bytes([["name", "amount_of_stuff"], ["Хліб", "5"]])

    preview = imports.preview(community.coordinator, "needs", content)

    messages = [e.message for e in preview.errors]
    assert all(e.row == 0 for e in preview.errors)
    assert any("No column for the quantity" in m for m in messages)
    assert any("No column for the place" in m for m in messages)
    assert preview.ignored == ["name", "amount_of_stuff"]
    assert not preview.rows


def test_two_columns_for_the_same_field_are_refused(community):
    content = csv_bytes([["place", "quantity", "кількість"], ["Міська рада", "5", "6"]])

    preview = imports.preview(community.coordinator, "needs", content)

    assert [e.message for e in preview.errors] == [
        "Both “quantity” and “кількість” give the quantity: keep one of them."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n \n", "The file is empty."),
        (b"place,item_code,quantity\n", "The file has a header row but no rows of data under it."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "This file is not a CSV or XLSX file."),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(1, 32)) * 40, "This file is not a CSV or XLSX file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "This is an old Excel file (.xls): save it as XLSX or CSV."),
        (b"PK\x03\x04 not really a zip", "This XLSX file is damaged."),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_reason(community, content, message):
    preview = imports.preview(community.coordinator, "needs", content)

    assert problems(preview) == [(0, "", message)]


def test_a_zip_that_is_not_a_workbook_is_refused(community):
    out = io.BytesIO()
    with imports.zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")

    preview = imports.preview(community.coordinator, "needs", out.getvalue())

    assert problems(preview) == [(0, "", "This file is not a CSV or XLSX file.")]


def test_an_upload_page_with_a_bad_file_shows_the_reason_and_offers_a_new_upload(
    community, as_user
):
    client = as_user(community.coordinator)

    token = token_of(upload(client, "needs", b"\x00\x01\x02garbage", name="photo.jpg"))
    page = client.get(reverse("aid:import-preview", args=[token])).content.decode()

    assert "This file is not a CSV or XLSX file." in page
    assert "Upload a corrected file" in page


# All or nothing -------------------------------------------------------------------------------


def test_a_row_refused_at_commit_rolls_back_every_row(community, as_user, monkeypatch):
    real = imports.need_services.create_need
    calls = []

    def flaky(actor, **kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError({"quantity": ["The stock room is on fire."]})
        return real(actor, **kwargs)

    monkeypatch.setattr(imports.need_services, "create_need", flaky)
    client = as_user(community.coordinator)
    token = token_of(upload(client, "needs", csv_bytes(NEEDS_OK)))

    response = client.post(reverse("aid:import-commit", args=[token]))

    page = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported" in page and "The stock room is on fire." in page
    assert len(calls) == 2
    assert not Need.objects.exists()
    assert imports.load_upload(community.coordinator, token) is not None  # it may be retried


def test_what_changed_since_the_preview_is_caught_at_the_commit(community, as_user):
    client = as_user(community.coordinator)
    token = token_of(upload(client, "needs", csv_bytes(NEEDS_OK)))
    Item.objects.filter(code="blankets").update(is_active=False)

    response = client.post(reverse("aid:import-commit", args=[token]))

    assert response.status_code == 422
    assert "This item is no longer in the catalogue." in response.content.decode()
    assert not Need.objects.exists()


def test_a_commit_sent_twice_creates_nothing_twice(community, as_user):
    content = csv_bytes(NEEDS_OK)
    imports.commit(community.coordinator, "needs", content, key="replayed-token-1")
    imports.commit(community.coordinator, "needs", content, key="replayed-token-1")
    assert Need.objects.count() == 2

    client = as_user(community.coordinator)
    token = token_of(upload(client, "needs", content))
    client.post(reverse("aid:import-commit", args=[token]))
    again = client.post(reverse("aid:import-commit", args=[token]), follow=True)

    assert Need.objects.count() == 4
    assert "no longer waiting" in again.content.decode()


def test_importing_the_same_file_again_is_pointed_out(community, as_user):
    client = as_user(community.coordinator)
    first = token_of(upload(client, "needs", csv_bytes(NEEDS_OK)))
    client.post(reverse("aid:import-commit", args=[first]))

    second = token_of(upload(client, "needs", csv_bytes(NEEDS_OK)))
    page = client.get(reverse("aid:import-preview", args=[second])).content.decode()

    assert "You imported this same file on" in page


# Stock counts ---------------------------------------------------------------------------------


def test_stock_counts_record_the_differences_as_corrections(community, as_user):
    stock_up(community.office, "blankets", 40)
    stock_up(community.office, "milk", 10, expires_on=TODAY + datetime.timedelta(days=5), batch="M")
    content = csv_bytes(
        [
            ["Місце", "Код товару", "Пораховано", "Партія", "Термін придатності"],
            ["Міська рада", "blankets", "35", "", ""],
            ["Міська рада", "milk", "12", "M", SOON],
            ["Міська рада", "candles", "6", "", ""],
        ]
    )
    client = as_user(community.coordinator)
    token = token_of(upload(client, "stock", content))

    page = client.get(reverse("aid:import-preview", args=[token])).content.decode()
    assert "-5" in page and "+2" in page and "+6" in page
    client.post(reverse("aid:import-commit", args=[token]))

    assert stock.on_hand(community.office, item("blankets")) == Decimal(35)
    assert stock.on_hand(community.office, item("milk")) == Decimal(12)
    assert stock.on_hand(community.office, item("candles")) == Decimal(6)
    assert StockMove.objects.filter(reason="correction").count() == 3
    assert stock.check_levels() == []


def test_our_own_stock_download_imports_back_as_counts(community, as_user):
    stock_up(community.office, "blankets", 40)
    client = as_user(community.coordinator)
    exported = client.get(reverse("aid:stock-export"), {"hxl": "1"}).content.decode()
    counted = exported.replace(",40.000,", ",38,")

    preview = imports.preview(community.coordinator, "stock", counted.encode())

    assert problems(preview) == []
    assert preview.rows[0].values["counted"] == Decimal(38)
    assert preview.rows[0].shown[-1] == "-2"


def test_stock_counts_refuse_a_lot_counted_twice_and_a_perishable_without_expiry(community):
    content = csv_bytes(
        [
            ["place", "item_code", "counted", "batch", "expires_on"],
            ["Міська рада", "blankets", "5", "", ""],
            ["Міська рада", "blankets", "6", "", ""],
            ["Міська рада", "milk", "6", "", ""],
            ["Пункт видачі", "blankets", "1", "", ""],
        ]
    )

    preview = imports.preview(community.coordinator, "stock", content)

    assert problems(preview) == [
        (3, "counted", "The same lot is counted on row 2: keep one count per lot."),
        (4, "expires_on", "Milk spoils: give its expiry date."),
        (5, "place", "Пункт видачі is run by another organisation: you may import only for the places you coordinate."),
    ]  # fmt: skip


# Offers ---------------------------------------------------------------------------------------


def test_offers_taken_by_phone_are_imported_for_their_needs_and_hubs(community, as_user):
    public = make_need(place=community.office, item=item("blankets"))
    members_only = make_need(
        place=community.school, item=item("candles"), visibility=Sensitivity.MEMBERS
    )
    content = csv_bytes(
        [
            ["донор", "телефон", "товар", "кількість", "номер потреби", "пункт прийому"],
            ["Олена", "+380501234567", "Ковдри", "20", public.pk, ""],
            ["Петро", "+380671112233", "Свічки", "100", members_only.pk, "Школа № 5"],
            ["Ірина", "+380931234567", "Гречка", "30", "", ""],
        ]
    )
    client = as_user(community.coordinator)
    token = token_of(upload(client, "pledges", content))
    assert (
        "Ready to import"
        in client.get(reverse("aid:import-preview", args=[token])).content.decode()
    )

    client.post(reverse("aid:import-commit", args=[token]))

    olena, petro, iryna = Pledge.objects.order_by("pk")
    assert {p.donor for p in (olena, petro, iryna)} == {None}  # the donors have no account
    assert (olena.need, olena.organization, olena.status) == (public, community.council, "offered")
    assert (petro.need, petro.hub, petro.status) == (members_only, community.school, "accepted")
    assert (iryna.need, iryna.item.code, iryna.status) == (None, "buckwheat", "offered")


def test_offers_need_a_way_to_reach_the_donor_and_dates_to_come(community):
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    content = csv_bytes(
        [
            ["name", "phone", "item", "quantity", "available_until", "handover", "hub"],
            ["Олена", "", "Blankets", "20", "", "", ""],
            ["Петро", "0501234567", "Blankets", "20", yesterday, "pick up", ""],
            ["Ірина", "0501234567", "Blankets", "20", "", "", "Лікарня"],
        ]
    )

    preview = imports.preview(community.coordinator, "pledges", content)

    assert problems(preview) == [
        (2, "phone", "Give a phone number or an e-mail, so a coordinator can reach the donor."),
        (3, "location", "Say where it can be collected."),
        (3, "available_until", "This date is in the past."),
        (4, "hub", "Лікарня is run by another organisation: you may import only for the places you coordinate."),
    ]  # fmt: skip


# Who may --------------------------------------------------------------------------------------


def test_only_coordinators_import_and_only_their_own_uploads(community, as_user):
    token = token_of(upload(as_user(community.coordinator), "needs", csv_bytes(NEEDS_OK)))

    assert as_user(community.volunteer).get(reverse("aid:imports")).status_code == 403
    assert as_user(community.anonymous).get(reverse("aid:imports")).status_code == 302
    for persona in ("doctor", "org_admin", "superuser"):
        client = as_user(getattr(community, persona))
        assert client.get(reverse("aid:import-preview", args=[token])).status_code == 404
        assert client.post(reverse("aid:import-commit", args=[token])).status_code == 302
    assert not Need.objects.exists()
    assert imports.load_upload(community.coordinator, token) is not None


def test_a_discarded_upload_is_deleted(community, as_user):
    client = as_user(community.coordinator)
    token = token_of(upload(client, "needs", csv_bytes(NEEDS_OK)))

    client.post(reverse("aid:import-cancel", args=[token]))

    assert imports.load_upload(community.coordinator, token) is None


def test_uploads_older_than_a_day_are_gone(community):
    token = imports.save_upload(community.coordinator, "needs", "a.csv", csv_bytes(NEEDS_OK))
    later = timezone.now() + datetime.timedelta(hours=25)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(imports.timezone, "now", lambda: later)
        assert imports.load_upload(community.coordinator, token) is None


def test_the_empty_file_to_fill_in_is_read_back_without_problems(community, as_user):
    for kind in ("needs", "stock", "pledges"):
        response = as_user(community.coordinator).get(reverse("aid:import-template", args=[kind]))
        content = response.content.replace("Притулок № 1".encode(), "Міська рада".encode())
        content = content.replace(b"Shelter No. 1", "Міська рада".encode())

        preview = imports.preview(community.coordinator, kind, content)

        assert [e.message for e in preview.errors if e.row == 0] == [], kind
        assert preview.total == 1


# The API --------------------------------------------------------------------------------------


def test_the_api_checks_a_file_and_commits_it_on_request(community, as_user):
    client = as_user(community.coordinator)
    bad = csv_bytes([["place", "item_code", "quantity"], ["Міська рада", "bread", "x"]])

    checked = client.post(
        "/api/reports/imports/needs", {"file": SimpleUploadedFile("n.csv", csv_bytes(NEEDS_OK))}
    )
    refused = client.post(
        "/api/reports/imports/needs?commit=true", {"file": SimpleUploadedFile("n.csv", bad)}
    )
    assert not Need.objects.exists()
    committed = client.post(
        "/api/reports/imports/needs?commit=true",
        {"file": SimpleUploadedFile("n.csv", csv_bytes(NEEDS_OK))},
        HTTP_IDEMPOTENCY_KEY="6f1c2d3e-aaaa-bbbb-cccc-1234567890ab",
    )
    replayed = client.post(
        "/api/reports/imports/needs?commit=true",
        {"file": SimpleUploadedFile("n.csv", csv_bytes(NEEDS_OK))},
        HTTP_IDEMPOTENCY_KEY="6f1c2d3e-aaaa-bbbb-cccc-1234567890ab",
    )

    assert checked.status_code == 200
    assert checked.json()["valid"] == 2 and checked.json()["committed"] is False
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"row": 2, "column": "quantity", "message": "Enter a number."}
    ]
    assert committed.status_code == 200 and committed.json()["committed"] is True
    assert replayed.status_code == 200
    assert Need.objects.count() == 2


def test_the_api_import_is_for_coordinators(community, as_user):
    def post(persona):
        return as_user(getattr(community, persona)).post(
            "/api/reports/imports/needs", {"file": SimpleUploadedFile("n.csv", b"a,b\n1,2\n")}
        )

    assert post("volunteer").status_code == 403
    assert post("anonymous").status_code == 401
    assert post("doctor").status_code == 200


# Fifty thousand rows --------------------------------------------------------------------------


def big_needs_file(rows: int) -> bytes:
    codes = list(Item.objects.filter(is_active=True).values_list("code", flat=True))
    lines = [["place", "item_code", "quantity", "priority"]]
    for n in range(rows):
        lines.append(["Міська рада", codes[n % len(codes)], str(1 + n % 500), "normal"])
    return csv_bytes(lines)


def big_counts_file(rows: int) -> bytes:
    lines = [["place", "item_code", "counted", "batch", "expires_on"]]
    for n in range(rows):
        lines.append(["Міська рада", "bread", str(n % 300), f"B{n:05d}", "2099-12-31"])
    return csv_bytes(lines)


def test_a_file_of_five_thousand_rows_is_previewed_and_committed(community):
    """A tenth of the largest file allowed, so that the suite stays quick: bench/aid_import.py
    previews and commits the full 50,000 rows (needs, CSV and XLSX, and stock counts), checks
    what was written and times it. Stock counts are the lighter service per row (needs
    validate every row with queries), so they carry the commit here."""
    rows = 5_000
    needs = imports.preview(community.coordinator, "needs", big_needs_file(rows))
    assert problems(needs) == [] and len(needs.rows) == rows
    content = big_counts_file(rows)

    counts = imports.preview(community.coordinator, "stock", content)
    assert problems(counts) == [] and len(counts.rows) == rows
    done = imports.commit(community.coordinator, "stock", content, key="five-thousand")

    assert done.rows == rows
    zeros = sum(1 for n in range(rows) if n % 300 == 0)  # a new lot counted at zero moves nothing
    assert StockMove.objects.filter(reason="correction").count() == rows - zeros
    assert stock.on_hand(community.office, item("bread")) == sum(n % 300 for n in range(rows))


def test_a_file_of_more_rows_than_that_is_refused(community):
    content = big_needs_file(imports.MAX_ROWS) + "Міська рада,bread,1,normal\r\n".encode()

    preview = imports.preview(community.coordinator, "needs", content)

    assert problems(preview) == [
        (0, "", "The file has more than 50 000 rows: split it into smaller files.")
    ]
