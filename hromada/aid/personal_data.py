"""Personal data in aid: the contact a donor leaves with a pledge."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from hromada.aid.models import Pledge
from hromada.core.privacy import ANONYMISE, Kind, Person, _any


def _pledges(person: Person) -> Q | None:
    return _any(
        [
            person.user_q("donor"),
            person.phone_q("contact_phone"),
            person.email_q("contact_email"),
            person.name_q("contact_name") if person.name else None,
        ]
    )


def _closed_long_ago(now: datetime.datetime, days: int) -> QuerySet[Pledge]:
    closed = [Pledge.Status.RECEIVED, Pledge.Status.DECLINED, Pledge.Status.EXPIRED]
    return Pledge.objects.annotate(
        closed_at=Coalesce("received_at", "decided_at", "created_at")
    ).filter(status__in=closed, closed_at__lt=now - datetime.timedelta(days=days))


KINDS = [
    Kind(
        key="aid.pledge_contact",
        model=Pledge,
        fields=(
            "title",
            "quantity",
            "unit",
            "status",
            "created_at",
            "contact_name",
            "contact_phone",
            "contact_email",
            "location",
            "note",
            "donor",
            "consent_at",
            "consent_version",
        ),
        find=_pledges,
        erase=ANONYMISE,
        # The offer stays (what was given, when, to which need); who gave it goes.
        blank={
            "contact_name": "",
            "contact_phone": "",
            "contact_email": "",
            "location": "",
            "note": "",
            "donor": None,
        },
        days=90,
        expired=_closed_long_ago,
    ),
]
