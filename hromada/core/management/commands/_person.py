"""What person_export and person_erase share: whom to look for, and who asks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from hromada.core.models import User
from hromada.core.privacy import Person


def add_person_arguments(parser: CommandParser) -> None:
    parser.add_argument("--user", help="The username of an account (with its e-mail and phone).")
    parser.add_argument("--phone", default="")
    parser.add_argument("--email", default="")
    parser.add_argument("--name", default="", help="A full name, any order of words.")
    parser.add_argument(
        "--birth-year", type=int, help="With --name: finds tracing records (a name alone does not)."
    )
    parser.add_argument("--reason", required=True, help="Why: written to the audit log.")
    parser.add_argument(
        "--by", help="The username of who asks for it (the audit log's actor); default: nobody."
    )


def person_from(options: dict[str, Any]) -> Person:
    user = None
    if options.get("user"):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
    base = Person.of_user(user) if user is not None else Person()
    person = Person(
        user=base.user,
        phone=options.get("phone") or base.phone,
        email=options.get("email") or base.email,
        name=options.get("name") or base.name,
        birth_year=options.get("birth_year"),
        telegram_ids=base.telegram_ids,
    )
    if person.is_empty:
        raise CommandError("Say whom to look for: --user, --phone, --email or --name.")
    return person


def actor_from(options: dict[str, Any]) -> User | None:
    if not options.get("by"):
        return None
    actor = User.objects.filter(username=options["by"]).first()
    if actor is None:
        raise CommandError(f"No user named {options['by']!r}.")
    return actor
