from django_tasks import task

from hromada.reports import services

# Run by `hromada worker` on a schedule (see hromada.core.periodic): fetches a crashed
# worker left half-done are given back and pending ones enqueued again.
PERIODIC = [("reports.retry_archives", 600, services.retry_stale_archives)]


@task()
def archive_document(document_id: int) -> bool:
    """Fetch a document's link and keep the copy; safe to run twice (the row is claimed)."""
    return services.fetch_archive(document_id)
