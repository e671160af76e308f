import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hromada.core import demo
from hromada.core.models import User
from hromada.volunteers.models import (
    Application,
    Assignment,
    CustodyRecord,
    Shift,
    Team,
    Volunteer,
)
from hromada.volunteers.selectors import not_counted_back
from hromada.volunteers.tests.factories import make_assignment, make_shift, make_task


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_record_no_shows_marks_absent_once_and_says_so(town):
    now = timezone.now()
    shift = make_shift(
        task=make_task(organization=town.hq),
        starts_at=now - datetime.timedelta(hours=5),
        ends_at=now - datetime.timedelta(hours=1),
    )
    make_assignment(shift=shift, volunteer=town.me)
    assert run("record_no_shows") == "No-shows recorded: 1.\n"
    assert run("record_no_shows") == "No-shows recorded: 0.\n"
    assert Assignment.objects.get().status == Assignment.Status.NO_SHOW


@pytest.mark.django_db
def test_the_demo_has_150_volunteers_four_teams_a_week_of_shifts_and_twenty_applications():
    counts = demo.load()
    assert counts["volunteers"] == Volunteer.objects.count() == 150
    assert Team.objects.count() == 4
    days = {timezone.localtime(s.starts_at).date() for s in Shift.objects.all()}
    assert len(days) >= 7
    assert set(Application.objects.values_list("status", flat=True)) == set(
        Application.Status.values
    )
    assert Application.objects.count() == 20
    assert (
        CustodyRecord.objects.open().exists()
        and CustodyRecord.objects.filter(returned_at__isnull=False).exists()
    )
    volunteer = Volunteer.objects.get(user__username="volunteer")
    assert volunteer.assignments.filter(shift__starts_at__gt=timezone.now()).exists()
    hub = User.objects.get(username="hub")
    assert not_counted_back(hub).exists()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    sandbags = Shift.objects.get(task__title__startswith="Наповнити", starts_at__date=tomorrow)
    assert sandbags.shortfall > 0  # left for the coordinator to fill
    assert User.objects.get(username="referrer").referrer_profiles.get().applications.exists()


@pytest.mark.django_db
def test_the_demo_answers_the_coordinators_search_of_the_issue():
    from hromada.volunteers import selectors

    demo.load()
    hub = User.objects.get(username="hub")
    start, end = selectors.window_for(timezone.localdate() + datetime.timedelta(days=1), "morning")
    found = selectors.search_volunteers(
        hub,
        selectors.VolunteerFilters(
            skill="driver", vehicle="van", vetting="verified", area="UA59020130010100001",
            free_from=start, free_until=end,
        ),
    )  # fmt: skip
    assert found.count() >= 3
