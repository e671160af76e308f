"""Personal data: retention erases what expired (and its history), legal holds keep rows,
one person's data is exported (audited) and erased on request."""

import datetime
import json
import zipfile
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hromada.aid.models import Pledge
from hromada.alerts.tests.factories import make_subscription
from hromada.bot.models import ChatState, TelegramAccount
from hromada.core import periodic, privacy
from hromada.core.models import AuditEvent, Notification, User
from hromada.core.privacy import Person
from hromada.core.tests.factories import make_user
from hromada.funds.models import Donation
from hromada.funds.tests.factories import make_donation, make_fund
from hromada.reports.models import Incident
from hromada.reports.tests.factories import make_incident
from hromada.tracing.models import Inquiry, PersonRecord
from hromada.tracing.tests.factories import make_inquiry, make_record
from hromada.volunteers.models import Application, ApplicationDocument, Volunteer
from hromada.volunteers.tests.factories import make_application, make_volunteer

PHONE = "+380671112233"
EMAIL = "olena.kovalenko@example.org"
NAME = "Олена Коваленко"
DAY = datetime.timedelta(days=1)


def make_pledge(**overrides):
    fields = {
        "title": "Ковдри",
        "quantity": Decimal(5),
        "unit": "piece",
        "contact_name": NAME,
        "contact_phone": "067 111 22 33",
    }
    fields.update(overrides)
    return Pledge.objects.create(**fields)


def closed_pledge(now, days_ago, **overrides):
    pledge = make_pledge(status=Pledge.Status.RECEIVED, **overrides)
    Pledge.objects.filter(pk=pledge.pk).update(received_at=now - datetime.timedelta(days=days_ago))
    pledge.refresh_from_db()
    return pledge


def counts(now=None, dry_run=False):
    return privacy.run_retention(now=now, dry_run=dry_run)


# Retention -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pledge_contact_is_anonymised_a_day_after_its_period_and_not_a_day_before():
    now = timezone.now()
    expired = closed_pledge(now, 91)
    kept = closed_pledge(now, 89)
    still_open = make_pledge(created_at=now - datetime.timedelta(days=400))

    result = counts(now)

    assert result["aid.pledge_contact"].rows == 1
    expired.refresh_from_db()
    assert (expired.contact_name, expired.contact_phone, expired.quantity) == ("", "", Decimal(5))
    assert Pledge.objects.get(pk=kept.pk).contact_name == NAME
    assert Pledge.objects.get(pk=still_open.pk).contact_name == NAME
    # Run again: nothing more to do.
    assert counts(now)["aid.pledge_contact"].rows == 0


@pytest.mark.django_db
def test_the_history_of_an_expired_row_is_scrubbed_too():
    now = timezone.now()
    pledge = closed_pledge(now, 91)
    pledge.note = "Call me after six, " + PHONE
    pledge.save()  # one more history row, with the phone in it
    history = Pledge.history.filter(id=pledge.pk)
    assert history.count() >= 2

    assert counts(now)["aid.pledge_contact"].history >= 2

    assert history.exclude(contact_name="").count() == 0
    assert history.exclude(contact_phone="").count() == 0
    assert history.exclude(note="").count() == 0


