"""Every rule that changes situation reports. Pages, the API, the bot and tasks change
sources, documents, claims, incidents, media, verifications and sitreps only through here.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.aid.models import Need
from hromada.core import permissions as core_permissions
from hromada.core.idempotency import create_once
from hromada.core.models import Area, Organization, Role, Sensitivity
from hromada.lib import ratelimit
from hromada.lib.crashpoints import crashpoint
from hromada.reports import archive, geo, imaging, metrics, selectors
from hromada.reports.figures import Figure, FigureError, parse_breakdown
from hromada.reports.models import (
    Claim,
    Document,
    Incident,
    IncidentAlias,
    IncidentDocument,
    MediaItem,
    MediaLink,
    NotDuplicate,
    Party,
    Sitrep,
    SitrepSnapshot,
    Source,
    Verification,
)
from hromada.reports.permissions import is_analyst, may_manage_sitrep
from hromada.reports.reconciliation import incident_tally, series

MAX_UPLOAD = 25 * 1024 * 1024
# Reports an anonymous visitor may send from one address in an hour.
ANONYMOUS_REPORTS_PER_HOUR = ratelimit.DEFAULTS["incident-report"][0]
# Clock skew we forgive: a figure "as of" a few minutes from now is a phone's clock.
FUTURE_SKEW = datetime.timedelta(hours=1)


def _require_analyst(actor: Any) -> None:
    if not is_analyst(actor):
        raise PermissionDenied(_("Only analysts may change the situation record."))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _full_clean(obj: Any, errors: dict[str, list[str]], exclude: Iterable[str] = ()) -> None:
    """Run the model's own checks and raise everything found, field by field."""
    try:
        obj.full_clean(exclude=[*exclude, *errors], validate_unique=False)
    except ValidationError as e:
        for field, messages in e.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _apply(obj: Any, changes: dict[str, Any], editable: set[str]) -> None:
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(obj, field, value.strip() if isinstance(value, str) else value)


# Sources ---------------------------------------------------------------------------------

SOURCE_FIELDS = {
    "name_uk", "name_en", "kind", "party", "scale", "independence_group", "methodology_url",
    "reliability", "recorder_for", "note",
}  # fmt: skip


def _validate_source(source: Source) -> None:
    errors: dict[str, list[str]] = {}
    if not (source.name_uk.strip() or source.name_en.strip()):
        errors["name_uk"] = [_("Give the source's name in Ukrainian or in English.")]
    unknown = [code for code in source.recorder_for if code not in metrics.METRICS]
    if unknown:
        errors["recorder_for"] = [_("Unknown metric: %(codes)s") % {"codes": ", ".join(unknown)}]
    _full_clean(source, errors, exclude=["created_by"])


@transaction.atomic
def create_source(
    actor: Any, *, idempotency_key: str | None = None, **fields: Any
) -> tuple[Source, bool]:
    _require_analyst(actor)

    def create() -> Source:
        source = Source(created_by=_user(actor))
        _apply(source, fields, SOURCE_FIELDS)
        _validate_source(source)
        source.save()
        return source

    return create_once(
        scope="reports.source.create", key=idempotency_key, actor=actor, model=Source, create=create
    )


@transaction.atomic
def update_source(actor: Any, source: Source, **changes: Any) -> Source:
    _require_analyst(actor)
    _apply(source, changes, SOURCE_FIELDS)
    _validate_source(source)
    source.save()
    return source


# Documents -------------------------------------------------------------------------------

DOCUMENT_FIELDS = {
    "url", "title", "published_at", "retrieved_at", "language", "excerpt", "translation",
    "cites_document", "cites_source",
}  # fmt: skip


def _origin_of(document: Document) -> Source:
    """Whom the document's figures come from: what it cites, followed back to the start."""
    if document.cites_source_id:
        return document.cites_source  # type: ignore[return-value]
    seen: set[int] = set()
    cited = document.cites_document
    while cited is not None and cited.pk not in seen:
        seen.add(cited.pk)
        if cited.cites_source_id:
            return cited.cites_source  # type: ignore[return-value]
        if cited.cites_document_id is None:
            return cited.source
        cited = cited.cites_document
    return document.source


def _validate_document(document: Document) -> None:
    errors: dict[str, list[str]] = {}
    if not (document.url or document.title or document.excerpt):
        errors["title"] = [_("Give at least a link, a title or the words of the source.")]
    if document.cites_document_id and document.cites_document_id == document.pk:
        errors["cites_document"] = [_("A document cannot cite itself.")]
    if document.cites_source_id and document.cites_source_id == document.source_id:
        errors["cites_source"] = [_("A document cannot cite its own source.")]
    now = timezone.now()
    if document.published_at and document.published_at > now + FUTURE_SKEW:
        errors["published_at"] = [_("This time is in the future.")]
    if document.retrieved_at and document.retrieved_at > now + FUTURE_SKEW:
        errors["retrieved_at"] = [_("This time is in the future.")]
    _full_clean(document, errors, exclude=["created_by", "origin", "archive"])


def _refresh_origins(document: Document) -> None:
    """A citation changed: the documents that cite this one may now repeat someone else."""
    stack, seen = [document], {document.pk}
    while stack:
        current = stack.pop()
        for citing in Document.objects.filter(cites_document=current).exclude(pk__in=seen):
            seen.add(citing.pk)
            origin = _origin_of(citing)
            if origin.pk != citing.origin_id:
                citing.origin = origin
                citing.save(update_fields=["origin", "updated_at"])
            stack.append(citing)


@transaction.atomic
def create_document(
    actor: Any,
    *,
    source: Source,
    archive_file: UploadedFile | None = None,
    idempotency_key: str | None = None,
    **fields: Any,
) -> tuple[Document, bool]:
    """Record a publication or statement. The excerpt is kept byte for byte as given."""
    _require_analyst(actor)
    excerpt = fields.pop("excerpt", "")

    def create() -> Document:
        document = Document(source=source, created_by=_user(actor), excerpt=excerpt)
        _apply(document, fields, DOCUMENT_FIELDS)
        document.origin = _origin_of(document)
        _validate_document(document)
        document.save()
        if archive_file is not None:
            _store_archive(document, archive_file.read(), archive_file.content_type or "")
        return document

    return create_once(
        scope="reports.document.create",
        key=idempotency_key,
        actor=actor,
        model=Document,
        create=create,
    )


