"""Tracing's background work: matching a new inquiry, importing a file, expiring records."""

from __future__ import annotations

from django_tasks import task

from hromada.tracing import exchange, services
from hromada.tracing.models import Inquiry


@task()
def match_inquiry(inquiry_id: int) -> int:
    """Propose matches for a new inquiry. Running it twice proposes nothing more."""
    inquiry = Inquiry.objects.select_related("sought").filter(pk=inquiry_id).first()
    if inquiry is None:
        return 0
    return services.propose_matches(inquiry)


@task()
def run_import(job_id: int) -> str:
    """Import an uploaded file. A job already started is not started again."""
    return exchange.run_import_job(job_id)


def _expire() -> int:
    return services.expire_records()


# (name, every seconds, function): run by the worker's scheduler (hromada.core.periodic).
PERIODIC = [("tracing.expire_records", 24 * 3600, _expire)]
