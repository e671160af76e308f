from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hromada.core import two_factor
from hromada.core.models import User


class Command(BaseCommand):
    help = (
        "Forget a user's authenticator and recovery codes (a lost phone). They set up a new "
        "one at their next sign-in. Written to the audit log."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit log).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(f"No user {options['username']!r}.") from error
        removed = two_factor.reset(user, reason=options["reason"])
        self.stdout.write(f"{user.username}: {removed} second-factor devices forgotten.")
