import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hromada.core import periodic


class Command(BaseCommand):
    help = "Run background tasks from the database queue, and the periodic jobs, until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--tick", type=float, default=20.0, help="Seconds between periodic checks."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tick = options["tick"]

        def schedule() -> None:
            while True:
                periodic.run_due()
                close_old_connections()  # this thread's connection must not go stale between ticks
                time.sleep(tick)

        threading.Thread(target=schedule, name="hromada-periodic", daemon=True).start()
        call_command("db_worker", interval=1.0)
