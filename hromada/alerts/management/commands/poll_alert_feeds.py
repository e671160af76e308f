from typing import Any

from django.core.management.base import BaseCommand

from hromada.alerts import feeds
from hromada.alerts.models import Feed


class Command(BaseCommand):
    help = "Read the configured external CAP feeds once and re-broadcast what is new."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--feed", type=int, help="Only this feed (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["feed"]:
            feed = Feed.objects.get(pk=options["feed"])
            self.stdout.write(f"{feed.name}: {feeds.poll_feed(feed)}")
        else:
            self.stdout.write(feeds.poll_all())
