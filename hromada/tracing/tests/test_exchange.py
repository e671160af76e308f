import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from hromada.core.models import AuditEvent
from hromada.tracing import exchange
from hromada.tracing.models import ImportJob, Note, PersonRecord
from hromada.tracing.names import index
from hromada.tracing.tests.factories import make_record

DATA = Path(__file__).parent / "data"
GOOD_CSV = (
    "source_ref,family_name,given_name,patronymic,sex,birth_year,status,last_seen_place\n"
    "CRL-1,Шевченко,Олександр,Петрович,male,1987,injured,Охтирка\n"
    "CRL-2,Коваленко,Ольга,,female,1990,alive,Суми\n"
)


def test_a_csv_file_is_imported_and_indexed(db, tmp_path):
    path = tmp_path / "hospital.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("tracing_import", str(path), "--source", "hospital_list", stdout=out)
    assert "Imported 2 records" in out.getvalue()
    record = PersonRecord.objects.get(source_ref="CRL-1")
    assert (record.source, record.status, record.birth_year, record.name_script) == (
        "hospital_list", "injured", 1987, "cyrillic",
    )  # fmt: skip
    assert record.expiry_date is not None
    assert (
        index.search(index.Query("Olha Kovalenko"))[0].record_id
        == PersonRecord.objects.get(source_ref="CRL-2").pk
    )
    assert AuditEvent.objects.get(action="tracing.imported").details["created"] == 2


def test_a_broken_csv_is_refused_whole_with_line_numbers(db, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(
        GOOD_CSV
        + "CRL-3,,,,male,1987,injured,\n"  # line 4: no name
        + "CRL-4,Мельник,Петро,,man,19x7,fine,\n"  # line 5: sex, year, status
        + 'CRL-5,"Бондар,Іван\n',  # line 6: an unclosed quote
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("tracing_import", str(path), stderr=err)
    messages = err.getvalue()
    assert "Line 4, family_name" in messages
    assert (
        "Line 5, sex" in messages
        and "Line 5, birth_year" in messages
        and "Line 5, status" in messages
    )
    assert not PersonRecord.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "empty"), ("name,age\nX,3\n", "Unknown columns"), (b"\xff\xfe\x00garbage", "cannot be read")],
)  # fmt: skip
def test_unreadable_csv_files_are_refused(db, content, message):
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(exchange.ImportRefused) as refused:
        exchange.import_file(io.BytesIO(data), fmt="csv")
    assert message in str(refused.value.problems[0])


def test_the_pfif_sample_imports_persons_and_notes_with_their_statuses(db):
    result = exchange.import_file(DATA / "pfif-1.4-sample.xml", fmt="pfif")
    assert result.created == 1
    record = PersonRecord.objects.get()
    assert (record.given_name, record.family_name, record.sex) == (
        "_test_given_name", "_test_family_name", "female",
    )  # fmt: skip
    assert record.birth_year == 1970 and record.last_seen_place.startswith("_test_home_city")
    assert record.pfif_record_id == "test.google.com/person.21009"
    statuses = list(Note.objects.values_list("status", flat=True))
    assert statuses == ["believed_missing", "", "believed_missing", "is_note_author"]
    assert record.status == "alive"  # the latest note with a status: the person wrote it
    again = exchange.import_file(DATA / "pfif-1.4-sample.xml", fmt="pfif")
    assert (again.created, again.skipped, Note.objects.count()) == (0, 1, 4)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
         b'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">&b;</pfif:pfif>', "XML"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
         b'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">&e;</pfif:pfif>', "XML"),
        (b"<pfif><person/></pfif>", "Not a PFIF 1.4 document"),
        (b'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:given_name>A'
         b"</pfif:given_name></pfif:person></pfif:pfif>", "needs an id"),
        (b'<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:person_record_id>x/1'
         b"</pfif:person_record_id><pfif:family_name>A</pfif:family_name><pfif:note><pfif:status>"
         b"probably_fine</pfif:status></pfif:note></pfif:person></pfif:pfif>", "Unknown note status"),
        (b"not xml at all", "XML"),
    ],
)  # fmt: skip
def test_hostile_or_broken_pfif_is_refused(db, document, message):
    with pytest.raises(exchange.ImportRefused) as refused:
        exchange.import_file(io.BytesIO(document), fmt="pfif")
    assert message in " ".join(str(p) for p in refused.value.problems)
    assert not PersonRecord.objects.exists()


def test_the_pfif_export_is_valid_pfif_that_imports_back(db):
    make_record(family_name="Шевченко", given_name="Олександр", birth_year=1987, status="alive",
                current_location="Укриття № 1")  # fmt: skip
    document = exchange.pfif_document(exchange.shareable_records())
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"pfif": exchange.PFIF_NS}
    assert root.xpath("//pfif:person/pfif:family_name/text()", namespaces=ns) == ["Шевченко"]
    assert root.xpath("//pfif:note/pfif:status/text()", namespaces=ns) == ["believed_alive"]
    assert "Укриття" not in document.decode()  # whereabouts never leave in a shared export
    PersonRecord.objects.all().delete()
    assert exchange.import_file(io.BytesIO(document), fmt="pfif").created == 1
    assert PersonRecord.objects.get().status == "alive"


def test_an_upload_from_the_page_runs_as_a_job_with_progress(
    community, as_user, django_capture_on_commit_callbacks
):
    client = as_user(community.caseworker)
    upload = SimpleUploadedFile("hospital.csv", GOOD_CSV.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tracing:import"), {"file": upload, "source": "hospital_list"}
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("tracing:import-detail", args=[job.pk])
    assert (job.status, job.created, job.total) == ("done", 2, 2)
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<section id="progress"') and 'value="100"' in page
    assert "hx-trigger" not in page  # finished: the page stops asking


def test_a_refused_upload_lists_the_bad_lines(
    community, as_user, django_capture_on_commit_callbacks
):
    client = as_user(community.caseworker)
    upload = SimpleUploadedFile(
        "bad.csv", (GOOD_CSV + "X,,,,,,,\n").encode(), content_type="text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tracing:import"), {"file": upload, "source": "hospital_list"})
    job = ImportJob.objects.get()
    assert job.status == "failed" and "Line 4" in job.errors[0]
    assert not PersonRecord.objects.exists()
    assert "Line 4" in client.get(reverse("tracing:import-detail", args=[job.pk])).content.decode()
