import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from hromada.core.models import AuditEvent
from hromada.funds import imports, services
from hromada.funds.models import BankMapping, Donation, StatementImport
from hromada.funds.tests.factories import make_donation, make_fund

DAY = (timezone.localdate() - datetime.timedelta(days=3)).strftime("%d.%m.%Y")
STATEMENT = (
    "Дата операції;Сума;Валюта;Референс;Платник\n"
    f"{DAY};1 500,00;UAH;P-1;Олена Коваль\n"
    f"{DAY};-300,00;UAH;P-2;АЗС\n"
    f"{DAY};50.00;EUR;P-3;Anna Schmidt\n"
    f"{DAY};200,00;;P-4;\n"
).encode("cp1251", errors="replace")


@pytest.fixture
def fund(community):
    return make_fund(organization=community.council, currencies=["UAH", "EUR"])


@pytest.fixture
def mapping(community):
    return BankMapping.objects.create(
        organization=community.council,
        bank="ПриватБанк",
        columns={
            "date": "Дата операції",
            "amount": "Сума",
            "currency": "Валюта",
            "reference": "Референс",
            "donor": "Платник",
        },
    )


def test_incoming_payments_become_donations_and_outgoing_ones_are_skipped(community, fund, mapping):
    done = imports.commit(community.coordinator, fund, mapping, STATEMENT, key="statement-1")

    assert done.created and done.statement.added == 3
    assert services.balances(fund) == {"EUR": Decimal("50.00"), "UAH": Decimal("1700.00")}
    assert [s["reference"] for s in done.statement.skipped] == ["P-2"]
    assert not Donation.objects.filter(donor_public=True).exists()  # nobody agreed to be named
    assert AuditEvent.objects.filter(action="funds.statement.imported").count() == 1


def test_the_same_statement_imported_twice_adds_nothing(community, fund, mapping):
    imports.commit(community.coordinator, fund, mapping, STATEMENT, key="statement-1")
    again = imports.commit(community.coordinator, fund, mapping, STATEMENT, key="statement-2")

    assert again.statement.added == 0
    reasons = {s["reference"]: s["reason"] for s in again.statement.skipped}
    assert reasons["P-1"] == reasons["P-3"] == "already recorded"
    assert Donation.objects.count() == 3
    # And the same upload committed twice is written once.
    replay = imports.commit(community.coordinator, fund, mapping, STATEMENT, key="statement-1")
    assert not replay.created and StatementImport.objects.count() == 2


def test_a_reference_twice_in_one_file_is_skipped_and_reported(community, fund, mapping):
    content = STATEMENT + f"{DAY};10,00;UAH;P-1;Знову\n".encode("cp1251")
    checked = imports.preview(fund, mapping, content)
    assert [(s.reference, s.reason) for s in checked.skipped][-1] == (
        "P-1",
        "the same reference as row 2",
    )


def test_a_broken_file_lists_every_bad_row_and_writes_nothing(community, fund, mapping):
    make_donation(fund, "5.00", reference="OLD")
    broken = (
        "Дата операції;Сума;Валюта;Референс;Платник\n"
        f"{DAY};100,00;UAH;B-1;\n"
        "32.13.2026;100,00;UAH;B-2;\n"
        f"{DAY};сто;UAH;B-3;\n"
        f"{DAY};10,00;GBP;B-4;\n"
        f"{DAY};10,00;UAH;;\n"
        f"{DAY};12.345;UAH;B-6;\n"
    ).encode()
    checked = imports.preview(fund, mapping, broken)

    assert sorted({e.row for e in checked.errors}) == [3, 4, 5, 6, 7]
    assert {e.column for e in checked.errors} == {"Дата операції", "Сума", "Валюта", "Референс"}
    with pytest.raises(imports.ImportRejected):
        imports.commit(community.coordinator, fund, mapping, broken, key="broken-1")
    assert list(Donation.objects.values_list("reference", flat=True)) == ["OLD"]
    assert not StatementImport.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary\x00" * 50, b"PK\x03\x04not really a zip", "Дата;Сума\n".encode()],
)
def test_a_file_that_is_not_a_statement_is_refused_with_a_reason(community, fund, mapping, content):
    checked = imports.preview(fund, mapping, content)
    assert checked.errors and checked.errors[0].row == 0
    assert not checked.entries


def test_a_column_the_file_lacks_is_named(community, fund, mapping):
    checked = imports.preview(fund, mapping, "Дата;Сума\n01.01.2026;5\n".encode())
    assert any("Дата операції" in e.message for e in checked.errors)


def test_an_xlsx_statement_is_read_too(community, fund, mapping):
    book = Workbook()
    sheet = book.active
    sheet.append(["Дата операції", "Сума", "Валюта", "Референс", "Платник"])
    sheet.append([timezone.localdate() - datetime.timedelta(days=1), 99.5, "UAH", 12345, "Марія"])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = imports.preview(fund, mapping, buffer.getvalue())
    assert not checked.errors
    [entry] = checked.entries
    assert (entry.amount, entry.reference) == (Decimal("99.50"), "12345")


def test_the_page_saves_the_banks_columns_previews_and_imports(community, fund, as_user):
    client = as_user(community.coordinator)
    form = {
        "bank": "Monobank", "column_date": "Дата операції", "column_amount": "Сума",
        "column_reference": "Референс", "column_currency": "Валюта", "column_donor": "Платник",
        "date_format": "%d.%m.%Y", "default_currency": "UAH",
        "file": SimpleUploadedFile("statement.csv", STATEMENT),
    }  # fmt: skip
    response = client.post(f"/funds/{fund.pk}/import/", form)
    assert response.status_code == 302
    saved = BankMapping.objects.get(bank="Monobank")
    assert saved.columns["reference"] == "Референс"

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "3 donations will be added." in preview.content.decode()
    assert not Donation.objects.exists()

    done = client.post(response["Location"] + "commit/")
    assert done.status_code == 302 and Donation.objects.count() == 3
    # The next statement of that bank: the form comes filled in.
    page = client.get(f"/funds/{fund.pk}/import/?bank=Monobank").content.decode()
    assert 'value="Референс"' in page


def test_another_user_cannot_reach_an_upload(community, fund, mapping, as_user):
    token = imports.save_upload(community.coordinator, fund, mapping, "s.csv", STATEMENT)
    response = as_user(community.org_admin).get(f"/funds/{fund.pk}/import/{token}/")
    assert response.status_code == 404
