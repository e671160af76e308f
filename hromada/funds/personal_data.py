"""Personal data in funds: donors' names and contacts. Accounting law keeps them five years;
the amounts are never erased (a donation is a row of the ledger)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.core.privacy import ANONYMISE, Hold, Kind, Person, _any, period
from hromada.funds.models import Donation

KEY = "funds.donor"
LEGAL_HOLD_DAYS = 5 * 365


def _donors(person: Person) -> Q | None:
    return _any(
        [
            person.name_q("donor_name") if person.name else None,
            person.phone_q("donor_contact"),
            person.email_q("donor_contact", exact=False),
        ]
    )


def _cutoff(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now) - datetime.timedelta(days=period(KEY, LEGAL_HOLD_DAYS))


def _past_hold(now: datetime.datetime, days: int) -> QuerySet[Donation]:
    return Donation.objects.filter(received_on__lt=_cutoff(now))


KINDS = [
    Kind(
        key=KEY,
        model=Donation,
        fields=(
            "fund",
            "amount",
            "currency",
            "received_on",
            "donor_name",
            "donor_contact",
            "donor_public",
            "reference",
        ),
        find=_donors,
        erase=ANONYMISE,
        blank={"donor_name": "", "donor_contact": "", "donor_public": False},
        days=LEGAL_HOLD_DAYS,
        expired=_past_hold,
        holds=[
            Hold(
                _("Accounting law: a donor's name is kept five years after the donation."),
                lambda now: Q(received_on__gte=_cutoff(now)),
            )
        ],
    ),
]