@transaction.atomic
def update_document(actor: Any, document: Document, **changes: Any) -> Document:
    _require_analyst(actor)
    excerpt = changes.pop("excerpt", None)
    _apply(document, changes, DOCUMENT_FIELDS)
    if excerpt is not None:
        document.excerpt = excerpt
    document.origin = _origin_of(document)
    _validate_document(document)
    document.save()
    _refresh_origins(document)
    return document


@transaction.atomic
def retract_document(actor: Any, document: Document, *, note: str = "") -> Document:
    """The source withdrew it: the document and every figure in it are marked retracted
    (kept, for the record, and no longer counted)."""
    _require_analyst(actor)
    if document.retracted_at is None:
        document.retracted_at = timezone.now()
        document.retraction_note = note.strip()
        document.save(update_fields=["retracted_at", "retraction_note", "updated_at"])
        for claim in document.claims.exclude(source_status=Claim.SourceStatus.RETRACTED):
            claim.source_status = Claim.SourceStatus.RETRACTED
            claim.save(update_fields=["source_status", "updated_at"])
    return document


def _store_archive(document: Document, content: bytes, content_type: str) -> None:
    if len(content) > MAX_UPLOAD:
        raise ValidationError({"archive": [_("The file is larger than 25 MB.")]})
    digest = imaging.sha256_of([content])
    extension = mimetypes.guess_extension(content_type or "") or ".bin"
    document.archive.save(f"{digest}{extension}", ContentFile(content), save=False)
    document.archive_sha256 = digest
    document.archive_content_type = content_type or "application/octet-stream"
    document.archive_status = Document.ArchiveStatus.DONE
    document.archive_error = ""
    document.archived_at = timezone.now()
    document.save(
        update_fields=[
            "archive", "archive_sha256", "archive_content_type", "archive_status",
            "archive_error", "archived_at", "updated_at",
        ]
    )  # fmt: skip


@transaction.atomic
def upload_archive(actor: Any, document: Document, upload: UploadedFile) -> Document:
    """Keep a copy the analyst saved (a PDF, a screenshot) with its SHA-256."""
    _require_analyst(actor)
    if upload.size and upload.size > MAX_UPLOAD:
        raise ValidationError({"archive": [_("The file is larger than 25 MB.")]})
    _store_archive(document, upload.read(), upload.content_type or "")
    return document


@transaction.atomic
def request_archive(actor: Any, document: Document) -> Document:
    """Ask the worker to fetch the document's link and keep a copy (once)."""
    _require_analyst(actor)
    if not document.url:
        raise ValidationError({"url": [_("This document has no link to archive.")]})
    if document.archive_status in (Document.ArchiveStatus.PENDING, Document.ArchiveStatus.FETCHING):
        return document
    document.archive_status = Document.ArchiveStatus.PENDING
    document.archive_error = ""
    document.save(update_fields=["archive_status", "archive_error", "updated_at"])
    pk = document.pk
    transaction.on_commit(lambda: _enqueue_archive(pk))
    return document


def _enqueue_archive(pk: int) -> None:
    from hromada.reports.tasks import archive_document

    archive_document.enqueue(pk)


def fetch_archive(document_id: int) -> bool:
    """Fetch one pending archive copy if nobody else is. True when this call stored it."""
    claimed = Document.objects.filter(
        pk=document_id, archive_status=Document.ArchiveStatus.PENDING
    ).update(archive_status=Document.ArchiveStatus.FETCHING, archive_claimed_at=timezone.now())
    if not claimed:
        return False
    document = Document.objects.get(pk=document_id)
    try:
        fetched = archive.fetch(document.url)
    except archive.FetchError as error:
        Document.objects.filter(pk=document_id).update(
            archive_status=Document.ArchiveStatus.FAILED, archive_error=str(error)[:300]
        )
        return False
    with transaction.atomic():
        document.retrieved_at = document.retrieved_at or timezone.now()
        document.save(update_fields=["retrieved_at", "updated_at"])
        _store_archive(document, fetched.content, fetched.content_type)
    return True


def retry_stale_archives(now: datetime.datetime | None = None) -> int:
    """Give back fetches a crashed worker left half-done, and re-enqueue pending ones."""
    now = now or timezone.now()
    Document.objects.filter(
        archive_status=Document.ArchiveStatus.FETCHING,
        archive_claimed_at__lt=now - datetime.timedelta(minutes=10),
    ).update(archive_status=Document.ArchiveStatus.PENDING)
    pending = list(
        Document.objects.filter(archive_status=Document.ArchiveStatus.PENDING).values_list(
            "pk", flat=True
        )[:200]
    )
    for pk in pending:
        _enqueue_archive(pk)
    return len(pending)


# Claims ----------------------------------------------------------------------------------


def _validate_claim(claim: Claim) -> None:
    errors: dict[str, list[str]] = {}
    info = metrics.METRICS.get(claim.metric)
    if info is None:
        errors["metric"] = [_("Choose what the figure counts.")]
    elif info.about_party and claim.party_id is None:
        errors["party"] = [_("Say whose fighters this figure counts.")]
    elif not info.about_party and claim.party_id is not None:
        errors["party"] = [_("Only figures about combatants name a party.")]
    if claim.incident_id is not None:
        claim.area_id = claim.incident.area_id  # type: ignore[union-attr]
        if claim.control != Claim.Control.WHOLE:
            errors["control"] = [_("A figure about one incident covers the whole incident.")]
    if claim.measure == metrics.Measure.PERIOD and not (claim.period_start and claim.period_end):
        errors["period_start"] = [_("A figure for a period needs its first and last day.")]
    if claim.measure == metrics.Measure.SNAPSHOT and (claim.period_start or claim.period_end):
        errors["period_start"] = [_("A snapshot counts at one time; it has no period.")]
    if claim.period_start and claim.period_end and claim.period_start > claim.period_end:
        errors["period_end"] = [_("The period ends before it starts.")]
    if claim.as_of and claim.as_of > timezone.now() + FUTURE_SKEW:
        errors["as_of"] = [_("This time is in the future.")]
    if (
        claim.as_of
        and claim.period_start
        and claim.period_start > timezone.localtime(claim.as_of).date()
    ):
        errors["period_start"] = [_("The period starts after the figure's as-of time.")]
    if claim.low is None and claim.best is None and claim.high is None:
        errors["value_text"] = [_("Enter a figure, such as 28, at least 240 or between 20 and 30.")]
    if claim.document.is_retracted:
        errors["document"] = [_("This document was retracted; its figures are not counted.")]
    old = claim.supersedes
    if old is not None:
        if old.source_id != claim.source_id:
            errors["supersedes"] = [
                _("A figure replaces only an earlier figure of its own source.")
            ]
        elif (old.metric, old.party_id, old.incident_id, old.area_id, old.control) != (
            claim.metric, claim.party_id, claim.incident_id, claim.area_id, claim.control,
        ):  # fmt: skip
            errors["supersedes"] = [
                _("A figure replaces only an earlier figure of the same kind and scope.")
            ]
        elif (
            old.pk == claim.pk or Claim.objects.filter(supersedes=old).exclude(pk=claim.pk).exists()
        ):
            errors["supersedes"] = [_("That figure was already replaced.")]
        elif claim.as_of and old.as_of > claim.as_of:
            errors["supersedes"] = [_("A figure cannot replace a later one.")]
    _full_clean(claim, errors, exclude=["created_by", "source", "area", "part_of", "supersedes"])


