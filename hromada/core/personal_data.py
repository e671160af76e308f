"""Personal data in core: accounts, messages sent to people, and the audit log (kept)."""

from __future__ import annotations

import datetime

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from hromada.core.models import AuditEvent, Notification, User
from hromada.core.privacy import ANONYMISE, DELETE, KEEP, Kind, Person, _any


def _users(person: Person) -> Q | None:
    return _any(
        [
            Q(pk=person.user.pk) if person.user else None,
            person.email_q("email"),
            person.phone_q("phone"),
            person.name_q("name") if person.name else None,
            Q(telegram_id__in=person.telegram_ids) if person.telegram_ids else None,
        ]
    )


def _notifications(person: Person) -> Q | None:
    return _any(
        [
            person.user_q("recipient"),
            person.email_q("address"),
            Q(address__in=[str(t) for t in person.telegram_ids]) if person.telegram_ids else None,
        ]
    )


def _old_notifications(now: datetime.datetime, days: int) -> QuerySet[Notification]:
    return Notification.objects.filter(
        created_at__lt=now - datetime.timedelta(days=days),
        status__in=[Notification.Status.SENT, Notification.Status.FAILED],
    )


KINDS = [
    Kind(
        key="core.user",
        model=User,
        fields=(
            "username",
            "name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "telegram_id",
            "language",
            "time_zone",
            "date_joined",
            "last_login",
        ),
        find=_users,
        erase=ANONYMISE,
        # The row stays (the audit log and the records people made point at it); nothing in it
        # names the person, and nobody can sign in with it.
        blank={
            "username": Concat(Value("erased-"), Cast("id", CharField())),
            "name": "",
            "first_name": "",
            "last_name": "",
            "email": "",
            "phone": "",
            "telegram_id": None,
            "password": "!erased",
            "is_active": False,
        },
        done=Q(is_active=False, username__startswith="erased-"),
    ),
    Kind(
        key="core.notification",
        model=Notification,
        fields=("channel", "address", "subject", "body", "status", "created_at", "sent_at"),
        find=_notifications,
        erase=DELETE,
        days=90,
        expired=_old_notifications,
    ),
    Kind(
        key="core.audit",
        model=AuditEvent,
        fields=("action", "object_repr", "at", "ip", "details"),
        find=lambda person: person.user_q("actor"),
        erase=KEEP,
        describe=_("The audit log is append-only: who read or changed what stays on record."),
    ),
]
