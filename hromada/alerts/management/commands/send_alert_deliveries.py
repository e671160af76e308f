from typing import Any

from django.core.management.base import BaseCommand

from hromada.alerts import delivery


class Command(BaseCommand):
    help = "Send alert deliveries that are due (retries included); safe to run any number of times."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Alert deliveries: {delivery.retry_due()}")