@pytest.mark.django_db
def test_expired_rows_of_every_kind_go_and_those_a_day_younger_stay(community):
    now = timezone.now()
    today = timezone.localdate(now)
    # Alerts: unsubscribed goes, still subscribed stays; unconfirmed after a week goes.
    gone = make_subscription(unsubscribed_at=now - DAY)
    stays = make_subscription()
    unconfirmed = make_subscription(confirmed_at=None)
    Subscription = type(stays)
    Subscription.objects.filter(pk=unconfirmed.pk).update(created_at=now - 8 * DAY)
    # Reports: a reporter's contact goes after 30 days.
    old_report = make_incident(
        community.analyst, area=community.town, publish=False, reporter_contact=PHONE
    )
    new_report = make_incident(
        community.analyst, area=community.town, publish=False, reporter_contact=EMAIL
    )
    Incident.objects.filter(pk=old_report.pk).update(created_at=now - 31 * DAY)
    Incident.objects.filter(pk=new_report.pk).update(created_at=now - 29 * DAY)
    # Tracing: records past their own date go, the one that ends today stays.
    expired_record = make_record(expiry_date=today - DAY)
    current_record = make_record(expiry_date=today)
    # Funds: the donor's name after five years; the amount stays.
    fund = make_fund(organization=community.council)
    old_gift = make_donation(fund, donor_name=NAME, received_on=today - 5 * 365 * DAY - DAY)
    recent_gift = make_donation(fund, donor_name=NAME, received_on=today - 5 * 365 * DAY + DAY)
    # Volunteers: two years with nothing done.
    idle = make_volunteer(organization=community.hq)
    busy = make_volunteer(organization=community.hq)
    Volunteer.objects.filter(pk=idle.pk).update(updated_at=now - 731 * DAY)
    Volunteer.objects.filter(pk=busy.pk).update(updated_at=now - 729 * DAY)
    # Bot drafts: two days.
    ChatState.objects.create(chat_id=1, flow="give", data={"phone": PHONE})
    ChatState.objects.create(chat_id=2, flow="give", data={"phone": PHONE})
    ChatState.objects.filter(chat_id=1).update(updated_at=now - 3 * DAY)

    result = counts(now)

    assert not Subscription.objects.filter(pk__in=[gone.pk, unconfirmed.pk]).exists()
    assert Subscription.objects.filter(pk=stays.pk).exists()
    assert Incident.objects.get(pk=old_report.pk).reporter_contact == ""
    assert Incident.objects.get(pk=new_report.pk).reporter_contact == EMAIL
    assert not PersonRecord.objects.filter(pk=expired_record.pk).exists()
    assert not PersonRecord.history.filter(id=expired_record.pk).exists()
    assert PersonRecord.objects.filter(pk=current_record.pk).exists()
    old_gift = Donation.objects.get(pk=old_gift.pk)
    assert (old_gift.donor_name, old_gift.amount) == ("", Decimal("1000.00"))
    assert Donation.objects.get(pk=recent_gift.pk).donor_name == NAME
    idle.refresh_from_db()
    assert (idle.name, idle.phone, idle.is_active) == (privacy.ERASED_NAME, "", False)
    assert Volunteer.objects.get(pk=busy.pk).phone == busy.phone
    assert list(ChatState.objects.values_list("chat_id", flat=True)) == [2]
    assert result["alerts.subscription"].rows == 2
    assert result["tracing.record"].rows == 1
    assert result["funds.donor"].rows == 1


@pytest.mark.django_db
def test_a_legal_hold_keeps_an_expired_tracing_record(community):
    yesterday = timezone.localdate() - DAY
    held = make_record(expiry_date=yesterday, hold_reason="Court case 12/2026")
    inquiry = make_inquiry()
    PersonRecord.objects.filter(pk=inquiry.sought_id).update(expiry_date=yesterday)

    result = counts()

    assert PersonRecord.objects.filter(pk__in=[held.pk, inquiry.sought_id]).count() == 2
    assert result["tracing.record"].held == 2
    assert result["tracing.record"].rows == 0


@pytest.mark.django_db
def test_a_closed_inquirys_record_is_anonymised_when_it_expires_and_its_inquirer_after_a_year():
    now = timezone.now()
    inquiry = make_inquiry()
    Inquiry.objects.filter(pk=inquiry.pk).update(
        status=Inquiry.Status.CLOSED, updated_at=now - 366 * DAY
    )
    PersonRecord.objects.filter(pk=inquiry.sought_id).update(
        expiry_date=timezone.localdate(now) - DAY
    )

    counts(now)

    inquiry.refresh_from_db()
    sought = PersonRecord.objects.get(pk=inquiry.sought_id)
    assert (inquiry.inquirer_name, inquiry.inquirer_contact) == ("", "")
    assert (sought.given_name, sought.family_name) == ("", "")
    assert not PersonRecord.history.filter(id=sought.pk).exclude(family_name="").exists()
    assert not Inquiry.history.filter(id=inquiry.pk).exclude(inquirer_contact="").exists()


