import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from hromada.core.models import IdempotencyKey


class Command(BaseCommand):
    help = (
        "Forget idempotency keys older than IDEMPOTENCY_KEY_DAYS. Safe to run any number of times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - datetime.timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)
        deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Idempotency keys forgotten: {deleted}.")
