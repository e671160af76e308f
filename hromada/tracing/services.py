"""Every rule of family tracing. Pages, the API, commands and tasks change state only here.

- Anyone may file an inquiry; they get a reference and nothing else.
- Only caseworkers search, read records and inquiries (each read is audited), decide matches
  and record disclosures.
- A found person's refusal is enforced here, in ``record_disclosure``, not in a template.
- Detained or killed combatants are never disclosed one by one: they are transferred as a
  batch to a competent bureau (``transfer_combatants``).
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.core import privacy
from hromada.core.idempotency import create_once
from hromada.core.services import record_event
from hromada.lib import ratelimit
from hromada.tracing import exchange
from hromada.tracing.models import (
    Disclosure,
    DisclosureRecord,
    Inquiry,
    Match,
    PersonRecord,
    PersonStatus,
    Source,
    Transfer,
    default_expiry,
)
from hromada.tracing.names import index
from hromada.tracing.names.phonetic import similarity, tokens
from hromada.tracing.names.translit import script_of
from hromada.tracing.permissions import is_caseworker

PROPOSE_AT = 0.72  # a candidate scoring this much goes to the caseworkers' queue
PROPOSE_MAX = 10
NAME_FIELDS = {"given_name", "family_name", "patronymic", "other_names", "birth_year"}
NAME_FIELDS |= {"birth_date", "age_estimate"}
RECORD_EDITABLE = {
    "given_name", "family_name", "patronymic", "other_names", "name_script", "sex",
    "birth_date", "birth_year", "age_estimate", "status", "is_combatant", "last_seen_place",
    "last_seen_at", "last_seen_circumstances", "current_location", "description", "photo",
    "source", "source_ref", "source_organization", "contact", "disclosure", "disclosure_to",
    "expiry_date", "hold_reason",
}  # fmt: skip


RateLimited = ratelimit.RateLimited


def _require_caseworker(actor: Any) -> None:
    if not is_caseworker(actor):
        raise PermissionDenied(_("Only caseworkers may do this."))


def _validate_record(record: PersonRecord) -> None:
    errors: dict[str, list[str]] = {}
    if not (record.given_name.strip() or record.family_name.strip()):
        errors["family_name"] = [_("Give at least a family name or a given name.")]
    this_year = timezone.localdate().year
    if record.birth_year and record.birth_year > this_year:
        errors.setdefault("birth_year", []).append(_("This year is in the future."))
    if record.birth_date and record.birth_date > timezone.localdate():
        errors.setdefault("birth_date", []).append(_("This date is in the future."))
    if record.birth_date and record.birth_year and record.birth_date.year != record.birth_year:
        errors.setdefault("birth_year", []).append(_("The year and the date of birth differ."))
    if record.disclosure == Disclosure.FAMILY and not record.disclosure_to.strip():
        errors.setdefault("disclosure_to", []).append(
            _("Name the family members the person agreed may be told.")
        )
    try:
        record.full_clean(exclude=["created_by", "photo", *errors])
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _index_one(record: PersonRecord) -> None:
    index.reindex(record)


def _prepare(record: PersonRecord) -> None:
    for name in ("given_name", "family_name", "patronymic", "other_names"):
        setattr(record, name, " ".join(getattr(record, name).split()))
    if not record.name_script:
        record.name_script = script_of(record.name_text())
    if record.birth_date and not record.birth_year:
        record.birth_year = record.birth_date.year
    if record.expiry_date is None:
        record.expiry_date = default_expiry()


@transaction.atomic
def create_record(
    actor: Any, *, idempotency_key: str | None = None, **fields: Any
) -> tuple[PersonRecord, bool]:
    """A caseworker records a person (a field report, a hospital's call). Returns (record,
    created); a replay with the same key returns the first record."""
    _require_caseworker(actor)
    unknown = set(fields) - RECORD_EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")

    def create() -> PersonRecord:
        record = PersonRecord(created_by=actor, **fields)
        record.source = record.source or Source.FIELD
        _prepare(record)
        _validate_record(record)
        record.save()
        _index_one(record)
        return record

    return create_once(
        scope="tracing.record.create",
        key=idempotency_key,
        actor=actor,
        model=PersonRecord,
        create=create,
    )


@transaction.atomic
def update_record(actor: Any, record: PersonRecord, **changes: Any) -> PersonRecord:
    _require_caseworker(actor)
    unknown = set(changes) - RECORD_EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(record, name, value)
    _prepare(record)
    _validate_record(record)
    record.save()
    if NAME_FIELDS & set(changes):
        _index_one(record)
    return record


INQUIRY_FIELDS = {
    "inquirer_name", "inquirer_contact", "inquirer_relationship", "inquirer_country",
    "message", "language",
}  # fmt: skip
SOUGHT_FIELDS = {
    "given_name", "family_name", "patronymic", "other_names", "sex", "birth_year",
    "last_seen_place", "last_seen_at", "last_seen_circumstances", "description",
}  # fmt: skip


@transaction.atomic
def file_inquiry(
    actor: Any, *, ip: str | None = None, idempotency_key: str | None = None, **fields: Any
) -> tuple[Inquiry, bool]:
    """Anyone asks for a person. The inquiry gets a reference; matching runs after commit.
    A few an hour from one connection (``ip``; see ``hromada.lib.ratelimit``)."""
    ratelimit.check("inquiry", actor=actor, ip=ip)
    # The inquirer's consent to keep their name and contact (the form asks; core.privacy).
    consent = privacy.consent_fields("tracing_inquirer", bool(fields.pop("consent", False)))
    unknown = set(fields) - INQUIRY_FIELDS - SOUGHT_FIELDS
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    inquiry_fields = {k: v for k, v in fields.items() if k in INQUIRY_FIELDS}
    sought_fields = {k: v for k, v in fields.items() if k in SOUGHT_FIELDS}
    author = actor if getattr(actor, "is_authenticated", False) else None

    def create() -> Inquiry:
        errors: dict[str, list[str]] = {}
        if not str(inquiry_fields.get("inquirer_name", "")).strip():
            errors["inquirer_name"] = [_("Tell us your name, so that we can answer you.")]
        if not str(inquiry_fields.get("inquirer_contact", "")).strip():
            errors["inquirer_contact"] = [_("Tell us how to reach you.")]
        sought = PersonRecord(
            source=Source.INQUIRY, status=PersonStatus.MISSING, created_by=author, **sought_fields
        )
        _prepare(sought)
        try:
            _validate_record(sought)
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        sought.save()
        inquiry = Inquiry(sought=sought, **inquiry_fields, **consent)
        inquiry.full_clean(exclude=["sought"])
        inquiry.save()
        _index_one(sought)
        transaction.on_commit(lambda: _enqueue_matching(inquiry.pk))
        return inquiry

    return create_once(
        scope="tracing.inquiry.create",
        key=idempotency_key,
        actor=actor,
        model=Inquiry,
        create=create,
    )


def _enqueue_matching(inquiry_id: int) -> None:
    # Imported here: tasks import this module.
    from hromada.tracing.tasks import match_inquiry

    match_inquiry.enqueue(inquiry_id)


def query_for(record: PersonRecord, exclude: set[int] | None = None) -> index.Query:
    return index.Query(
        text=record.name_text(),
        birth_year=record.known_birth_year,
        sex=record.sex,
        place=record.last_seen_place,
        exclude=frozenset({record.pk, *(exclude or set())}),
    )


@transaction.atomic
def propose_matches(inquiry: Inquiry) -> int:
    """Search for the inquiry's person and queue the likely records. Safe to run again:
    a pair already proposed (or decided) is never proposed twice."""
    sought = inquiry.sought
    hits = index.search(query_for(sought), limit=PROPOSE_MAX)
    made = 0
    for hit in hits:
        if hit.score < PROPOSE_AT:
            continue
        _match, created = Match.objects.get_or_create(
            left=sought,
            right_id=hit.record_id,
            defaults={"inquiry": inquiry, "score": hit.score, "reasons": hit.reasons},
        )
        made += int(created)
    if made and inquiry.status == Inquiry.Status.OPEN:
        inquiry.status = Inquiry.Status.POSSIBLE_MATCH
        inquiry.save(update_fields=["status", "updated_at"])
    return made


def search_records(
    actor: Any,
    *,
    q: str,
    birth_year: int | None = None,
    sex: str = "",
    place: str = "",
    limit: int = 10,
    request: HttpRequest | None = None,
) -> list[index.Hit]:
    """A caseworker's search by name. Rate-limited per user; every search is audited."""
    _require_caseworker(actor)
    if not tokens(q):
        raise ValidationError({"q": [_("Type at least two letters of a name.")]})
    ratelimit.check("tracing-search", actor=actor)
    hits = index.search(
        index.Query(text=q, birth_year=birth_year, sex=sex, place=place), limit=limit
    )
    record_event(
        "tracing.searched",
        actor=actor,
        request=request,
        q=q,
        birth_year=birth_year,
        sex=sex,
        place=place,
        results=[h.record_id for h in hits],
    )
    return hits


