import datetime

import pytest
from django.core import mail
from django.utils import timezone

from hromada.core import notifications, periodic
from hromada.core.models import Notification, PeriodicRun


@pytest.mark.django_db
def test_a_notification_is_sent_once_however_often_delivery_runs(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        note = notifications.notify(
            subject="Ваша пропозиція отримана", body="Дякуємо!", email="donor@example.org"
        )
    assert note is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["donor@example.org"]
    assert notifications.deliver(note.pk) is False  # a retried task finds it sent
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_the_same_event_replayed_is_queued_once():
    first = notifications.notify(
        subject="s", body="b", email="a@example.org", dedupe_key="pledge:1:received"
    )
    again = notifications.notify(
        subject="s", body="b", email="a@example.org", dedupe_key="pledge:1:received"
    )
    assert first is not None and again is None
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_nobody_to_tell_queues_nothing():
    assert notifications.notify(subject="s", body="b") is None
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_failed_send_is_retried_and_gives_up_after_the_limit(settings):
    settings.EMAIL_BACKEND = "hromada.core.tests.test_notifications.BrokenBackend"
    note = notifications.notify(subject="s", body="b", email="a@example.org")
    for _ in range(notifications.MAX_ATTEMPTS):
        assert notifications.deliver(note.pk) is False
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    assert "relay down" in note.last_error


@pytest.mark.django_db
def test_a_row_stuck_in_sending_after_a_crash_is_given_back():
    note = notifications.notify(subject="s", body="b", email="a@example.org")
    Notification.objects.filter(pk=note.pk).update(
        status="sending", claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    notifications.retry_stale()
    note.refresh_from_db()
    assert note.status == "sent"  # the immediate backend ran the re-enqueued task


@pytest.mark.django_db
def test_periodic_jobs_run_once_per_period_whatever_the_number_of_workers():
    now = timezone.now()
    first = periodic.run_due(now)
    assert "core.retry_notifications" in first
    assert "core.retry_notifications" not in periodic.run_due(now + datetime.timedelta(seconds=10))
    assert "core.retry_notifications" in periodic.run_due(now + datetime.timedelta(seconds=301))
    assert PeriodicRun.objects.get(name="core.retry_notifications").last_result == "0"


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("relay down")
