import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hromada.aid.models import Need
from hromada.aid.services import recurring
from hromada.aid.services.needs import expire_needs
from hromada.aid.tests.factories import item

# A Monday weeks ahead: setting up a template posts what is due from today, which must not
# reach the days these tests spawn themselves, whatever the date the suite runs on.
_TODAY = datetime.datetime.now(tz=datetime.UTC).date()
MONDAY = _TODAY + datetime.timedelta(days=21 - _TODAY.weekday())


def bread_every_day(community, **overrides):
    fields = {
        "place": community.shelter,
        "item": item("bread"),
        "quantity": Decimal(200),
        "starts_on": MONDAY,
        "at": datetime.time(8, 0),
    }
    fields.update(overrides)
    template, _ = recurring.create_recurring_need(community.coordinator, **fields)
    return template


def test_a_daily_need_posts_one_need_per_day_and_only_once(community):
    template = bread_every_day(community)
    recurring.spawn_for(template, MONDAY + datetime.timedelta(days=2))
    recurring.spawn_for(template, MONDAY + datetime.timedelta(days=2))
    days = list(template.instances.order_by("occurrence").values_list("occurrence", flat=True))
    assert days == [MONDAY + datetime.timedelta(days=d) for d in range(4)]  # up to tomorrow
    assert recurring.spawn_recurring_needs(MONDAY + datetime.timedelta(days=2)) == 0


def test_an_unmet_day_stays_on_the_board_overdue_and_is_never_expired(community):
    template = bread_every_day(community)
    later = MONDAY + datetime.timedelta(days=5)
    recurring.spawn_for(template, later)
    expire_needs(later)
    monday = template.instances.get(occurrence=MONDAY)
    assert monday.status == "open"
    assert monday in Need.objects.current(later)


def test_a_weekly_need_falls_on_its_weekday(community):
    template = bread_every_day(community, every="week", weekday=4)  # Fridays
    recurring.spawn_for(template, MONDAY + datetime.timedelta(days=13))
    assert {d.weekday() for d in template.instances.values_list("occurrence", flat=True)} == {4}
    with pytest.raises(ValidationError):
        bread_every_day(community, every="week")


def test_only_the_places_coordinators_set_up_a_recurring_need(community):
    with pytest.raises(PermissionDenied):
        recurring.create_recurring_need(
            community.volunteer,
            place=community.shelter,
            item=item("bread"),
            quantity=Decimal(1),
            starts_on=MONDAY,
        )


def test_stopping_keeps_the_posted_needs_and_posts_no_more(community):
    template = bread_every_day(community)
    recurring.spawn_for(template, MONDAY)
    posted = template.instances.count()
    recurring.stop_recurring_need(community.coordinator, template)
    assert recurring.spawn_for(template, MONDAY + datetime.timedelta(days=10)) == 0
    assert template.instances.count() == posted


def test_a_coordinator_sets_up_bread_every_morning_from_the_page(community, as_user):
    from django.urls import reverse

    client = as_user(community.coordinator)
    response = client.post(
        reverse("aid:recurring-needs"),
        {
            "place": community.shelter.pk,
            "item": item("bread").pk,
            "quantity": "200",
            "priority": "high",
            "every": "day",
            "at": "08:00",
            "starts_on": timezone.localdate().isoformat(),
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    assert Need.objects.filter(recurrence__isnull=False).exists()
    page = client.get(reverse("aid:recurring-needs")).content.decode()
    assert "Bread" in page
    bad = client.post(
        reverse("aid:recurring-needs"),
        {
            "place": community.shelter.pk,
            "quantity": "0",
            "every": "week",
            "at": "08:00",
            "starts_on": MONDAY.isoformat(),
            "priority": "high",
            "visibility": "public",
        },
    )
    assert bad.status_code == 422
    assert as_user(community.volunteer).get(reverse("aid:recurring-needs")).status_code == 403