def _figure_fields(figure: Figure) -> dict[str, Any]:
    return {
        "qualifier": figure.qualifier,
        "low": figure.low,
        "best": figure.best,
        "high": figure.high,
        "value_text": figure.words[:200],
    }


@transaction.atomic
def record_claim(
    actor: Any,
    *,
    document: Document,
    metric: str,
    as_of: datetime.datetime,
    basis: str,
    words: str = "",
    figure: Figure | None = None,
    party: Party | None = None,
    incident: Incident | None = None,
    area: Area | None = None,
    control: str = Claim.Control.WHOLE,
    measure: str | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    undercount: bool = False,
    caveat: str = "",
    supersedes: Claim | None = None,
    assessment: str = Claim.Assessment.UNREVIEWED,
    idempotency_key: str | None = None,
) -> tuple[Claim, bool]:
    """Record a figure from a document: typed as words ("at least 240 casualties
    including 64 dead") or as a ``Figure``. A breakdown in the words becomes figures of
    their own, each ``part_of`` the whole. Returns (the whole, created)."""
    _require_analyst(actor)
    parts: list[Any] = []
    if figure is None:
        try:
            figure, parts = parse_breakdown(words, metric)
        except FigureError as error:
            raise ValidationError({"value_text": [str(error)]}) from None

    def make(part_metric: str, part_figure: Figure, **extra: Any) -> Claim:
        info = metrics.METRICS.get(part_metric)
        claim = Claim(
            document=document,
            source_id=document.source_id,
            metric=part_metric,
            # The whole keeps what it was given (and is refused if wrong); a part names a
            # party only when it counts fighters.
            party=party if part_metric == metric or (info and info.about_party) else None,
            incident=incident,
            area=incident.area if incident is not None else area,
            control=control,
            measure=measure or (info.measure if info else metrics.Measure.CUMULATIVE),
            period_start=period_start,
            period_end=period_end,
            as_of=as_of,
            basis=basis,
            undercount=undercount,
            caveat=caveat.strip(),
            assessment=assessment,
            created_by=_user(actor),
            **_figure_fields(part_figure),
            **extra,
        )
        _validate_claim(claim)
        claim.save()
        if claim.supersedes is not None:
            Claim.objects.filter(pk=claim.supersedes.pk).update(
                source_status=Claim.SourceStatus.CORRECTED, updated_at=timezone.now()
            )
        return claim

    def create() -> Claim:
        whole = make(metric, figure, supersedes=supersedes)
        for part in parts:
            make(part.metric, part.figure, part_of=whole)
        return whole

    return create_once(
        scope="reports.claim.create", key=idempotency_key, actor=actor, model=Claim, create=create
    )


@transaction.atomic
def correct_claim(
    actor: Any,
    claim: Claim,
    *,
    words: str,
    document: Document | None = None,
    as_of: datetime.datetime | None = None,
    idempotency_key: str | None = None,
) -> tuple[Claim, bool]:
    """The source corrected its figure (28, then 31): a new claim replaces the old one,
    which stays on record as corrected. The two are never added."""
    return record_claim(
        actor,
        document=document or claim.document,
        metric=claim.metric,
        as_of=as_of or claim.as_of,
        basis=claim.basis,
        words=words,
        party=claim.party,
        incident=claim.incident,
        area=claim.area,
        control=claim.control,
        measure=claim.measure,
        period_start=claim.period_start,
        period_end=claim.period_end,
        undercount=claim.undercount,
        caveat=claim.caveat,
        supersedes=claim,
        idempotency_key=idempotency_key,
    )


@transaction.atomic
def retract_claim(actor: Any, claim: Claim, *, note: str = "") -> Claim:
    """The source withdrew this figure: kept for the audit, never counted again."""
    _require_analyst(actor)
    for row in [claim, *claim.parts.all()]:
        if row.source_status != Claim.SourceStatus.RETRACTED:
            row.source_status = Claim.SourceStatus.RETRACTED
            if note.strip():
                row.caveat = (row.caveat + "\n" if row.caveat else "") + note.strip()
            row.save(update_fields=["source_status", "caveat", "updated_at"])
    return claim


@transaction.atomic
def assess_claim(actor: Any, claim: Claim, *, assessment: str, caveat: str | None = None) -> Claim:
    _require_analyst(actor)
    if assessment not in Claim.Assessment.values:
        raise ValidationError({"assessment": [_("Choose an assessment.")]})
    claim.assessment = assessment
    if caveat is not None:
        claim.caveat = caveat.strip()
    _full_clean(claim, {}, exclude=["created_by", "source", "area", "part_of", "supersedes"])
    claim.save(update_fields=["assessment", "caveat", "updated_at"])
    return claim


# Incidents -------------------------------------------------------------------------------