def read_record(actor: Any, record: PersonRecord, *, request: HttpRequest | None = None) -> None:
    """Write the caseworker's reading of a record to the audit log."""
    _require_caseworker(actor)
    record_event("tracing.record.viewed", actor=actor, obj=record, request=request)


def read_inquiry(actor: Any, inquiry: Inquiry, *, request: HttpRequest | None = None) -> None:
    _require_caseworker(actor)
    record_event("tracing.inquiry.viewed", actor=actor, obj=inquiry, request=request)


@transaction.atomic
def decide_match(
    actor: Any, match: Match, *, confirm: bool, note: str = "", request: HttpRequest | None = None
) -> Match:
    """Confirm or reject a proposed match. Confirming an inquiry's match answers it."""
    _require_caseworker(actor)
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("This match was already decided."))
    match.status = Match.Status.CONFIRMED if confirm else Match.Status.REJECTED
    match.decided_by = actor
    match.decided_at = timezone.now()
    match.note = note.strip()
    match.save()
    inquiry = match.inquiry
    if inquiry is not None:
        if confirm:
            inquiry.status = Inquiry.Status.CONFIRMED
            inquiry.found = match.right
            inquiry.save(update_fields=["status", "found", "updated_at"])
        elif (
            inquiry.status == Inquiry.Status.POSSIBLE_MATCH
            and not inquiry.matches.filter(status=Match.Status.PROPOSED).exists()
        ):
            inquiry.status = Inquiry.Status.OPEN
            inquiry.save(update_fields=["status", "updated_at"])
    record_event(
        "tracing.match.confirmed" if confirm else "tracing.match.rejected",
        actor=actor,
        obj=match,
        request=request,
    )
    return match


