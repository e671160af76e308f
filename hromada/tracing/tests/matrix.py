from django.core.files.base import ContentFile

from hromada.tracing.models import ImportJob
from hromada.tracing.tests.factories import make_inquiry, make_match, make_record
from tests.matrix import Row, api_for, everyone, only, page_for

CASEWORKERS = {"caseworker", "superuser"}


def prepare(c):
    c.record = make_record(family_name="Шевченко", given_name="Олександр", birth_year=1987)
    c.inquiry = make_inquiry()
    c.match = make_match(inquiry=c.inquiry, right=c.record)
    c.import_job = ImportJob.objects.create(
        file=ContentFile(b"family_name\n", name="people.csv"), filename="people.csv", format="csv",
        created_by=c.caseworker,
    )  # fmt: skip


def hidden(ok):
    """Records and inquiries: 404 to signed-in non-caseworkers, sign-in for anonymous."""
    return only(CASEWORKERS, ok, others=404, anonymous=302)


def api_hidden(ok):
    return only(CASEWORKERS, ok, others=404, anonymous=401)


def inquiry_form(c):
    return {"family_name": "Коваленко", "given_name": "Ольга", "inquirer_name": "Ivan",
            "inquirer_contact": "+48 500 000 000", "consent": "on"}  # fmt: skip


def inquiry_json(c):
    return {"family_name": "Kovalenko", "inquirer_name": "Ivan", "inquirer_contact": "+48 5"}


def record_json(c):
    return {"family_name": "Мельник", "given_name": "Петро", "status": "alive"}


# fmt: off
ROWS = [
    Row("inquiry form", "get", lambda c: "/tracing/inquire/", everyone(200)),
    Row("file inquiry", "post", lambda c: "/tracing/inquire/", everyone(302), inquiry_form),
    # Without an inquiry filed in this session: back to the form.
    Row("inquiry filed", "get", lambda c: "/tracing/inquire/sent/", everyone(302)),
    Row("search page", "get", lambda c: "/tracing/?q=Shevchenko", page_for(CASEWORKERS, 200)),
    Row("inquiry list", "get", lambda c: "/tracing/inquiries/", page_for(CASEWORKERS, 200)),
    Row("inquiry", "get", lambda c: f"/tracing/inquiries/{c.inquiry.pk}/", hidden(200)),
    Row("rematch", "post", lambda c: f"/tracing/inquiries/{c.inquiry.pk}/match/", hidden(302)),
    Row("close inquiry", "post", lambda c: f"/tracing/inquiries/{c.inquiry.pk}/close/", hidden(302),
        lambda c: {"reason": "withdrawn"}),
    Row("disclose", "post", lambda c: f"/tracing/inquiries/{c.inquiry.pk}/disclose/", hidden(302),
        lambda c: {"what": "status", "recipient": "Maria", "basis": "consent"}),
    Row("record", "get", lambda c: f"/tracing/records/{c.record.pk}/", hidden(200)),
    Row("record edit", "get", lambda c: f"/tracing/records/{c.record.pk}/edit/", hidden(200)),
    Row("record photo", "get", lambda c: f"/tracing/records/{c.record.pk}/photo/", hidden(404)),
    Row("record form", "get", lambda c: "/tracing/records/new/", page_for(CASEWORKERS, 200)),
    Row("match queue", "get", lambda c: "/tracing/matches/", page_for(CASEWORKERS, 200)),
    Row("match", "get", lambda c: f"/tracing/matches/{c.match.pk}/", hidden(200)),
    Row("decide match", "post", lambda c: f"/tracing/matches/{c.match.pk}/decide/", hidden(302),
        lambda c: {"decision": "reject"}),
    Row("import form", "get", lambda c: "/tracing/import/", page_for(CASEWORKERS, 200)),
    # An import is followed by its author (and the superuser); nobody else may know of it.
    Row("an import", "get", lambda c: f"/tracing/import/{c.import_job.pk}/", hidden(200)),
    Row("pfif export", "get", lambda c: "/tracing/export.xml", page_for(CASEWORKERS, 200)),
    Row("transfers", "get", lambda c: "/tracing/transfers/", page_for(CASEWORKERS, 200)),
    Row("api search", "get", lambda c: "/api/tracing/search?q=Shevchenko", api_for(CASEWORKERS, 200)),
    Row("api record", "get", lambda c: f"/api/tracing/records/{c.record.pk}", api_hidden(200)),
    Row("api create record", "post", lambda c: "/api/tracing/records", api_for(CASEWORKERS, 201),
        record_json, json=True),
    Row("api file inquiry", "post", lambda c: "/api/tracing/inquiries", everyone(201), inquiry_json, json=True),
    Row("api inquiries", "get", lambda c: "/api/tracing/inquiries", api_for(CASEWORKERS, 200)),
    Row("api inquiry", "get", lambda c: f"/api/tracing/inquiries/{c.inquiry.pk}", api_hidden(200)),
    Row("api matches", "get", lambda c: "/api/tracing/matches", api_for(CASEWORKERS, 200)),
    Row("api confirm match", "post", lambda c: f"/api/tracing/matches/{c.match.pk}/confirm",
        api_hidden(200), lambda c: {"note": "Same birth date"}, json=True),
    # No match is confirmed yet: caseworkers are told to confirm one first.
    Row("api disclose", "post", lambda c: f"/api/tracing/inquiries/{c.inquiry.pk}/disclosures", api_hidden(422),
        lambda c: {"what": "status", "recipient": "Maria", "basis": "consent"}, json=True),
    Row("api reject match", "post", lambda c: f"/api/tracing/matches/{c.match.pk}/reject",
        api_hidden(200), lambda c: {}, json=True),
]
# fmt: on
