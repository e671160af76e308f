"""/shifts: a volunteer takes an open shift, checks in and out; answers an invitation."""

from __future__ import annotations

import datetime

from django.utils import timezone

from hromada.bot.tests.factories import link
from hromada.volunteers.models import Assignment
from hromada.volunteers.tests.factories import (
    make_assignment,
    make_shift,
    make_task,
    make_volunteer,
)


def test_a_volunteer_takes_a_shift_checks_in_and_out_and_answers_an_invitation(
    community, telegram, run_bot
):
    volunteer = make_volunteer(organization=community.hq, user=community.volunteer)
    task = make_task(organization=community.hq, place=community.hub)
    soon = make_shift(task=task, starts_at=timezone.now() + datetime.timedelta(minutes=30))
    later = make_shift(task=task, starts_at=timezone.now() + datetime.timedelta(days=2))
    invitation = make_assignment(shift=later, volunteer=volunteer, status=Assignment.Status.INVITED)
    user = telegram.user(9201)
    link(community.volunteer, 9201)

    telegram.say(user, "/shifts")
    run_bot()
    buttons = telegram.buttons(9201).values()
    assert f"sh:take:{soon.pk}" in buttons and f"sh:yes:{invitation.pk}" in buttons

    telegram.press(user, f"sh:take:{soon.pk}")
    telegram.press(user, f"sh:yes:{invitation.pk}")
    run_bot()
    mine = Assignment.objects.get(shift=soon)
    assert mine.status == Assignment.Status.CONFIRMED
    assert f"sh:in:{mine.pk}" in telegram.buttons(9201).values()

    telegram.press(user, f"sh:in:{mine.pk}")
    run_bot()
    telegram.press(user, f"sh:out:{mine.pk}")
    run_bot()
    mine.refresh_from_db()
    invitation.refresh_from_db()
    assert mine.checked_in_at is not None and mine.checked_out_at is not None
    assert invitation.status == Assignment.Status.CONFIRMED


def test_someone_else_cannot_answer_for_a_volunteer(community, telegram, run_bot):
    volunteer = make_volunteer(organization=community.hq, user=community.volunteer)
    shift = make_shift(task=make_task(organization=community.hq))
    invitation = make_assignment(shift=shift, volunteer=volunteer, status=Assignment.Status.INVITED)
    link(community.outsider, 9202)
    telegram.press(telegram.user(9202), f"sh:no:{invitation.pk}")
    run_bot()
    invitation.refresh_from_db()
    assert invitation.status == Assignment.Status.INVITED