INCIDENT_REPORT_FIELDS = {
    "kind", "occurred_earliest", "occurred_latest", "time_precision", "area", "place_text",
    "latitude", "longitude", "location_precision", "description", "infrastructure",
    "reporter_contact",
}  # fmt: skip
INCIDENT_FIELDS = (INCIDENT_REPORT_FIELDS - {"reporter_contact"}) | {
    "public_blur_m", "buildings_destroyed", "buildings_damaged", "review_note",
}  # fmt: skip


def window_for(
    day: datetime.date, time: datetime.time | None, precision: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """The earliest and latest possible time of what happened on ``day`` (local time),
    known to ``precision``: a day is the whole day; several days are the day and two
    before it; a week ends on the day; a month is the calendar month."""
    zone = timezone.get_current_timezone()

    def at(d: datetime.date, t: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(d, t), zone)

    end_of_day = datetime.time(23, 59, 59)
    if precision == Incident.TimePrecision.EXACT and time is not None:
        moment = at(day, time)
        return moment, moment
    if precision == Incident.TimePrecision.DAYS:
        return at(day - datetime.timedelta(days=2), datetime.time()), at(day, end_of_day)
    if precision == Incident.TimePrecision.WEEK:
        return at(day - datetime.timedelta(days=6), datetime.time()), at(day, end_of_day)
    if precision == Incident.TimePrecision.MONTH:
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return at(first, datetime.time()), at(following - datetime.timedelta(days=1), end_of_day)
    return at(day, datetime.time()), at(day, end_of_day)


def _validate_incident(incident: Incident) -> None:
    errors: dict[str, list[str]] = {}
    if incident.occurred_earliest and incident.occurred_latest:
        if incident.occurred_earliest > incident.occurred_latest:
            errors["occurred_latest"] = [_("The earliest time must not be after the latest.")]
        if incident.occurred_earliest > timezone.now() + FUTURE_SKEW:
            errors["occurred_earliest"] = [_("This time is in the future.")]
    if (incident.latitude is None) != (incident.longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if not isinstance(incident.infrastructure, list) or any(
        code not in Incident.Infrastructure.values for code in incident.infrastructure
    ):
        errors["infrastructure"] = [_("Choose from the listed kinds of infrastructure.")]
    else:
        incident.infrastructure = sorted(set(incident.infrastructure))
    _full_clean(incident, errors, exclude=["reported_by", "merged_into", "code"])


def check_report_rate(ip: str | None) -> None:
    """Anonymous visitors may report a few incidents an hour from one address."""
    ratelimit.check("incident-report", ip=ip)


@transaction.atomic
def report_incident(
    actor: Any,
    *,
    ip: str | None = None,
    idempotency_key: str | None = None,
    **fields: Any,
) -> tuple[Incident, bool]:
    """Anyone reports what happened. It enters unreviewed and is public only once an
    analyst publishes it. Analysts may give every field at once."""
    analyst = is_analyst(actor)
    allowed = INCIDENT_REPORT_FIELDS | (INCIDENT_FIELDS if analyst else set())
    if not getattr(actor, "is_authenticated", False):
        check_report_rate(ip)

    def create() -> Incident:
        incident = Incident(reported_by=_user(actor))
        _apply(incident, fields, allowed)
        incident.code = Incident.new_code(incident.occurred_latest or timezone.now())
        while (
            Incident.objects.filter(code=incident.code).exists()
            or IncidentAlias.objects.filter(code=incident.code).exists()
        ):
            incident.code = Incident.new_code(incident.occurred_latest)
        _validate_incident(incident)
        incident.save()
        return incident

    return create_once(
        scope="reports.incident.create",
        key=idempotency_key,
        actor=actor,
        model=Incident,
        create=create,
    )


@transaction.atomic
def update_incident(actor: Any, incident: Incident, **changes: Any) -> Incident:
    _require_analyst(actor)
    if incident.status == Incident.Status.MERGED:
        raise ValidationError(_("This incident was merged into another; change that one."))
    _apply(incident, changes, INCIDENT_FIELDS)
    _validate_incident(incident)
    incident.save()
    return incident


@transaction.atomic
def review_incident(
    actor: Any,
    incident: Incident,
    *,
    status: str,
    grade: str | None = None,
    note: str | None = None,
) -> Incident:
    """Publish, withdraw or send back an incident, and grade it."""
    _require_analyst(actor)
    allowed = (Incident.Status.REPORTED, Incident.Status.PUBLISHED, Incident.Status.WITHDRAWN)
    if incident.status == Incident.Status.MERGED:
        raise ValidationError(_("This incident was merged into another; review that one."))
    if status not in allowed:
        raise ValidationError({"status": [_("Publish, withdraw or keep it for review.")]})
    if grade is not None:
        if grade not in Incident.Grade.values:
            raise ValidationError({"grade": [_("Choose a grading.")]})
        incident.grade = grade
    if status == Incident.Status.PUBLISHED and incident.status != status:
        incident.published_at = timezone.now()
    incident.status = status
    if note is not None:
        incident.review_note = note.strip()
    incident.save()
    return incident


@transaction.atomic
def link_document(
    actor: Any, incident: Incident, document: Document, *, relation: str
) -> IncidentDocument:
    _require_analyst(actor)
    if relation not in IncidentDocument.Relation.values:
        raise ValidationError({"relation": [_("Does the document report or dispute it?")]})
    link, _created = IncidentDocument.objects.update_or_create(
        incident=incident, document=document, defaults={"relation": relation}
    )
    return link


def possible_duplicates(incident: Incident, *, limit: int = 5) -> list[tuple[Incident, float]]:
    """Incidents that may be this one: their time windows overlap and their places can be
    the same given both precisions (or, without coordinates, one area holds the other).
    Suggestions only: a person decides. The closest and same-kind come first."""
    dismissed = set(
        NotDuplicate.objects.filter(Q(first=incident) | Q(second=incident)).values_list(
            "first_id", "second_id"
        )
    )
    excluded = {incident.pk} | {pk for pair in dismissed for pk in pair}
    candidates = (
        Incident.objects.exclude(pk__in=excluded)
        .exclude(status__in=(Incident.Status.MERGED, Incident.Status.WITHDRAWN))
        .filter(
            occurred_earliest__lte=incident.occurred_latest,
            occurred_latest__gte=incident.occurred_earliest,
        )
        .select_related("area")
    )
    found: list[tuple[Incident, float]] = []
    for other in candidates[:500]:
        if incident.has_location and other.has_location:
            apart = geo.distance_m(
                float(incident.latitude), float(incident.longitude),  # type: ignore[arg-type]
                float(other.latitude), float(other.longitude),  # type: ignore[arg-type]
            )  # fmt: skip
            reach = incident.uncertainty_m + other.uncertainty_m
            if apart > reach:
                continue
            closeness = 1 - apart / reach
        else:
            a, b = incident.area.path, other.area.path
            if not (a.startswith(b) or b.startswith(a)):
                continue
            closeness = 0.25
        score = closeness + (0.5 if other.kind == incident.kind else 0)
        found.append((other, round(score, 3)))
    found.sort(key=lambda pair: -pair[1])
    return found[:limit]


@transaction.atomic
def dismiss_duplicate(actor: Any, incident: Incident, other: Incident) -> None:
    _require_analyst(actor)
    first, second = sorted([incident.pk, other.pk])
    NotDuplicate.objects.get_or_create(
        first_id=first, second_id=second, defaults={"decided_by": _user(actor)}
    )


@transaction.atomic
def merge_incidents(actor: Any, keep: Incident, duplicate: Incident) -> Incident:
    """One incident reported twice becomes one: the duplicate's documents, figures, media
    and codes move to ``keep`` (its code keeps working); it counts once from now on."""
    _require_analyst(actor)
    if keep.pk == duplicate.pk:
        raise ValidationError(_("An incident cannot be merged into itself."))
    if Incident.Status.MERGED in (keep.status, duplicate.status):
        raise ValidationError(_("One of these incidents was already merged."))
    for link in IncidentDocument.objects.filter(incident=duplicate):
        IncidentDocument.objects.get_or_create(
            incident=keep, document_id=link.document_id, defaults={"relation": link.relation}
        )
    IncidentDocument.objects.filter(incident=duplicate).delete()
    for media_link in MediaLink.objects.filter(incident=duplicate):
        MediaLink.objects.get_or_create(
            incident=keep,
            media_id=media_link.media_id,
            defaults={"relation": media_link.relation, "created_by": media_link.created_by},
        )
    MediaLink.objects.filter(incident=duplicate).delete()
    for claim in Claim.objects.filter(incident=duplicate):
        claim.incident = keep
        claim.area = keep.area
        claim.save(update_fields=["incident", "area", "updated_at"])
    IncidentAlias.objects.filter(incident=duplicate).update(incident=keep)
    IncidentAlias.objects.create(code=duplicate.code, incident=keep)
    keep.buildings_destroyed = (
        max(keep.buildings_destroyed or 0, duplicate.buildings_destroyed or 0)
        or keep.buildings_destroyed
    )
    keep.buildings_damaged = (
        max(keep.buildings_damaged or 0, duplicate.buildings_damaged or 0) or keep.buildings_damaged
    )
    keep.infrastructure = sorted(set(keep.infrastructure) | set(duplicate.infrastructure))
    keep.save()
    duplicate.status = Incident.Status.MERGED
    duplicate.merged_into = keep
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    return keep


def public_location(incident: Incident) -> tuple[float, float] | None:
    """The coordinates a visitor may see: coarsened to the blur radius, and never finer
    than the incident's own precision."""
    if not incident.has_location:
        return None
    radius = max(incident.public_blur_m, incident.uncertainty_m)
    return geo.blur(incident.latitude, incident.longitude, radius)  # type: ignore[arg-type]


# Media and verification ---------------------------------------------------------------

MEDIA_FIELDS = {"url", "platform", "uploader", "first_seen_at", "caption", "kind", "note"}
VERIFICATION_FIELDS = {
    "claimed", "latitude", "longitude", "geolocation_method", "geolocation_confidence",
    "time_earliest", "time_latest", "provenance", "manipulation", "status",
}  # fmt: skip


def _kind_of(content_type: str) -> str:
    major = content_type.split("/")[0]
    return major if major in ("image", "video", "audio") else MediaItem.Kind.OTHER


def _evidence_left(incident: Incident, without: MediaItem) -> bool:
    """Does anything but ``without`` still support the incident?"""
    other_media = (
        MediaLink.objects.filter(incident=incident, relation=MediaLink.Relation.SUPPORTS)
        .exclude(media=without)
        .filter(media__recycled_found_at__isnull=True)
        .exclude(
            media__verifications__status__in=(
                Verification.Status.FALSE,
                Verification.Status.MISLEADING,
            )
        )
    )
    documents = IncidentDocument.objects.filter(
        incident=incident,
        relation=IncidentDocument.Relation.REPORTS,
        document__retracted_at__isnull=True,
    )
    claims = Claim.objects.filter(incident=incident).exclude(
        source_status=Claim.SourceStatus.RETRACTED
    )
    return other_media.exists() or documents.exists() or claims.exists()


def _downgrade_incidents_of(media: MediaItem, reason: str) -> list[Incident]:
    """Incidents that rested on this media item alone go back to "reported", ungraded."""
    dropped = []
    for link in MediaLink.objects.filter(
        media=media, relation=MediaLink.Relation.SUPPORTS
    ).select_related("incident"):
        incident = link.incident
        if incident.status == Incident.Status.MERGED or _evidence_left(incident, media):
            continue
        if (
            incident.status == Incident.Status.REPORTED
            and incident.grade == Incident.Grade.UNASSESSED
        ):
            continue
        incident.status = Incident.Status.REPORTED
        incident.grade = Incident.Grade.UNASSESSED
        incident.review_note = (
            incident.review_note + "\n" if incident.review_note else ""
        ) + reason
        incident.save(update_fields=["status", "grade", "review_note", "updated_at"])
        dropped.append(incident)
    return dropped


def _mark_recycled(media: MediaItem, original: MediaItem | None) -> list[Incident]:
    media.recycled_of = original
    media.recycled_found_at = timezone.now()
    media.save(update_fields=["recycled_of", "recycled_found_at"])
    when = f" ({original.first_seen_at:%Y-%m-%d})" if original else ""
    return _downgrade_incidents_of(
        media,
        _("Its only evidence, media item #%(pk)s, is an older picture posted again%(when)s.")
        % {"pk": media.pk, "when": when},
    )


def find_copies(media: MediaItem) -> list[MediaItem]:
    """Other items with the same bytes or the same picture (perceptual hash)."""
    found = []
    if media.sha256:
        found += list(MediaItem.objects.filter(sha256=media.sha256).exclude(pk=media.pk))
    if media.phash:
        seen = {m.pk for m in found}
        for other in (
            MediaItem.objects.exclude(phash="")
            .exclude(pk=media.pk)
            .only("pk", "phash", "first_seen_at", "recycled_found_at")
        ):
            if other.pk not in seen and imaging.is_same_picture(media.phash, other.phash):
                found.append(other)
    return found


def _check_recycled(media: MediaItem) -> None:
    """The later of two copies of one picture is the recycled one; an incident that rested
    on it alone drops back to "reported"."""
    copies = find_copies(media)
    older = [c for c in copies if c.first_seen_at < media.first_seen_at]
    if older and media.recycled_found_at is None:
        _mark_recycled(media, min(older, key=lambda c: c.first_seen_at))
    for newer in (c for c in copies if c.first_seen_at > media.first_seen_at):
        if newer.recycled_found_at is None:
            _mark_recycled(MediaItem.objects.get(pk=newer.pk), media)


@transaction.atomic
def add_media(
    actor: Any,
    *,
    upload: UploadedFile | None = None,
    idempotency_key: str | None = None,
    **fields: Any,
) -> tuple[MediaItem, bool]:
    """Record a photo or video that circulates: its link and/or the file, fingerprinted
    (SHA-256 and a perceptual hash) and compared with everything seen before."""
    _require_analyst(actor)

    def create() -> MediaItem:
        media = MediaItem(created_by=_user(actor))
        _apply(media, fields, MEDIA_FIELDS)
        errors: dict[str, list[str]] = {}
        if upload is None and not media.url:
            errors["url"] = [_("Give the link, or upload the file.")]
        if upload is not None and upload.size and upload.size > MAX_UPLOAD:
            errors["file"] = [_("The file is larger than 25 MB.")]
        if media.first_seen_at and media.first_seen_at > timezone.now() + FUTURE_SKEW:
            errors["first_seen_at"] = [_("This time is in the future.")]
        _full_clean(media, errors, exclude=["created_by", "file", "recycled_of"])
        if upload is not None:
            content = upload.read()
            media.sha256 = imaging.sha256_of([content])
            media.phash = imaging.perceptual_hash(content)
            media.content_type = (upload.content_type or "application/octet-stream")[:100]
            media.original_filename = (upload.name or "")[:200]
            media.kind = _kind_of(media.content_type)
            extension = mimetypes.guess_extension(media.content_type) or ".bin"
            media.file.save(f"{media.sha256}{extension}", ContentFile(content), save=False)
        media.save()
        _check_recycled(media)
        return media

    return create_once(
        scope="reports.media.create",
        key=idempotency_key,
        actor=actor,
        model=MediaItem,
        create=create,
    )


@transaction.atomic
def mark_recycled(actor: Any, media: MediaItem, *, note: str = "") -> list[Incident]:
    """An analyst found the picture older elsewhere (a reverse image search)."""
    _require_analyst(actor)
    if note.strip():
        media.note = (media.note + "\n" if media.note else "") + note.strip()
        media.save(update_fields=["note"])
    if media.recycled_found_at is not None:
        return []
    return _mark_recycled(media, media.recycled_of)


@transaction.atomic
def link_media(actor: Any, media: MediaItem, incident: Incident, *, relation: str) -> MediaLink:
    _require_analyst(actor)
    if relation not in MediaLink.Relation.values:
        raise ValidationError({"relation": [_("Does it support or contradict the incident?")]})
    if incident.status == Incident.Status.MERGED:
        raise ValidationError({"incident": [_("This incident was merged into another.")]})
    link, _created = MediaLink.objects.update_or_create(
        media=media, incident=incident, defaults={"relation": relation, "created_by": _user(actor)}
    )
    return link


def _validate_verification(verification: Verification) -> None:
    errors: dict[str, list[str]] = {}
    if (verification.latitude is None) != (verification.longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if (
        verification.time_earliest
        and verification.time_latest
        and verification.time_earliest > verification.time_latest
    ):
        errors["time_latest"] = [_("The earliest time must not be after the latest.")]
    if verification.status in Verification.FINAL and verification.confirmed_by_id is None:
        errors["status"] = [_("A verdict needs a second reviewer: propose it instead.")]
    _full_clean(verification, errors, exclude=["created_by", "proposed_by", "confirmed_by"])


@transaction.atomic
def start_verification(
    actor: Any, media: MediaItem, *, idempotency_key: str | None = None, **fields: Any
) -> tuple[Verification, bool]:
    _require_analyst(actor)

    def create() -> Verification:
        verification = Verification(media=media, created_by=_user(actor))
        _apply(verification, fields, VERIFICATION_FIELDS)
        _validate_verification(verification)
        verification.save()
        return verification

    return create_once(
        scope="reports.verification.create",
        key=idempotency_key,
        actor=actor,
        model=Verification,
        create=create,
    )


@transaction.atomic
def update_verification(actor: Any, verification: Verification, **changes: Any) -> Verification:
    _require_analyst(actor)
    if verification.is_final:
        raise ValidationError(_("This verification has a confirmed verdict; start a new one."))
    _apply(verification, changes, VERIFICATION_FIELDS)
    _validate_verification(verification)
    verification.save()
    return verification


@transaction.atomic
def propose_verdict(actor: Any, verification: Verification, *, status: str) -> Verification:
    """One analyst proposes the final status; another must confirm it."""
    _require_analyst(actor)
    if verification.is_final:
        raise ValidationError(_("This verification has a confirmed verdict; start a new one."))
    if status not in Verification.FINAL:
        raise ValidationError(
            {"status": [_("Choose verified, false, misleading or inconclusive.")]}
        )
    verification.proposed_status = status
    verification.proposed_by = _user(actor)
    verification.proposed_at = timezone.now()
    if verification.status == Verification.Status.UNDETERMINED:
        verification.status = Verification.Status.IN_PROGRESS
    verification.save()
    return verification


@transaction.atomic
def confirm_verdict(actor: Any, verification: Verification, *, agree: bool = True) -> Verification:
    """The second reviewer agrees (the verdict stands) or not (back to in progress)."""
    _require_analyst(actor)
    if not verification.proposed_status:
        raise ValidationError(_("Nobody has proposed a verdict yet."))
    if verification.proposed_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("Somebody other than the one who proposed it must confirm it."))
    if agree:
        verification.status = verification.proposed_status
        verification.confirmed_by = _user(actor)
        verification.confirmed_at = timezone.now()
    else:
        verification.status = Verification.Status.IN_PROGRESS
        verification.proposed_status = ""
        verification.proposed_by = None
        verification.proposed_at = None
    verification.save()
    if agree and verification.status in (Verification.Status.FALSE, Verification.Status.MISLEADING):
        _downgrade_incidents_of(
            verification.media,
            _("Its only evidence, media item #%(pk)s, was found %(status)s.")
            % {"pk": verification.media_id, "status": verification.get_status_display()},
        )
    return verification


# Sitreps ---------------------------------------------------------------------------------

SITREP_FIELDS = {"area", "cutoff", "title", "summary", "stale_after_days"}
PAYLOAD_VERSION = 1


def _validate_sitrep(sitrep: Sitrep) -> None:
    errors: dict[str, list[str]] = {}
    if sitrep.cutoff and sitrep.cutoff > timezone.now() + FUTURE_SKEW:
        errors["cutoff"] = [
            _("A sitrep reports what is known: the cutoff cannot be in the future.")
        ]
    _full_clean(
        sitrep, errors, exclude=["created_by", "submitted_by", "approved_by", "superseded_by"]
    )


@transaction.atomic
def create_sitrep(
    actor: Any,
    *,
    organization: Organization,
    area: Area | None,
    cutoff: datetime.datetime,
    title: str = "",
    summary: str = "",
    stale_after_days: int = 7,
    idempotency_key: str | None = None,
) -> tuple[Sitrep, bool]:
    if not core_permissions.has_role(actor, organization.pk, Role.ANALYST):
        raise PermissionDenied(
            _("Only analysts of %(org)s may draft its sitreps.") % {"org": organization}
        )

    def create() -> Sitrep:
        sitrep = Sitrep(
            organization=organization,
            area=area,
            cutoff=cutoff,
            title=title.strip(),
            summary=summary.strip(),
            stale_after_days=stale_after_days,
            created_by=_user(actor),
        )
        _validate_sitrep(sitrep)
        sitrep.save()
        return sitrep

    return create_once(
        scope="reports.sitrep.create", key=idempotency_key, actor=actor, model=Sitrep, create=create
    )


def _require_sitrep_analyst(actor: Any, sitrep: Sitrep) -> None:
    if not may_manage_sitrep(actor, sitrep):
        raise PermissionDenied(
            _("Only analysts of %(org)s may work on its sitreps.") % {"org": sitrep.organization}
        )


@transaction.atomic
def update_sitrep(actor: Any, sitrep: Sitrep, **changes: Any) -> Sitrep:
    _require_sitrep_analyst(actor, sitrep)
    sitrep = _locked(sitrep)
    if sitrep.status != Sitrep.Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed. Send it back to draft first."))
    _apply(sitrep, changes, SITREP_FIELDS)
    _validate_sitrep(sitrep)
    sitrep.save()
    return sitrep


def _locked(sitrep: Sitrep) -> Sitrep:
    """The row, locked: two reviewers clicking at once must not both act on it."""
    return (
        Sitrep.objects.select_for_update(of=("self",))
        .select_related("organization", "area")
        .get(pk=sitrep.pk)
    )


@transaction.atomic
def submit_sitrep(actor: Any, sitrep: Sitrep) -> Sitrep:
    _require_sitrep_analyst(actor, sitrep)
    sitrep = _locked(sitrep)
    if sitrep.status != Sitrep.Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    sitrep.status = Sitrep.Status.IN_REVIEW
    sitrep.submitted_by = _user(actor)
    sitrep.submitted_at = timezone.now()
    sitrep.save()
    return sitrep


@transaction.atomic
def return_sitrep(actor: Any, sitrep: Sitrep, *, note: str = "") -> Sitrep:
    _require_sitrep_analyst(actor, sitrep)
    sitrep = _locked(sitrep)
    if sitrep.status != Sitrep.Status.IN_REVIEW:
        raise ValidationError(_("Only a sitrep in review can be sent back."))
    sitrep.status = Sitrep.Status.DRAFT
    sitrep.review_note = note.strip()
    sitrep.save()
    return sitrep


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@transaction.atomic
def approve_sitrep(actor: Any, sitrep: Sitrep) -> Sitrep:
    """A second person approves: the figures are computed once more and frozen in a
    snapshot that never changes afterwards, whatever happens to the claims."""
    _require_sitrep_analyst(actor, sitrep)
    sitrep = _locked(sitrep)
    if sitrep.status != Sitrep.Status.IN_REVIEW:
        raise ValidationError(_("Only a sitrep in review can be approved."))
    me = getattr(actor, "pk", None)
    if me in (sitrep.created_by_id, sitrep.submitted_by_id):
        raise PermissionDenied(_("Somebody other than its author must approve a sitrep."))
    payload = build_payload(sitrep)
    SitrepSnapshot.objects.create(
        sitrep=sitrep, payload=payload, sha256=hashlib.sha256(canonical_json(payload)).hexdigest()
    )
    crashpoint("reports.sitrep.approve")  # the figures frozen, the sitrep not yet approved
    sitrep.status = Sitrep.Status.APPROVED
    sitrep.approved_by = _user(actor)
    sitrep.approved_at = timezone.now()
    sitrep.save()
    return sitrep


@transaction.atomic
def publish_sitrep(actor: Any, sitrep: Sitrep) -> Sitrep:
    """Make an approved sitrep public; it supersedes the organisation's earlier sitreps
    for the same area (and is itself superseded at once if a later one is out)."""
    _require_sitrep_analyst(actor, sitrep)
    sitrep = _locked(sitrep)
    if sitrep.status != Sitrep.Status.APPROVED:
        raise ValidationError(_("Only an approved sitrep can be published."))
    now = timezone.now()
    sitrep.status = Sitrep.Status.PUBLISHED
    sitrep.published_at = now
    same_series = Sitrep.objects.filter(
        organization=sitrep.organization, area=sitrep.area, status__in=Sitrep.PUBLIC
    ).exclude(pk=sitrep.pk)
    later = same_series.filter(cutoff__gt=sitrep.cutoff).order_by("cutoff").first()
    if later is not None:
        sitrep.status = Sitrep.Status.SUPERSEDED
        sitrep.superseded_by = later
    sitrep.save()
    crashpoint("reports.sitrep.publish")  # published, the earlier ones not yet superseded
    for earlier in same_series.filter(cutoff__lte=sitrep.cutoff, status=Sitrep.Status.PUBLISHED):
        earlier.status = Sitrep.Status.SUPERSEDED
        earlier.superseded_by = sitrep
        earlier.save(update_fields=["status", "superseded_by"])
    return sitrep


def _incident_json(incident: Incident, tally: dict[str, dict[str, int] | None]) -> dict[str, Any]:
    location = public_location(incident)
    return {
        "code": incident.code,
        "kind": incident.kind,
        "earliest": incident.occurred_earliest.astimezone(datetime.UTC).isoformat(),
        "latest": incident.occurred_latest.astimezone(datetime.UTC).isoformat(),
        "precision": incident.time_precision,
        "area": {
            "code": incident.area.code,
            "name_uk": incident.area.name_uk,
            "name_en": incident.area.name_en,
        },
        "lat": location[0] if location else None,
        "lon": location[1] if location else None,
        "blur_m": max(incident.public_blur_m, incident.uncertainty_m) if location else None,
        "grade": incident.grade,
        "infrastructure": list(incident.infrastructure),
        "buildings_destroyed": incident.buildings_destroyed,
        "buildings_damaged": incident.buildings_damaged,
        "killed": tally.get(f"{incident.pk}:{metrics.KILLED}"),
        "injured": tally.get(f"{incident.pk}:{metrics.INJURED}"),
    }


def _needs_json(area: Area | None, cutoff: datetime.datetime) -> dict[str, Any]:
    """Public needs open at the cutoff in the area: how many, how urgent, the most urgent."""
    needs = Need.objects.filter(
        created_at__lte=cutoff,
        visibility=Sensitivity.PUBLIC,
        place__sensitivity=Sensitivity.PUBLIC,
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=cutoff))
    needs = needs.exclude(status=Need.Status.CANCELLED, closed_at__isnull=True)
    needs = needs.filter(
        Q(needed_by__isnull=True) | Q(needed_by__gte=timezone.localtime(cutoff).date())
    )
    if area is not None:
        needs = needs.filter(place__area__path__startswith=area.path)
    by_priority: dict[str, int] = {}
    top: list[dict[str, Any]] = []
    for need in needs.select_related("item", "place").by_urgency()[:200]:
        by_priority[need.priority] = by_priority.get(need.priority, 0) + 1
        if len(top) < 8:
            top.append(
                {
                    "id": need.pk,
                    "item_uk": need.item.name_uk if need.item else need.title,
                    "item_en": need.item.name_en if need.item else need.title,
                    "place": need.place.name,
                    "priority": need.priority,
                    "quantity": str(Decimal(need.quantity).normalize()),
                    "unit": need.unit,
                }
            )
    return {"count": sum(by_priority.values()), "by_priority": by_priority, "top": top}


def build_payload(sitrep: Sitrep) -> dict[str, Any]:
    """Everything a sitrep shows, computed at its cutoff: figures by metric with their
    reconciliation, incidents (public coordinates only), public needs, time series.
    Language-neutral (codes and both names), so one snapshot serves every reader."""
    cutoff = sitrep.cutoff
    stale_after = datetime.timedelta(days=sitrep.stale_after_days)
    since = cutoff - datetime.timedelta(days=max(sitrep.stale_after_days, 7))
    area = selectors.area_ref(sitrep.area)
    rows = selectors.claim_rows(sitrep.area, cutoff=cutoff)
    figures = selectors.all_figures(rows, area=area, cutoff=cutoff, stale_after=stale_after)
    incidents = Incident.objects.filter(
        status=Incident.Status.PUBLISHED,
        occurred_earliest__lte=cutoff,
        occurred_latest__gte=since,
    ).select_related("area")
    if sitrep.area is not None:
        incidents = incidents.filter(area__path__startswith=sitrep.area.path)
    incidents = incidents.order_by("occurred_earliest", "code")
    per_incident: dict[str, dict[str, int] | None] = {}
    for metric in (metrics.KILLED, metrics.INJURED):
        for incident_id in {r.incident_id for r in rows if r.incident_id and r.metric == metric}:
            per_incident[f"{incident_id}:{metric}"] = incident_tally(
                [r for r in rows if r.incident_id == incident_id and r.metric == metric
                 and r.source_status != "retracted" and r.assessment != "discounted"]
            )  # fmt: skip
    charts = {}
    for figure in figures:
        key = f"{figure['metric']}:{figure['party'] or ''}"
        charts[key] = series(
            rows,
            metric=figure["metric"],
            party=figure["party"],
            area=area,
            cutoff=cutoff,
            since=since,
        )
    payload = {
        "version": PAYLOAD_VERSION,
        "area": area.to_json() if area else None,
        "cutoff": cutoff.astimezone(datetime.UTC).isoformat(),
        "since": since.astimezone(datetime.UTC).isoformat(),
        "stale_after_days": sitrep.stale_after_days,
        "figures": figures,
        "incidents": [_incident_json(i, per_incident) for i in incidents],
        "needs": _needs_json(sitrep.area, cutoff),
        "series": charts,
    }
    # Exactly what the JSON column will give back (tuples as lists, enums as strings), so
    # the snapshot in memory, the stored one and its hash are one and the same.
    return json.loads(canonical_json(payload))  # type: ignore[no-any-return]


def sitrep_payload(sitrep: Sitrep) -> tuple[dict[str, Any], bool]:
    """(payload, frozen): the snapshot once approved, else today's live computation."""
    if sitrep.is_frozen:
        try:
            return sitrep.snapshot.payload, True  # cached on the sitrep for the page's next look
        except SitrepSnapshot.DoesNotExist:
            pass
    return build_payload(sitrep), False
