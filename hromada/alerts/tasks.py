"""Background work for alerts: sending deliveries, confirmation mails, polling feeds.

Each task starts from rows already in the database (see delivery.py), so running one twice
sends nothing twice.
"""

from django_tasks import task

from hromada.alerts import delivery, feeds


@task()
def send_alert_deliveries(alert_id: int) -> int:
    return delivery.send_due(alert_id=alert_id)


@task()
def send_subscription_confirmation(subscription_id: int) -> bool:
    return delivery.deliver_confirmation(subscription_id)


@task()
def poll_alert_feeds() -> str:
    return feeds.poll_all()


# Run by `hromada worker` on a schedule (see hromada.core.periodic): (name, seconds, function).
PERIODIC = [
    ("alerts.poll_feeds", 60, feeds.poll_all),
    ("alerts.retry_deliveries", 60, delivery.retry_due),
]
