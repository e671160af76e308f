from django_tasks import task

from hromada.core import notifications, privacy, task_lease

# Jobs the worker runs on a schedule: (name, every seconds, function). Each app may list its
# own in a PERIODIC of its tasks.py; see hromada.core.periodic.
PERIODIC = [
    ("core.retry_notifications", 300, notifications.retry_stale),
    ("core.retention", 24 * 3600, privacy.retention_job),
    ("core.requeue_stale_tasks", 60, task_lease.requeue_stale),
]


@task()
def send_notification(notification_id: int) -> bool:
    return notifications.deliver(notification_id)
