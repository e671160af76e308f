"""What anyone can do without an account: offer goods, report an incident, ask for a person."""

from __future__ import annotations

from decimal import Decimal

from hromada.aid.models import Pledge
from hromada.reports.models import Incident
from hromada.tracing.models import Inquiry


def test_anyone_offers_goods_in_three_answers(community, telegram, run_bot):
    donor = telegram.user(9101, language="en")
    telegram.say(donor, "/give 20 ковдр")
    telegram.say(donor, "Оксана")
    telegram.say(donor, "+380501234567")
    run_bot()
    assert "give:ok" in telegram.buttons(9101).values()
    telegram.press(donor, "give:ok")
    telegram.press(donor, "give:ok")  # a double tap
    run_bot()
    pledge = Pledge.objects.get()
    assert (pledge.item.code, pledge.quantity, pledge.contact_name, pledge.donor) == (
        "blankets",
        Decimal(20),
        "Оксана",
        None,
    )
    assert f"#{pledge.pk}" in telegram.texts(9101)[-2]


def test_anyone_reports_an_incident_with_a_location(community, telegram, run_bot):
    witness = telegram.user(9102, language="en")
    telegram.say(witness, "/report")
    telegram.press(witness, "rp:kind:shelling")
    telegram.send_location(witness, 50.3012, 34.8987)
    telegram.say(witness, "охтирка")
    run_bot()
    telegram.press(witness, f"rp:area:{community.town.pk}")
    telegram.press(witness, "rp:when:hour")
    telegram.say(witness, "Влучання в житловий будинок на Сумській")
    run_bot()
    telegram.press(witness, "rp:ok")
    run_bot()
    incident = Incident.objects.get()
    assert (incident.kind, incident.area, incident.latitude) == (
        "shelling",
        community.town,
        Decimal("50.301200"),
    )
    assert incident.status == Incident.Status.REPORTED  # unreviewed: not public yet
    assert incident.code in telegram.last(9102)["text"]


def test_anyone_files_a_tracing_inquiry_and_learns_nothing_about_records(
    community, telegram, run_bot
):
    relative = telegram.user(9103, language="en")
    telegram.say(relative, "/find")
    for answer in ("Шевченко", "Тарас", "1961", "Охтирка, вул. Сумська", "Марія", "+380671112233"):
        telegram.say(relative, answer)
    run_bot()
    telegram.press(relative, "fd:ok")
    run_bot()
    inquiry = Inquiry.objects.get()
    assert (inquiry.sought.family_name, inquiry.sought.birth_year, inquiry.inquirer_name) == (
        "Шевченко",
        1961,
        "Марія",
    )
    assert inquiry.reference in telegram.last(9103)["text"]
    assert "found" not in " ".join(telegram.texts(9103)).lower()
