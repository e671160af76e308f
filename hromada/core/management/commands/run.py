"""Serve Hromada with granian (WSGI) and run the task worker beside it."""

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from hromada.core import demo


class Command(BaseCommand):
    help = "Serve Hromada with granian and run the background worker, until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the task worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A service manager stops us with SIGTERM: unwind through `finally`, stopping the children.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        python = sys.executable
        web = [
            python,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "hromada.wsgi:application",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(settings.WEB_THREADS),
            "--no-ws",
            # A web process that dies (the kernel's OOM killer, a crash in a C library) is
            # started again in a second; the others keep serving meanwhile.
            "--respawn-failed-workers",
            "--respawn-interval",
            "1",
            "--log-level",
            "warning",
        ]
        children = [subprocess.Popen(web)]  # noqa: S603 -- our own interpreter and arguments
        if not options["no_worker"]:
            children.append(subprocess.Popen([python, "-m", "hromada", "worker"]))  # noqa: S603
        host = "127.0.0.1" if options["host"] in {"0.0.0.0", "::"} else options["host"]  # noqa: S104  # nosec B104
        self.stdout.write(
            f"\nHromada is running at http://{host}:{options['port']}/  (Ctrl-C stops it)"
        )
        if demo.is_loaded():
            self.stdout.write(demo.logins_text())
        try:
            while all(child.poll() is None for child in children):
                try:
                    children[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            sys.exit(failed[0])
