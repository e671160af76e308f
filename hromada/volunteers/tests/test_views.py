import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from hromada.core.models import AuditEvent, Sensitivity
from hromada.volunteers.forms import ApplicationForm
from hromada.volunteers.models import (
    Application,
    ApplicationDocument,
    Assignment,
    ContactCard,
    CustodyRecord,
    Volunteer,
)
from hromada.volunteers.tests.factories import (
    make_application,
    make_assignment,
    make_card,
    make_item,
    make_referrer,
    make_shift,
    make_task,
    make_team,
    make_volunteer,
    tomorrow_at,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(exif_gps=False):
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 30), "yellow")
    options = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {2: (50.0, 18.0, 0.0)}  # GPSInfo: latitude
        exif[0x010F] = "PhoneMaker"
        options["exif"] = exif
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", **options)
        return buffer.getvalue()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# A volunteer never sees another volunteer's contact data -------------------------------------


@pytest.fixture
def crew(town):
    task = make_task(organization=town.hq, place=town.hub)
    shift = make_shift(task=task, lead=town.me)
    mate = make_volunteer(
        organization=town.hq, name="Олена Шевчук", phone="+380671234567", email="olena@example.org"
    )
    make_assignment(shift=shift, volunteer=town.me)
    make_assignment(shift=shift, volunteer=mate)
    team = make_team(organization=town.hq, members=[town.me, mate])
    return {"shift": shift, "mate": mate, "team": team}


PHONE_SHAPES = ["+380671234567", "+380 67 123 4567", "olena@example.org", "Шевчук"]


def test_a_volunteer_cannot_see_another_volunteers_phone_in_pages(town, crew, as_user):
    client = as_user(town.volunteer)
    shift_page = client.get(f"/volunteers/shifts/{crew['shift'].pk}/").content.decode()
    team_page = client.get(f"/volunteers/teams/{crew['team'].pk}/").content.decode()
    for html in (shift_page, team_page):
        assert "Олена Ш." in html  # teammates see each other's short names
        for shape in PHONE_SHAPES:
            assert shape not in html
    assert client.get(f"/volunteers/people/{crew['mate'].pk}/").status_code == 404
    own = client.get(f"/volunteers/people/{town.me.pk}/").content.decode()
    assert "+380 50 111 2233" in own  # their own phone, yes


def test_a_volunteer_cannot_see_another_volunteers_phone_in_the_api(town, crew, as_user):
    client = as_user(town.volunteer)
    shift = client.get(f"/api/shifts/{crew['shift'].pk}").json()
    team = client.get(f"/api/teams/{crew['team'].pk}").json()
    mate_rows = [r for r in shift["roster"] if r["volunteer_id"] == crew["mate"].pk]
    assert mate_rows and mate_rows[0]["phone"] == "" and mate_rows[0]["name"] == "Олена Ш."
    assert [m["phone"] for m in team["members"] if m["volunteer_id"] == crew["mate"].pk] == [""]
    assert client.get(f"/api/volunteers/{crew['mate'].pk}").status_code == 404
    assert client.get("/api/volunteers").status_code == 403
    body = str(shift) + str(team)
    for shape in PHONE_SHAPES:
        assert shape not in body


def test_a_volunteer_cannot_export_the_registry(town, crew, as_user):
    client = as_user(town.volunteer)
    assert client.get("/volunteers/people/export/").status_code == 403
    assert client.get("/volunteers/people/export/", {"redact": "1"}).status_code == 403


def test_a_coordinator_sees_the_phones_of_their_organisation_only(town, crew, as_user):
    html = (
        as_user(town.hq_coordinator).get(f"/volunteers/shifts/{crew['shift'].pk}/").content.decode()
    )
    assert "+380 67 123 4567" in html and "Олена Шевчук" in html
    assert (
        as_user(town.coordinator).get(f"/volunteers/people/{crew['mate'].pk}/").status_code == 404
    )
    api = as_user(town.coordinator).get("/api/volunteers").json()
    assert api["count"] == 0


