"""Jobs that run on a schedule inside `hromada worker` (no cron needed).

Each app's ``tasks.py`` may define ``PERIODIC = [(name, every_seconds, function), ...]``.
A job is claimed through its ``PeriodicRun`` row with a conditional update, so with several
workers each job still runs once per period.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from hromada.core.models import PeriodicRun

logger = logging.getLogger(__name__)
Job = tuple[str, int, Callable[[], Any]]


def jobs() -> list[Job]:
    found: list[Job] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("hromada."):
            continue
        try:
            module = importlib.import_module(f"{app}.tasks")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.tasks":
                raise
            continue
        found.extend(getattr(module, "PERIODIC", []))
    return found


def _claim(name: str, every: int, now: datetime.datetime) -> bool:
    due_before = now - datetime.timedelta(seconds=every)
    if PeriodicRun.objects.filter(name=name, last_run_at__lte=due_before).update(last_run_at=now):
        return True
    if PeriodicRun.objects.filter(name=name).exists():
        return False
    try:
        PeriodicRun.objects.create(name=name, last_run_at=now)
    except IntegrityError:  # another worker created it first, and runs it
        return False
    return True


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Run every job whose period has passed; return the names that ran."""
    ran = []
    for name, every, function in jobs():
        now = now or timezone.now()
        if not _claim(name, every, now):
            continue
        try:
            result = function()
        except Exception:
            logger.exception("periodic job %s failed", name)
            result = "failed"
        PeriodicRun.objects.filter(name=name).update(last_result=str(result)[:200])
        ran.append(name)
    return ran
