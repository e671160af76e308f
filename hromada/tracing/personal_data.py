"""Personal data in tracing: person records (kept until their own "keep until" date) and the
inquirer's name and contact (a year after the inquiry closed).

The person sought is not asked for consent: tracing holds their data in their vital interest.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.core.privacy import ANONYMISE, DELETE, Hold, Kind, Person, _any, scrub_history
from hromada.tracing.models import Inquiry, Match, Note, PersonRecord
from hromada.tracing.names import index

OPEN = [Inquiry.Status.OPEN, Inquiry.Status.POSSIBLE_MATCH, Inquiry.Status.CONFIRMED]

# A record that a closed inquiry still points at is anonymised, not deleted.
RECORD_BLANK: dict[str, Any] = {
    "given_name": "", "family_name": "", "patronymic": "", "other_names": "",
    "birth_date": None, "last_seen_place": "", "last_seen_circumstances": "",
    "current_location": "", "description": "", "photo": "", "source_ref": "", "contact": "",
    "disclosure_to": "",
}  # fmt: skip


def _records(person: Person) -> Q | None:
    """By name and year of birth (a name alone finds namesakes), or by the contact kept on it."""
    by_name = None
    if person.name and person.birth_year:
        by_name = person.name_q("given_name", "family_name", "patronymic", "other_names")
        if by_name is not None:
            by_name &= Q(birth_year=person.birth_year) | Q(birth_date__year=person.birth_year)
    return _any([by_name, person.phone_q("contact"), person.email_q("contact", exact=False)])


def _past_expiry(now: datetime.datetime, days: int) -> QuerySet[PersonRecord]:
    return PersonRecord.objects.filter(
        expiry_date__lt=timezone.localdate(now) - datetime.timedelta(days=days)
    )


def _erase_records(pks: list[Any]) -> int:
    index.unindex_records(pks)
    matches = Match.objects.filter(Q(left_id__in=pks) | Q(right_id__in=pks))
    match_ids = list(matches.values_list("pk", flat=True))
    matches.delete()
    history = scrub_history(Match, match_ids, None)
    rows = PersonRecord.objects.filter(pk__in=pks)
    for record in rows.exclude(photo=""):
        record.photo.delete(save=False)
    pointed_at = set(
        rows.filter(Q(inquiry__isnull=False) | Q(answered_inquiries__isnull=False)).values_list(
            "pk", flat=True
        )
    )
    Note.objects.filter(record_id__in=pointed_at).delete()
    PersonRecord.objects.filter(pk__in=pointed_at).update(**RECORD_BLANK)
    history += scrub_history(PersonRecord, list(pointed_at), RECORD_BLANK)
    rest = [pk for pk in pks if pk not in pointed_at]
    Note.objects.filter(record_id__in=rest).delete()
    if rest:
        # One statement, not Django's delete: that writes a history row per record (its
        # post_delete signal), only for us to delete it again (a million records expire on the
        # same day when a list was imported at once). The name postings went with unindex;
        # the rows that point here with a constraint (inquiries, disclosures, transfers) hold
        # the record, so a forgotten one fails loudly rather than leaving orphans.
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(PersonRecord._meta.db_table)
            marks = ", ".join(["%s"] * len(rest))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", rest)  # noqa: S608
    return history + scrub_history(PersonRecord, rest, None)


def _inquirers(person: Person) -> Q | None:
    return _any(
        [
            person.name_q("inquirer_name") if person.name else None,
            person.phone_q("inquirer_contact"),
            person.email_q("inquirer_contact", exact=False),
        ]
    )


def _closed_long_ago(now: datetime.datetime, days: int) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(
        status=Inquiry.Status.CLOSED, updated_at__lt=now - datetime.timedelta(days=days)
    )


KINDS = [
    Kind(
        key="tracing.record",
        model=PersonRecord,
        fields=(
            "given_name",
            "family_name",
            "patronymic",
            "other_names",
            "sex",
            "birth_date",
            "birth_year",
            "status",
            "last_seen_place",
            "last_seen_at",
            "last_seen_circumstances",
            "current_location",
            "description",
            "photo",
            "source",
            "source_ref",
            "contact",
            "disclosure",
            "disclosure_to",
            "expiry_date",
            "created_at",
        ),
        find=_records,
        erase=DELETE,
        done=Q(given_name="", family_name="", patronymic="", other_names="", contact=""),
        days=0,
        expired=_past_expiry,
        files=("photo",),
        erase_rows=_erase_records,
        holds=[
            Hold(
                _("An open inquiry is looking for this person."),
                lambda now: Q(inquiry__status__in=OPEN) | Q(answered_inquiries__status__in=OPEN),
            ),
            Hold(_("A caseworker holds it."), lambda now: ~Q(hold_reason="")),
            Hold(
                _("What was passed on about the person stays on record (a disclosure)."),
                lambda now: Q(disclosures__isnull=False),
            ),
            Hold(
                _("It was transferred to a national information bureau or the ICRC."),
                lambda now: Q(transfers__isnull=False) | Q(transferred_at__isnull=False),
            ),
        ],
    ),
    Kind(
        key="tracing.inquirer",
        model=Inquiry,
        fields=(
            "reference",
            "inquirer_name",
            "inquirer_contact",
            "inquirer_relationship",
            "inquirer_country",
            "message",
            "status",
            "created_at",
            "consent_at",
            "consent_version",
        ),
        find=_inquirers,
        erase=ANONYMISE,
        blank={
            "inquirer_name": "",
            "inquirer_contact": "",
            "inquirer_relationship": "",
            "inquirer_country": "",
            "message": "",
        },
        days=365,
        expired=_closed_long_ago,
    ),
]
