"""Personal data in alerts: subscribers' addresses and the log of what was sent to them."""

from __future__ import annotations

import datetime

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from hromada.alerts.models import Channel, Delivery, Subscription
from hromada.core.privacy import ANONYMISE, DELETE, Kind, Person, _any, period

ERASED_PREFIX = "erased-"


def _addresses(person: Person) -> Q | None:
    return _any(
        [
            Q(channel=Channel.EMAIL, address__iexact=person.email.strip())
            if person.email.strip()
            else None,
            Q(channel=Channel.TELEGRAM, address__in=[str(t) for t in person.telegram_ids])
            if person.telegram_ids
            else None,
        ]
    )


def _subscriptions(person: Person) -> Q | None:
    return _any([person.user_q("user"), _addresses(person)])


def _ended(now: datetime.datetime, days: int) -> QuerySet[Subscription]:
    """Unsubscribed (``days`` after), or an e-mail never confirmed within a week."""
    unconfirmed = now - datetime.timedelta(days=period("alerts.unconfirmed_subscription", 7))
    return Subscription.objects.filter(
        Q(unsubscribed_at__lte=now - datetime.timedelta(days=days))
        | Q(confirmed_at__isnull=True, created_at__lt=unconfirmed)
    )


def _sent_long_ago(now: datetime.datetime, days: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        created_at__lt=now - datetime.timedelta(days=days),
        status__in=[Delivery.Status.SENT, Delivery.Status.FAILED],
    )


KINDS = [
    Kind(
        key="alerts.subscription",
        model=Subscription,
        fields=(
            "channel",
            "address",
            "language",
            "categories",
            "min_severity",
            "user",
            "created_at",
            "confirmed_at",
            "unsubscribed_at",
            "consent_at",
            "consent_version",
        ),
        find=_subscriptions,
        erase=DELETE,
        days=0,
        expired=_ended,
    ),
    Kind(
        key="alerts.delivery",
        model=Delivery,
        fields=("alert", "channel", "address", "status", "sent_at", "created_at"),
        find=_addresses,
        erase=ANONYMISE,
        # How many were sent stays; to whom goes ("erased-<id>" keeps each row's address unique).
        blank={"address": Concat(Value(ERASED_PREFIX), Cast("id", CharField()))},
        done=Q(address__startswith=ERASED_PREFIX),
        days=90,
        expired=_sent_long_ago,
    ),
]
