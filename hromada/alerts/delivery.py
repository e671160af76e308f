"""Getting a published alert to its subscribers, once each.

When an alert is published, ``queue_deliveries`` writes one ``Delivery`` row per matching
subscriber (and one for the Telegram channel) in the same transaction, and enqueues the
sending task when that transaction commits. ``send_one`` claims a row with a conditional
update before it sends, so two workers, or a task retried by the queue, never send it twice.
A temporary failure puts the row back with a later ``next_attempt_at``; ``retry_due`` (run
by the worker every minute, or ``hromada send_alert_deliveries`` from cron) picks it up.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hromada.alerts import conf
from hromada.alerts.channels import DeliveryError, EmailChannel, Message, channel_for
from hromada.alerts.models import (
    Alert,
    Channel,
    Delivery,
    MsgType,
    Scope,
    Severity,
    Status,
    Subscription,
    rank,
)
from hromada.lib.crashpoints import crashpoint

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BACKOFF = [datetime.timedelta(seconds=s) for s in (30, 120, 600, 1800)]
# A row claimed this long ago and still "sending": its worker died mid-send.
STALE_AFTER = datetime.timedelta(minutes=10)
BATCH = 500
SALT = "hromada.alerts.subscription"
CONFIRM_MAX_AGE = 7 * 24 * 3600


# Who gets what --------------------------------------------------------------------------


def _related(alert_paths: list[str], subscription_paths: list[str]) -> bool:
    """Does an alert for areas ``alert_paths`` concern someone following ``subscription_paths``?
    Yes when either has none, or one area lies within (or is) the other."""
    if not alert_paths or not subscription_paths:
        return True
    return any(a.startswith(s) or s.startswith(a) for a in alert_paths for s in subscription_paths)


def matching_subscriptions(alert: Alert) -> list[Subscription]:
    """Active subscriptions whose areas, categories and severity this alert meets."""
    alert_paths = [a.path for a in alert.areas.all()]
    categories = set(alert.category_list)
    severity = rank(Severity, alert.severity)
    found = []
    for subscription in Subscription.objects.active().prefetch_related("areas"):
        if subscription.categories and not categories & set(subscription.categories):
            continue
        if subscription.min_severity and severity > rank(Severity, subscription.min_severity):
            continue
        if _related(alert_paths, [a.path for a in subscription.areas.all()]):
            found.append(subscription)
    return found


def queue_deliveries(alert: Alert) -> int:
    """Write the outbox rows for a just-published alert; send them once the publication
    commits. Only real, public alerts go to residents. Returns the number of rows."""
    if alert.status != Status.ACTUAL or alert.scope != Scope.PUBLIC:
        return 0
    rows = [
        Delivery(
            alert=alert,
            subscription=s,
            channel=s.channel,
            address=s.address,
            language=s.language,
        )
        for s in matching_subscriptions(alert)
    ]
    channel = str(conf.get("ALERTS_TELEGRAM_CHANNEL"))
    if channel and conf.get("TELEGRAM_BOT_TOKEN"):
        rows.append(Delivery(alert=alert, channel=Channel.TELEGRAM, address=channel, language="uk"))
    # ignore_conflicts: the unique (alert, channel, address) keeps a subscriber to one row.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(lambda: _enqueue(alert.pk))
    return len(rows)


def _enqueue(alert_id: int, run_after: datetime.datetime | None = None) -> None:
    from hromada.alerts.tasks import send_alert_deliveries

    task = send_alert_deliveries
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # retry_due will find the row when it is due
        task = task.using(run_after=run_after)
    task.enqueue(alert_id)


# Sending --------------------------------------------------------------------------------


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk, "do": "unsubscribe"}, salt=SALT)
    return conf.absolute(reverse("alerts:unsubscribe", args=[token]))


def confirm_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk, "do": "confirm"}, salt=SALT)
    return conf.absolute(reverse("alerts:subscription-confirm", args=[token]))


def subscription_for_token(token: str, action: str) -> Subscription | None:
    """The subscription a signed link names, if the link is genuine (and, to confirm, fresh)."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=CONFIRM_MAX_AGE if action == "confirm" else None
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("do") != action or not isinstance(data.get("s"), int):
        return None
    return Subscription.objects.filter(pk=data["s"]).first()


