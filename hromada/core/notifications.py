"""The outbox: tell a person something, once, in the background.

``notify(...)`` writes the row and enqueues its delivery when the transaction commits;
``deliver(pk)`` claims the row with a conditional update and sends it. A crash between
claim and send leaves the row "sending"; ``retry_stale()`` gives it back after a while
(at-least-once across a crash, exactly once otherwise).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from hromada.core.models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STALE_AFTER = datetime.timedelta(minutes=10)


def notify(
    *,
    subject: str,
    body: str,
    email: str = "",
    recipient: Any = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Queue an e-mail to ``email`` (or to ``recipient``'s address). None when there is
    nowhere to send it or ``dedupe_key`` was already used."""
    address = email or (getattr(recipient, "email", "") if recipient is not None else "")
    if not address:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                channel=Notification.Channel.EMAIL,
                recipient=recipient if getattr(recipient, "pk", None) else None,
                address=address,
                subject=subject[:200],
                body=body,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def _enqueue(pk: int) -> None:
    from hromada.core.tasks import send_notification

    send_notification.enqueue(pk)


def deliver(pk: int) -> bool:
    """Send one notification if nobody else is sending it. True when this call sent it."""
    claimed = Notification.objects.filter(pk=pk, status=Notification.Status.PENDING).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.get(pk=pk)
    try:
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.address],
        )
    except Exception as error:  # any transport failure means "try again later"
        logger.warning("notification %s failed: %s", pk, error)
        failed = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=pk).update(
            status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
            last_error=str(error)[:500],
        )
        return False
    Notification.objects.filter(pk=pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now()
    )
    return True


def retry_stale(now: datetime.datetime | None = None) -> int:
    """Give back rows stuck in "sending" (a crashed worker) and re-enqueue every pending row."""
    now = now or timezone.now()
    Notification.objects.filter(
        status=Notification.Status.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=Notification.Status.PENDING)
    pending = list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - datetime.timedelta(minutes=1)))
        .values_list("pk", flat=True)[:500]
    )
    for pk in pending:
        _enqueue(pk)
    return len(pending)