@pytest.mark.django_db
def test_a_dry_run_counts_and_writes_nothing():
    now = timezone.now()
    pledge = closed_pledge(now, 91)
    events = AuditEvent.objects.count()

    result = counts(now, dry_run=True)

    assert result["aid.pledge_contact"].rows == 1
    assert Pledge.objects.get(pk=pledge.pk).contact_name == NAME
    assert AuditEvent.objects.count() == events
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert "1 records would be erased" in out.getvalue()
    assert Pledge.objects.get(pk=pledge.pk).contact_name == NAME
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_command_erases_prints_counts_and_writes_one_audit_event():
    closed_pledge(timezone.now(), 91)
    out = StringIO()
    call_command("retention", stdout=out)
    assert "aid.pledge_contact: 1 records" in out.getvalue()
    event = AuditEvent.objects.get(action="privacy.retention")
    assert event.details["counts"]["aid.pledge_contact"]["rows"] == 1
    call_command("retention", stdout=StringIO())
    assert AuditEvent.objects.filter(action="privacy.retention").count() == 2


@pytest.mark.django_db
def test_retention_erases_in_batches(monkeypatch):
    monkeypatch.setattr(privacy, "BATCH", 2)
    now = timezone.now()
    pledges = [closed_pledge(now, 91) for _ in range(5)]
    records = [make_record(expiry_date=timezone.localdate(now) - DAY) for _ in range(5)]
    result = counts(now)
    assert (result["aid.pledge_contact"].rows, result["tracing.record"].rows) == (5, 5)
    assert not Pledge.objects.filter(pk__in=[p.pk for p in pledges]).exclude(contact_name="")
    assert not PersonRecord.objects.filter(pk__in=[r.pk for r in records]).exists()
    assert result["tracing.record"].history == 5  # the one version each record had
    assert not PersonRecord.history.filter(id__in=[r.pk for r in records]).exists()


@pytest.mark.django_db
def test_history_of_rows_deleted_elsewhere_is_purged():
    record = make_record(expiry_date=timezone.localdate() - DAY)
    pk = record.pk
    PersonRecord.objects.filter(pk=pk).delete()  # as tracing's own expiry job does
    assert PersonRecord.history.filter(id=pk).exists()
    counts()
    assert not PersonRecord.history.filter(id=pk).exists()


def test_retention_runs_daily_in_the_worker():
    assert ("core.retention", 24 * 3600, privacy.retention_job) in periodic.jobs()


@pytest.mark.django_db
def test_retention_periods_can_be_changed_in_settings(settings):
    now = timezone.now()
    pledge = closed_pledge(now, 31)
    settings.RETENTION_DAYS = {"aid.pledge_contact": 30}
    counts(now)
    assert Pledge.objects.get(pk=pledge.pk).contact_name == ""


# One person ----------------------------------------------------------------------------------


@pytest.fixture
def olena(community):
    """One person known to every app: an account, a volunteer record, a pledge, a subscription,
    an incident report, a donation, an inquiry she filed, a record about her, a Telegram link."""
    user = make_user(username="olena", name=NAME, email=EMAIL, phone=PHONE)
    TelegramAccount.objects.create(user=user, telegram_id=777, chat_id=777)
    make_volunteer(organization=community.hq, user=user, name=NAME, phone=PHONE)
    make_pledge(contact_email=EMAIL, donor=None)
    make_subscription(address=EMAIL)
    make_subscription(channel="telegram", address="777")
    make_incident(AnonymousUser(), area=community.town, publish=False, reporter_contact=PHONE)
    fund = make_fund(organization=community.council)
    make_donation(fund, donor_name=NAME, received_on=timezone.localdate() - 6 * 365 * DAY)
    make_donation(fund, donor_name=NAME)  # this year: accounting law keeps the name
    make_inquiry(inquirer_name=NAME, inquirer_contact=PHONE)
    make_record(family_name="Коваленко", given_name="Олена", birth_year=1990)
    Notification.objects.create(
        channel="email", recipient=user, address=EMAIL, subject="Дякуємо", body="…"
    )
    application = make_application(organization=community.hq, email=EMAIL, name="Olena Kovalenko")
    ApplicationDocument.objects.create(
        application=application,
        file=ContentFile(b"%PDF-1.4 passport", name="passport.pdf"),
        original_name="passport.pdf",
        content_type="application/pdf",
        size=17,
        sha256="0" * 64,
    )
    return Person(
        user=user,
        phone=PHONE,
        email=EMAIL,
        name=NAME,
        birth_year=1990,
        telegram_ids=(777,),
    )