def render_message(alert: Alert, language: str, *, subscription: Subscription | None) -> Message:
    """The alert as a short plain text, in the subscriber's language."""
    with override(language):
        info = alert.info(language)
        context: dict[str, Any] = {
            "alert": alert,
            "info": info,
            "url": conf.absolute(reverse("alerts:alert-detail", args=[alert.pk])),
            "unsubscribe_url": unsubscribe_url(subscription) if subscription else "",
            "cancel": alert.msg_type == MsgType.CANCEL,
        }
        text = render_to_string("alerts/message.txt", context).strip()
        headline = (info.headline or info.event) if info else alert.identifier
        subject = (
            _("Cancelled: %(headline)s") % {"headline": headline}
            if alert.msg_type == MsgType.CANCEL
            else f"{alert.get_severity_display()}: {headline}"
        )
    return Message(subject=subject, text=text, unsubscribe_url=context["unsubscribe_url"])


def send_one(pk: int, *, now: datetime.datetime | None = None) -> bool:
    """Send one delivery if it is due and nobody else has it. True when this call sent it."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("alert", "subscription").get(pk=pk)
    alert = delivery.alert
    if alert.msg_type != MsgType.CANCEL and not alert.is_current(now):
        # Late is worse than never: an air raid warning after the all clear misleads.
        _finish(delivery, Delivery.Status.FAILED, error="no longer in force when its turn came")
        return False
    message = render_message(alert, delivery.language, subscription=delivery.subscription)
    try:
        provider_id = channel_for(delivery.channel).send(delivery.address, message)
    except DeliveryError as error:
        logger.warning("alert delivery %s failed: %s", pk, error)
        if error.gone and delivery.subscription_id:
            Subscription.objects.filter(pk=delivery.subscription_id).update(unsubscribed_at=now)
        if error.temporary and delivery.attempts < MAX_ATTEMPTS:
            wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
            Delivery.objects.filter(pk=pk).update(
                status=Delivery.Status.PENDING,
                next_attempt_at=now + wait,
                last_error=str(error)[:500],
            )
        else:
            _finish(delivery, Delivery.Status.FAILED, error=str(error))
        return False
    Delivery.objects.filter(pk=pk).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id[:100],
        last_error="",
    )
    crashpoint("alerts.delivery.sent")  # one sent and recorded, the rest of the batch not
    return True


def _finish(delivery: Delivery, status: str, *, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=error[:500])


def send_due(*, alert_id: int | None = None, now: datetime.datetime | None = None) -> int:
    """Send the deliveries that are due (of one alert, or all). Returns how many were sent.
    When some must wait for a retry, a task is scheduled for then (if the queue can)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    if alert_id is not None:
        due = due.filter(alert_id=alert_id)
    batch = list(due.order_by("pk").values_list("pk", flat=True)[:BATCH])
    sent = sum(send_one(pk, now=now) for pk in batch)
    if alert_id is not None:
        later = (
            Delivery.objects.filter(alert_id=alert_id, status=Delivery.Status.PENDING)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if later is not None:
            _enqueue(alert_id, run_after=max(later, now))
    return sent


def retry_due(now: datetime.datetime | None = None) -> str:
    """Give up on rows whose worker died mid-send (sending them again could send twice),
    then send every row that is due. Safe to run any number of times."""
    now = now or timezone.now()
    interrupted = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(
        status=Delivery.Status.FAILED,
        last_error="interrupted while sending; not repeated, so that nobody gets it twice",
    )
    sent = send_due(now=now)
    return f"{sent} sent, {interrupted} interrupted"


def send_confirmation(subscription_id: int) -> None:
    """Ask the owner of an e-mail address to confirm their subscription (after commit)."""
    from hromada.alerts.tasks import send_subscription_confirmation

    send_subscription_confirmation.enqueue(subscription_id)


def confirmation_message(subscription: Subscription) -> Message:
    with override(subscription.language):
        text = render_to_string(
            "alerts/confirm_subscription.txt",
            {"subscription": subscription, "url": confirm_url(subscription)},
        ).strip()
        return Message(subject=_("Confirm your subscription to alerts"), text=text)


def deliver_confirmation(subscription_id: int) -> bool:
    subscription = Subscription.objects.filter(
        pk=subscription_id, channel=Channel.EMAIL, confirmed_at__isnull=True
    ).first()
    if subscription is None:
        return False
    EmailChannel().send(subscription.address, confirmation_message(subscription))
    return True