def test_the_redacted_export_drops_contact_data(town, crew, as_user):
    client = as_user(town.hq_coordinator)
    full = list(
        csv.DictReader(io.StringIO(client.get("/volunteers/people/export/").content.decode()))
    )
    redacted = client.get("/volunteers/people/export/", {"redact": "1"}).content.decode()
    assert {row["phone"] for row in full} >= {"0671234567", "0501112233"}
    rows = list(csv.DictReader(io.StringIO(redacted)))
    assert "phone" not in rows[0] and "email" not in rows[0] and "emergency_phone" not in rows[0]
    assert "067123" not in redacted and "Олена Ш." in redacted and "Олена Шевчук" not in redacted
    events = AuditEvent.objects.filter(action="volunteers.volunteers.exported")
    assert [e.details["redacted"] for e in events.order_by("at")] == [False, True]


def test_the_export_comes_as_xlsx_too(town, crew, as_user):
    from openpyxl import load_workbook

    response = as_user(town.hq_coordinator).get("/volunteers/people/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = next(sheet.iter_rows(values_only=True))
    assert "skills" in header and "availability" in header


def test_reading_a_volunteers_details_is_audited(town, crew, as_user):
    as_user(town.hq_coordinator).get(f"/volunteers/people/{crew['mate'].pk}/")
    event = AuditEvent.objects.get(action="volunteers.volunteer.viewed")
    assert (event.actor, event.object_id) == (town.hq_coordinator, str(crew["mate"].pk))


# Sign-up from a phone ------------------------------------------------------------------------


def signup_data(town, **overrides):
    data = {
        "organization": town.hq.pk,
        "name": "Іван Петренко",
        "phone": "050 765 43 21",
        "skills": ["mason", "driver"],
        "licence": ["B"],
        "days": ["5", "6"],
        "parts": ["morning"],
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_signing_up_twice_from_the_page_makes_one_entry(town, as_user):
    client = as_user(town.anonymous)
    form = client.get("/volunteers/join/").content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    first = client.post("/volunteers/join/", signup_data(town, idempotency_key=key))
    assert first.status_code == 302 and first["Location"] == "/volunteers/join/thanks/"
    client.post("/volunteers/join/", signup_data(town, phone="+380507654321", skills=["cook"]))
    volunteer = Volunteer.objects.get(phone="+380507654321")
    assert {s.skill for s in volunteer.skills.all()} == {"mason", "driver", "cook"}
    assert volunteer.skills.get(skill="driver").licence == ["B"]
    assert list(volunteer.availability.values_list("weekday", "start_minute", "end_minute")) == [
        (5, 360, 720), (6, 360, 720),
    ]  # fmt: skip
    assert volunteer.consent_at is not None and volunteer.source == "signup"


def test_a_sign_up_without_consent_is_explained_in_the_page(town, as_user):
    response = as_user(town.anonymous).post("/volunteers/join/", signup_data(town, consent=""))
    assert response.status_code == 422
    assert "Tick the box" in response.content.decode()
    assert not Volunteer.objects.filter(phone="+380507654321").exists()


def test_the_sign_up_page_speaks_ukrainian_to_a_ukrainian_phone(town, client):
    response = client.get("/volunteers/join/", HTTP_ACCEPT_LANGUAGE="uk")
    with translation.override("uk"):
        heading = translation.gettext("Join as a volunteer")
    assert f"<h1>{heading}</h1>" in response.content.decode()


# Applications from abroad -------------------------------------------------------------------


def apply_data(**overrides):
    data = {
        "name": "Camille Durand",
        "email": "camille@example.org",
        "nationality": "FR",
        "residence": "FR",
        "experience": "Infirmière aux urgences, 8 ans.",
        "available_from": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "how_heard": "embassy",
        "skills": ["nurse"],
        "languages": ["fr", "en"],
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_the_form_for_volunteers_abroad_speaks_french_at_its_french_address(town, client):
    response = client.get("/volunteers/apply/fr/", HTTP_ACCEPT_LANGUAGE="uk")
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    with translation.override("fr"):
        form = ApplicationForm(organizations=town.hq.__class__.objects.filter(pk=town.hq.pk))
        labels = [str(form.fields[name].label) for name in ("name", "nationality", "experience")]
        heading = translation.gettext("Volunteer in Ukraine")
    for label in labels:
        assert label in html
    assert heading in html
    assert ">Allemagne<" in html  # country names come in French from CLDR


@pytest.mark.parametrize("lang", ["uk", "en", "fr", "de", "pl"])
def test_the_form_exists_in_five_languages(town, client, lang):
    response = client.get(f"/volunteers/apply/{lang}/")
    assert f'<html lang="{lang}">' in response.content.decode()


def test_an_applicant_applies_in_french_and_follows_their_status(town, as_user):
    client = as_user(town.anonymous)
    response = client.post(
        "/volunteers/apply/fr/",
        apply_data(documents=[SimpleUploadedFile("passeport.pdf", PDF, "application/pdf")]),
    )
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith("/volunteers/apply/fr/status/HR-") and link.endswith("?new=1")
    application = Application.objects.get()
    assert (application.language, application.documents.count()) == ("fr", 1)
    page = client.get(link)
    html = page.content.decode()
    assert page["Content-Language"] == "fr" and application.reference in html
    with translation.override("fr"):
        submitted = str(Application.Status.SUBMITTED.label)
    assert submitted in html
    services_move(town, application, "screening", note="Documents à vérifier — interne")
    html = client.get(link.split("?")[0]).content.decode()
    with translation.override("fr"):
        assert str(Application.Status.SCREENING.label) in html
    assert "interne" not in html  # reviewers' notes never reach the applicant


def services_move(town, application, status, note=""):
    from hromada.volunteers import services

    services.change_application_status(town.hq_coordinator, application, status=status, note=note)


def test_the_applicant_withdraws_through_their_link(town, as_user):
    application = make_application(organization=town.hq, secret="s3cret-link")
    url = f"/volunteers/apply/en/status/{application.reference}/s3cret-link/"
    assert as_user(town.anonymous).post(url, {"action": "withdraw"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"This is just text pretending to be a PDF", "is not a PDF or a picture"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 broken jpeg", "is not a PDF or a picture"),
        ("virus.exe", b"MZ\x90\x00", "is not a PDF or a picture"),
        ("scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "is larger than 10"),
    ],
)
def test_the_public_form_refuses_files_that_are_not_pdf_or_pictures_or_too_large(
    town, as_user, name, content, message
):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    response = as_user(town.anonymous).post("/volunteers/apply/en/", apply_data(documents=[upload]))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Application.objects.exists() and not ApplicationDocument.objects.exists()


def test_a_photo_of_a_passport_is_kept_without_its_gps_position(town, as_user):
    photo = png(exif_gps=True)
    assert b"PhoneMaker" in photo
    upload = SimpleUploadedFile("passport.jpg", photo, "image/jpeg")
    response = as_user(town.anonymous).post("/volunteers/apply/en/", apply_data(documents=[upload]))
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    stored = document.file.read()
    assert document.content_type == "image/jpeg" and b"PhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert "passport" not in document.file.name  # stored under a random name


def test_documents_are_served_only_to_reviewers_and_every_download_is_audited(town, as_user):
    application = make_application(organization=town.hq)
    from hromada.volunteers import services

    services.add_documents(application, [SimpleUploadedFile("cv.pdf", PDF)])
    document = application.documents.get()
    url = f"/volunteers/applications/{application.pk}/documents/{document.pk}/"
    for persona in ("anonymous", "volunteer", "coordinator"):
        assert as_user(getattr(town, persona)).get(url).status_code in (302, 404)
    response = as_user(town.hq_coordinator).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert (
        AuditEvent.objects.filter(
            action="volunteers.document.downloaded", actor=town.hq_coordinator
        ).count()
        == 1
    )
    assert as_user(town.anonymous).get("/media/" + document.file.name).status_code == 404


def test_a_referrer_sees_counts_and_never_an_applicants_details(town, as_user):
    referrer = make_referrer(organization=town.hq, user=town.outsider)
    mine = make_application(
        organization=town.hq, referrer=referrer, name="Antoine Bernard", email="ab@example.org"
    )
    make_application(
        organization=town.hq, referrer=referrer, name="Julien Petit", status="accepted"
    )
    client = as_user(town.outsider)
    html = client.get("/volunteers/referrals/").content.decode()
    assert referrer.code in html
    for detail in ("Antoine", "Julien", "ab@example.org", mine.reference):
        assert detail not in html
    assert client.get("/volunteers/applications/").status_code == 403
    assert client.get(f"/volunteers/applications/{mine.pk}/").status_code == 404
    data = client.get("/api/referrals").json()
    assert data == [
        {
            "name": referrer.name,
            "code": referrer.code,
            "counts": {
                "submitted": 1, "screening": 0, "interview": 0, "accepted": 1, "rejected": 0,
                "arrived": 0, "withdrawn": 0,
            },
        }
    ]  # fmt: skip
    assert client.get(f"/api/applications/{mine.pk}").status_code == 404


def test_a_reviewer_moves_an_application_and_the_read_is_audited(town, as_user):
    application = make_application(organization=town.hq)
    client = as_user(town.hq_coordinator)
    assert (
        "Camille Durand"
        in client.get(f"/volunteers/applications/{application.pk}/").content.decode()
    )
    client.post(
        f"/volunteers/applications/{application.pk}/status/", {"status": "screening", "note": "OK"}
    )
    client.post(f"/volunteers/applications/{application.pk}/note/", {"note": "Дзвонив"})
    application.refresh_from_db()
    assert (application.status, application.reviewer) == ("screening", town.hq_coordinator)
    assert application.events.count() == 3
    assert AuditEvent.objects.filter(action="volunteers.application.viewed").exists()


# A coordinator fills the next morning's sandbag shift -------------------------------------------


def test_a_coordinator_fills_tomorrows_sandbag_shift_and_counts_everyone_back(town, as_user):
    client = as_user(town.hq_coordinator)
    verified = [make_volunteer(organization=town.hq, name=f"Вірний {n}") for n in range(3)]
    unverified = make_volunteer(organization=town.hq, name="Новенький", vetting="unverified")
    start = tomorrow_at(8)
    response = client.post(
        "/volunteers/tasks/new/",
        {
            "organization": town.hq.pk, "title": "Наповнити мішки біля школи", "kind": "fortification",
            "place": town.hub.pk, "verified_only": "on",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "headcount": "3",
        },
    )  # fmt: skip
    assert response.status_code == 302
    task = town.hq.volunteer_tasks.get()
    shift = task.shifts.get()
    page = client.get(f"/volunteers/shifts/{shift.pk}/").content.decode()
    assert "Вірний 0" in page and "Новенький" not in page  # only verified candidates
    client.post(
        f"/volunteers/shifts/{shift.pk}/invite/",
        {"volunteers": [v.pk for v in verified] + [unverified.pk], "agreed": "1"},
    )
    assert shift.assignments.filter(status="confirmed").count() == 3
    assert not shift.assignments.filter(volunteer=unverified).exists()
    assert client.get("/volunteers/shifts/").context["page"][0].shortfall == 0

    # The morning comes: everyone checks in, and out again.
    now = timezone.now()
    type(shift).objects.filter(pk=shift.pk).update(
        starts_at=now - datetime.timedelta(hours=4), ends_at=now - datetime.timedelta(minutes=5)
    )
    for assignment in shift.assignments.all():
        arrived = timezone.localtime(now - datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
        client.post(f"/volunteers/assignments/{assignment.pk}/check-in/", {"at": arrived})
    assert "not checked out" in client.get(f"/volunteers/shifts/{shift.pk}/").content.decode()
    for assignment in shift.assignments.all():
        client.post(f"/volunteers/assignments/{assignment.pk}/check-out/")
    hours = [a.hours for a in shift.assignments.all()]
    assert len(hours) == 3 and all(h and 3.9 <= h <= 4.1 for h in hours)
    assert "not checked out" not in client.get(f"/volunteers/shifts/{shift.pk}/").content.decode()
    export = client.get("/volunteers/hours/export/").content.decode()
    assert export.count("Наповнити мішки біля школи") == 3


def test_a_volunteer_accepts_an_invitation_and_checks_in_from_their_page(town, as_user):
    now = timezone.now()
    task = make_task(organization=town.hq, place=town.hub)
    shift = make_shift(task=task, starts_at=now + datetime.timedelta(minutes=30))
    assignment = make_assignment(shift=shift, volunteer=town.me, status=Assignment.Status.INVITED)
    client = as_user(town.volunteer)
    assert "Yes, I will come" in client.get("/volunteers/me/").content.decode()
    client.post(f"/volunteers/assignments/{assignment.pk}/accept/", {"next": "me"})
    client.post(f"/volunteers/assignments/{assignment.pk}/check-in/", {"next": "me"})
    assignment.refresh_from_db()
    assert assignment.status == "confirmed" and assignment.checked_in_at is not None


def test_check_out_before_check_in_is_refused_on_the_page(town, as_user):
    now = timezone.now()
    shift = make_shift(
        task=make_task(organization=town.hq), starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )  # fmt: skip
    assignment = make_assignment(shift=shift, volunteer=town.me)
    response = as_user(town.volunteer).post(
        f"/volunteers/assignments/{assignment.pk}/check-out/", follow=True
    )
    assert "nobody checks out before checking in" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.checked_out_at is None


def test_the_shift_board_flags_short_shifts_and_filters_them(town, as_user):
    short = make_shift(task=make_task(organization=town.hq, title="Короткий"), headcount=3)
    full = make_shift(task=make_task(organization=town.hq, title="Повний"), headcount=1)
    make_assignment(shift=full, volunteer=town.me)
    html = as_user(town.volunteer).get("/volunteers/shifts/", {"short": "on"}).content.decode()
    assert "Короткий" in html and "Повний" not in html and "3 more needed" in html
    assert short.shortfall == 3


def test_the_shift_board_costs_the_same_queries_for_two_shifts_or_twenty(
    town, as_user, django_assert_num_queries
):
    task = make_task(organization=town.hq, place=town.hub)
    for hour in range(20):
        make_shift(task=task, starts_at=tomorrow_at(0) + datetime.timedelta(hours=hour))
    client = as_user(town.volunteer)
    # session, user, roles, count, page of shifts with counts/task/place/area, the menu (own
    # profiles, teams: the volunteer sees "Teams" when in one, referrers)
    with django_assert_num_queries(8):
        response = client.get("/volunteers/shifts/")
    assert response.context["page"].paginator.count == 20


# Custody ----------------------------------------------------------------------------------


def test_the_custody_register_shows_who_holds_what(town, as_user):
    client = as_user(town.hq_coordinator)
    radio = make_item(organization=town.hq, name="Рація Motorola", tag="HQ-R001")
    vest = make_item(organization=town.hq, name="Бронежилет", tag="HQ-V001", kind="vest")
    client.post(
        f"/volunteers/equipment/{radio.pk}/issue/", {"volunteer": town.me.pk, "condition": "good"}
    )
    response = client.post(
        f"/volunteers/equipment/{radio.pk}/issue/",
        {"volunteer": town.me.pk, "condition": "good"},
        follow=True,
    )
    assert "already issued" in response.content.decode()
    html = client.get("/volunteers/equipment/").content.decode()
    assert "HQ-R001" in html and "Віктор Бондар" in html and "HQ-V001" not in html
    client.post(f"/volunteers/equipment/{radio.pk}/return/", {"condition": "worn"})
    assert "HQ-R001" not in client.get("/volunteers/equipment/").content.decode()
    history = client.get(f"/volunteers/equipment/{radio.pk}/").content.decode()
    assert "Віктор Бондар" in history and CustodyRecord.objects.filter(item=radio).count() == 1
    export = list(
        csv.DictReader(io.StringIO(client.get("/volunteers/equipment/export/").content.decode()))
    )
    assert export == []
    assert vest.state == "available"


# Directory ---------------------------------------------------------------------------------


def test_the_directory_is_callable_with_one_tap_and_shown_by_role_and_place(town, as_user):
    make_card(
        organization=town.council,
        place=town.office,
        title="Гаряча лінія",
        phone="+380500000100",
        sensitivity=Sensitivity.PUBLIC,
    )
    make_card(
        organization=town.council,
        place=town.shelter,
        title="Комендант укриття",
        phone="+380500001121",
        sensitivity=Sensitivity.PUBLIC,
    )
    make_card(
        organization=town.council,
        place=town.school,
        title="Директор школи",
        phone="+380500001141",
        sensitivity=Sensitivity.MEMBERS,
    )
    make_card(
        organization=town.hq,
        title="Черговий координатор",
        phone="+380500000103",
        audience=ContactCard.Audience.COORDINATORS,
    )
    anonymous = as_user(town.anonymous).get("/volunteers/directory/").content.decode()
    assert 'href="tel:+380500000100"' in anonymous and "+380 50 000 0100" in anonymous
    for hidden in ("Комендант", "Директор", "Черговий"):
        assert hidden not in anonymous  # the shelter is restricted: its card with it
    volunteer = as_user(town.volunteer).get("/volunteers/directory/").content.decode()
    assert (
        "Директор школи" in volunteer
        and "Комендант" not in volunteer
        and "Черговий" not in volunteer
    )
    coordinator = as_user(town.coordinator).get("/volunteers/directory/").content.decode()
    assert "Комендант укриття" in coordinator and "Черговий координатор" in coordinator
    assert AuditEvent.objects.filter(action="volunteers.directory.viewed").count() == 2


def test_htmx_asks_for_only_the_results(town, as_user):
    response = as_user(town.hq_coordinator).get(
        "/volunteers/people/", {"q": "Бондар"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "Віктор Бондар" in html


def test_an_empty_application_is_answered_with_what_is_missing(town, as_user):
    response = as_user(town.anonymous).post("/volunteers/apply/en/", {})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_withdrawing_a_closed_application_says_why_instead_of_failing(town, as_user):
    application = make_application(organization=town.hq, secret="s3cret-link")
    services_move(town, application, "rejected", note="")
    url = f"/volunteers/apply/en/status/{application.reference}/s3cret-link/"
    response = as_user(town.anonymous).post(url, {"action": "withdraw"}, follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == "rejected"


def test_the_documents_help_speaks_the_applicants_language(town, client):
    with translation.override("uk"):
        expected = translation.gettext(
            "Passport, diplomas, certificates: PDF or photos, at most %(n)s files of 10 MB each."
        )
    assert expected.split(":")[0] in client.get("/volunteers/apply/uk/").content.decode()
    assert "Passport, diplomas" in client.get("/volunteers/apply/en/").content.decode()


def test_sending_the_upload_form_without_a_file_asks_for_one(town, as_user):
    application = make_application(organization=town.hq, secret="s3cret-link")
    url = f"/volunteers/apply/en/status/{application.reference}/s3cret-link/"
    response = as_user(town.anonymous).post(url, {})
    assert response.status_code in (200, 422)
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    ("header", "lang"), [("pl-PL,pl;q=0.9,en;q=0.5", "pl"), ("de-AT", "de"), ("ja", "en")]
)
def test_the_apply_link_opens_the_form_in_the_browsers_language(town, client, header, lang):
    response = client.get("/volunteers/apply/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Location"] == f"/volunteers/apply/{lang}/"
