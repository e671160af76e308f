"""Personal data in reports: how to reach the person who reported an incident."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from hromada.core.privacy import ANONYMISE, Kind, Person, _any
from hromada.reports.models import Incident


def _reporters(person: Person) -> Q | None:
    return _any(
        [
            person.user_q("reported_by"),
            person.phone_q("reporter_contact"),
            person.email_q("reporter_contact", exact=False),
        ]
    )


def _reported_long_ago(now: datetime.datetime, days: int) -> QuerySet[Incident]:
    return Incident.objects.filter(created_at__lt=now - datetime.timedelta(days=days))


KINDS = [
    Kind(
        key="reports.reporter_contact",
        model=Incident,
        fields=("code", "kind", "created_at", "reported_by", "reporter_contact"),
        find=_reporters,
        erase=ANONYMISE,
        # The incident stays (it is evidence); the way to reach its reporter goes.
        blank={"reporter_contact": ""},
        days=30,
        expired=_reported_long_ago,
    ),
]
