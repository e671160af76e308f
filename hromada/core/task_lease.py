"""A task whose worker died is run again.

django-tasks' database backend marks a task RUNNING when a worker takes it, and never looks
at it again: a worker killed in the middle (a power cut, the kernel's OOM killer, SIGKILL)
leaves the task RUNNING for ever and nothing runs it again. ``requeue_stale`` (a periodic
job of ``hromada worker``) gives such a task back to the queue once its lease has passed.

Every task here starts from rows it claims with a conditional update (an outbox row, an
import job, a document to archive), so running one again finishes what was left and
repeats nothing; a task slower than its lease is at worst run a second time, to no effect.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus

# Longer than any task takes; a task still RUNNING after this lost its worker.
LEASE = datetime.timedelta(minutes=30)


def requeue_stale(now: datetime.datetime | None = None) -> int:
    """Put tasks RUNNING for longer than the lease back in the queue; return how many."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - LEASE
    ).update(status=TaskResultStatus.READY)
