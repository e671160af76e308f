from __future__ import annotations

from typing import Any

from hromada.tracing import services
from hromada.tracing.models import Inquiry, Match, PersonRecord, Source
from hromada.tracing.names import index


def make_record(**overrides: Any) -> PersonRecord:
    """A record filed in the name index, as every door files it."""
    fields: dict[str, Any] = {
        "family_name": "Шевченко",
        "given_name": "Олександр",
        "source": Source.HOSPITAL,
        "status": "injured",
    }
    fields.update(overrides)
    record = PersonRecord(**fields)
    services._prepare(record)
    record.save()
    index.reindex(record)
    return record


def make_inquiry(**overrides: Any) -> Inquiry:
    fields: dict[str, Any] = {
        "inquirer_name": "Maria Shevchenko",
        "inquirer_contact": "+1 416 555 0101",
        "inquirer_country": "Canada",
        "given_name": "Oleksandr",
        "family_name": "Shevchenko",
        "birth_year": 1987,
    }
    fields.update(overrides)
    inquiry, _created = services.file_inquiry(None, **fields)
    # What the task does after the commit (tests never commit): see test_services for the task.
    services.propose_matches(inquiry)
    return Inquiry.objects.select_related("sought").get(pk=inquiry.pk)


def make_match(*, inquiry: Inquiry | None = None, right: PersonRecord | None = None,
               **overrides: Any) -> Match:  # fmt: skip
    inquiry = inquiry or make_inquiry()
    right = right or make_record()
    fields: dict[str, Any] = {
        "score": 0.9,
        "reasons": [{"kind": "birth", "diff": 0, "record": 1987}],
    }
    fields.update(overrides)
    match, _created = Match.objects.get_or_create(
        left=inquiry.sought, right=right, defaults={"inquiry": inquiry, **fields}
    )
    return match