KINDS_OF_OLENA = {
    "core.user",
    "core.notification",
    "aid.pledge_contact",
    "volunteers.volunteer",
    "volunteers.application",
    "volunteers.application_document",
    "reports.reporter_contact",
    "alerts.subscription",
    "tracing.record",
    "tracing.inquirer",
    "funds.donor",
    "bot.telegram_account",
}


@pytest.mark.django_db
def test_an_export_finds_a_person_in_every_app_with_history_and_files_and_is_audited(
    community, olena, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    content, archive = privacy.export_person(
        olena, actor=community.superuser, reason="Subject access request of 6 Dec"
    )

    data = json.loads(content)
    assert set(data["kinds"]) >= KINDS_OF_OLENA
    volunteer = data["kinds"]["volunteers.volunteer"]
    assert volunteer["rows"][0]["phone"] == PHONE
    assert volunteer["history"][0]["history_type"] == "+"
    assert archive is not None
    names = zipfile.ZipFile(BytesIO(archive)).namelist()
    assert len(names) == 1 and names[0].startswith("volunteers.application_document/")
    event = AuditEvent.objects.get(action="privacy.exported")
    assert event.actor == community.superuser
    assert event.details["reason"] == "Subject access request of 6 Dec"
    assert event.details["person"]["phone"] == PHONE
    assert event.details["rows"]["alerts.subscription"] == 2


@pytest.mark.django_db
def test_an_export_needs_a_reason(community, olena):
    with pytest.raises(ValidationError):
        privacy.export_person(olena, actor=community.superuser, reason=" ")
    assert not AuditEvent.objects.filter(action="privacy.exported").exists()


@pytest.mark.django_db
def test_after_erasure_an_export_finds_nothing_that_identifies_the_person(
    community, olena, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    scan = ApplicationDocument.objects.get().file
    assert scan.storage.exists(scan.name)
    result = privacy.erase_person(olena, actor=community.superuser, reason="Erasure request")
    assert not scan.storage.exists(scan.name)

    kept = {kind: reason for kind, _rows, reason in result.kept}
    assert set(kept) == {"funds.donor"}  # this year's donation: accounting law
    assert "funds.donor" in result.erased  # the six-year-old one went
    content, archive = privacy.export_person(olena, actor=community.superuser, reason="Check")
    leftover = json.loads(content)["kinds"]
    # The account row stays (records point at it), blanked; and the donation the law keeps.
    assert set(leftover) == {"core.user", "funds.donor"}
    assert leftover["core.user"]["rows"][0]["email"] == ""
    assert len(leftover["funds.donor"]["rows"]) == 1
    without_kept = json.dumps({k: v for k, v in leftover.items() if k != "funds.donor"})
    for trace in (PHONE, EMAIL, "067 111 22 33"):
        assert trace not in without_kept
    # The kept donation's donor name, nowhere else (the header repeats whom we looked for).
    assert json.dumps(leftover, ensure_ascii=False).count(NAME) == 1
    assert archive is None
    user = User.objects.get(pk=olena.user.pk)
    assert not user.is_active and user.username == f"erased-{user.pk}"
    assert not user.has_usable_password()
    assert not Volunteer.history.filter(phone=PHONE).exists()
    assert not Application.history.filter(email=EMAIL).exists()
    event = AuditEvent.objects.get(action="privacy.erased")
    assert event.details["kept"][0]["kind"] == "funds.donor"


@pytest.mark.django_db
def test_erasure_keeps_a_volunteer_who_still_holds_equipment(community):
    from hromada.volunteers.models import CustodyRecord
    from hromada.volunteers.tests.factories import make_item

    volunteer = make_volunteer(organization=community.hq, phone=PHONE)
    CustodyRecord.objects.create(
        item=make_item(organization=community.hq),
        volunteer=volunteer,
        issued_by=community.coordinator,
    )
    result = privacy.erase_person(Person(phone=PHONE), actor=None, reason="Asked by phone")
    assert result.kept[0][0] == "volunteers.volunteer"
    assert Volunteer.objects.get(pk=volunteer.pk).phone == PHONE


@pytest.mark.django_db
def test_the_erase_command_shows_what_it_would_do_and_erases_only_with_yes(community, olena):
    out = StringIO()
    call_command("person_erase", "--phone", PHONE, "--reason", "Request by phone", stdout=out)
    assert "Would erase" in out.getvalue()
    assert Volunteer.objects.filter(phone=PHONE).exists()
    assert not AuditEvent.objects.filter(action="privacy.erased").exists()

    out = StringIO()
    call_command(
        "person_erase", "--user", "olena", "--name", NAME, "--reason", "Request by phone",
        "--yes", "--by", "root", stdout=out,
    )  # fmt: skip
    assert "Kept: funds.donor: 1" in out.getvalue()
    assert not Volunteer.objects.filter(phone=PHONE).exists()
    assert AuditEvent.objects.get(action="privacy.erased").actor == community.superuser


@pytest.mark.django_db
def test_the_export_command_writes_json_and_zip(community, olena, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    target = tmp_path / "olena.json"
    out = StringIO()
    call_command(
        "person_export", "--email", EMAIL, "--reason", "Access request", "--output", str(target),
        stdout=out,
    )  # fmt: skip
    assert "olena.zip" in out.getvalue()
    data = json.loads(target.read_text())
    assert "volunteers.application" in data["kinds"]
    assert (tmp_path / "olena.zip").exists()


@pytest.mark.django_db
def test_a_tracing_record_is_found_by_name_only_with_a_birth_year(olena):
    found = privacy.collect(Person(name="Олена Коваленко"))
    assert "tracing.record" not in found
    found = privacy.collect(Person(name="Коваленко Олена", birth_year=1990))
    assert len(found["tracing.record"]["rows"]) == 1


# Account → My data ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_data_lists_what_is_tied_to_the_account_and_downloads_it_audited(
    community, olena, as_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(olena.user)
    page = client.get("/account/data/")
    assert page.status_code == 200
    labels = {str(line.label) for line in page.context["held"]}
    # Tied to the account: the volunteer record, the Telegram subscription and link.
    assert {"volunteers", "subscriptions", "Telegram accounts"} <= labels
    # Not tied to it (found only by a typed-in e-mail or name): the pledge, the application.
    assert "pledges" not in labels and "applications from abroad" not in labels

    download = client.post("/account/data/")
    assert download["Content-Disposition"] == 'attachment; filename="hromada-my-data.json"'
    data = json.loads(download.content)
    assert data["kinds"]["volunteers.volunteer"]["rows"][0]["phone"] == PHONE
    assert "aid.pledge_contact" not in data["kinds"]
    event = AuditEvent.objects.get(action="privacy.exported")
    assert event.actor == olena.user and event.details["reason"] == privacy.SELF_SERVICE_REASON


@pytest.mark.django_db
def test_my_data_costs_the_same_queries_for_one_record_or_many(
    community, as_user, django_assert_num_queries
):
    user = make_user(username="many")
    client = as_user(user)
    client.get("/account/data/")
    make_volunteer(organization=community.hq, user=user)
    with CaptureQueriesContext(connection) as one:
        client.get("/account/data/")
    for organization in (community.council, community.other):
        make_volunteer(organization=organization, user=user)
    # The session, the user, the Telegram link, then one count per kind of record that can
    # be tied to an account: the same for one volunteer record or three.
    with django_assert_num_queries(len(one)):
        client.get("/account/data/")


@pytest.mark.django_db
def test_an_account_is_not_taken_for_its_namesakes(community, olena):
    namesake = make_volunteer(organization=community.other, name=NAME, phone="+380931234567")
    call_command(
        "person_erase", "--user", "olena", "--reason", "Request by e-mail", "--yes",
        stdout=StringIO(),
    )  # fmt: skip
    assert Volunteer.objects.get(pk=namesake.pk).name == NAME
    assert not Volunteer.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db
def test_a_caseworker_puts_a_hold_on_a_record_from_its_page(community, as_user):
    from hromada.tracing import services as tracing_services

    record = make_record(expiry_date=timezone.localdate() - DAY)
    tracing_services.update_record(community.caseworker, record, hold_reason="Court case 12/2026")
    counts()
    assert PersonRecord.objects.filter(pk=record.pk).exists()
    page = as_user(community.caseworker).get(f"/tracing/records/{record.pk}/")
    assert "Court case 12/2026" in page.content.decode()