def _names_agree(recipient: str, allowed: str) -> bool:
    """Is the recipient one of the people named in ``allowed`` (any spelling)?"""
    wanted = tokens(recipient)
    for person in allowed.replace(";", ",").split(","):
        names = tokens(person)
        if names and wanted and all(max(similarity(n, w) for w in wanted) >= 0.85 for n in names):
            return True
    return False


@transaction.atomic
def record_disclosure(
    actor: Any,
    *,
    record: PersonRecord,
    what: str,
    recipient: str,
    basis: str,
    inquiry: Inquiry | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> DisclosureRecord:
    """Record that something about a person was passed on, if it may be.

    Whereabouts or contact of a living person are passed on only with their agreement: never
    where they refused, only to the people they named where they named some, and for a
    minor only to a verified guardian. Detained or killed combatants are transferred to a
    bureau, never disclosed one by one.
    """
    _require_caseworker(actor)
    errors: dict[str, list[str]] = {}
    if what not in DisclosureRecord.What.values:
        errors["what"] = [_("Choose what was passed on.")]
    if basis not in DisclosureRecord.Basis.values:
        errors["basis"] = [_("Choose the basis.")]
    if not recipient.strip():
        errors["recipient"] = [_("Say to whom.")]
    if errors:
        raise ValidationError(errors)
    if inquiry is not None and inquiry.found_id != record.pk:
        raise ValidationError(
            _("Confirm a match for this inquiry before passing anything on about the person.")
        )
    if record.is_protected_combatant:
        raise ValidationError(
            _(
                "Reports of detained or killed combatants are passed only to the national "
                "information bureau or the ICRC, as a transfer."
            )
        )
    whereabouts = what in (DisclosureRecord.What.LOCATION, DisclosureRecord.What.CONTACT)
    if what == DisclosureRecord.What.DEATH and record.status != PersonStatus.DECEASED:
        raise ValidationError({"what": [_("This person is not recorded as deceased.")]})
    if whereabouts and record.status != PersonStatus.DECEASED:
        if record.disclosure == Disclosure.REFUSED:
            raise ValidationError(
                {
                    "what": [
                        _(
                            "The person refused to have their whereabouts passed on. You may "
                            "tell the inquirer only that they were found."
                        )
                    ]
                }
            )
        if record.is_minor and basis != DisclosureRecord.Basis.GUARDIAN:
            raise ValidationError(
                {"basis": [_("A child's whereabouts go only to a verified guardian.")]}
            )
        if not record.is_minor and record.disclosure == Disclosure.NOT_ASKED:
            raise ValidationError(
                {
                    "what": [
                        _(
                            "Ask the person first whether their whereabouts may be passed on, "
                            "and record their answer."
                        )
                    ]
                }
            )
        if record.disclosure == Disclosure.FAMILY and not _names_agree(
            recipient, record.disclosure_to
        ):
            raise ValidationError(
                {
                    "recipient": [
                        _("The person agreed to tell only: %(names)s.")
                        % {"names": record.disclosure_to}
                    ]
                }
            )
    disclosure = DisclosureRecord.objects.create(
        inquiry=inquiry,
        record=record,
        what=what,
        recipient=recipient.strip(),
        basis=basis,
        note=note.strip(),
        disclosed_by=actor,
    )
    record_event(
        "tracing.disclosed",
        actor=actor,
        obj=record,
        request=request,
        what=what,
        recipient=recipient.strip(),
        basis=basis,
        inquiry=inquiry.reference if inquiry else "",
    )
    return disclosure


@transaction.atomic
def close_inquiry(
    actor: Any, inquiry: Inquiry, *, reason: str, request: HttpRequest | None = None
) -> Inquiry:
    _require_caseworker(actor)
    if reason not in Inquiry.CloseReason.values:
        raise ValidationError({"reason": [_("Choose why the inquiry is closed.")]})
    if inquiry.status == Inquiry.Status.CLOSED:
        return inquiry
    inquiry.status = Inquiry.Status.CLOSED
    inquiry.close_reason = reason
    inquiry.save(update_fields=["status", "close_reason", "updated_at"])
    record_event("tracing.inquiry.closed", actor=actor, obj=inquiry, request=request, reason=reason)
    return inquiry


def combatants_to_transfer() -> Any:
    return PersonRecord.objects.filter(is_combatant=True, transferred_at__isnull=True).exclude(
        status__in=[PersonStatus.ALIVE, PersonStatus.INJURED, PersonStatus.DISPLACED]
    )


@transaction.atomic
def transfer_combatants(
    actor: Any,
    *,
    recipient: str,
    fmt: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> tuple[Transfer, bytes]:
    """Hand every untransferred combatant record to a bureau as one file; record the
    transfer with the file's digest. Returns the transfer and the file."""
    _require_caseworker(actor)
    if recipient not in Transfer.Recipient.values:
        raise ValidationError({"recipient": [_("Choose the recipient.")]})
    if fmt not in Transfer.Format.values:
        raise ValidationError({"format": [_("Choose PFIF or CSV.")]})
    records = list(combatants_to_transfer().select_for_update().order_by("pk"))
    if not records:
        raise ValidationError(_("There are no combatant records waiting to be transferred."))
    content = (
        exchange.pfif_document(records, full=True)
        if fmt == Transfer.Format.PFIF
        else exchange.csv_document(records, full=True)
    )
    transfer = Transfer.objects.create(
        recipient=recipient,
        format=fmt,
        count=len(records),
        sha256=hashlib.sha256(content).hexdigest(),
        note=note.strip(),
        created_by=actor,
    )
    transfer.records.set(records)
    PersonRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        transferred_at=timezone.now()
    )
    record_event(
        "tracing.transferred",
        actor=actor,
        obj=transfer,
        request=request,
        recipient=recipient,
        records=len(records),
        sha256=transfer.sha256,
    )
    return transfer, content


def expire_records(today: datetime.date | None = None) -> int:
    """Delete records past their keep-until date that no inquiry, match or disclosure needs.
    Safe to run any number of times."""
    today = today or timezone.localdate()
    expired = PersonRecord.objects.filter(expiry_date__lt=today, inquiry__isnull=True).exclude(
        pk__in=DisclosureRecord.objects.values("record")
    )
    expired = expired.exclude(answered_inquiries__isnull=False).exclude(transfers__isnull=False)
    ids = list(expired.values_list("pk", flat=True))
    with transaction.atomic():
        index.unindex_records(ids)
        Match.objects.filter(left_id__in=ids).delete()
        Match.objects.filter(right_id__in=ids).delete()
        PersonRecord.objects.filter(pk__in=ids).delete()
    return len(ids)
