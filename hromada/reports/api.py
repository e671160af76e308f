"""The situation record as JSON: the same permissions, helpers and services as the pages.

Anybody may read published sitreps and published incidents (coordinates coarsened) and
report an incident; analysts read and write everything else.
"""

import datetime
import enum
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from hromada.core.api import AreaOut, OrganizationRef
from hromada.core.api_auth import anyone
from hromada.core.models import Area
from hromada.core.services import client_ip, record_event
from hromada.lib import ratelimit
from hromada.lib.pagination import LimitOffsetPagination
from hromada.reports import metrics, selectors, services
from hromada.reports.figures import Figure, FigureError, Qualifier, parse_breakdown
from hromada.reports.models import (
    NATIONAL_CODE,
    Claim,
    Document,
    Incident,
    MediaItem,
    Party,
    Reliability,
    Sitrep,
    Source,
    Verification,
)
from hromada.reports.permissions import (
    access_claim,
    access_document,
    access_incident,
    access_media,
    access_sitrep,
    access_source,
    access_verification,
    analyst_organizations,
    is_analyst,
    require_analyst,
    visible_incidents,
    visible_sitreps,
)

router = Router(tags=["reports"])

MetricCode = enum.Enum("MetricCode", {m: m for m in metrics.METRICS}, type=str)  # type: ignore[misc]


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """A time without a zone is read in the caller's zone (Europe/Kyiv by default)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _area(code: str | None, field: str = "area") -> Area | None:
    if not code or code == NATIONAL_CODE:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError({field: [_("Unknown area.")]})
    return area


def _party(code: str | None) -> Party | None:
    if not code:
        return None
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise ValidationError({"party": [_("Unknown party.")]})
    return party


def _replayed(response: HttpResponse, created: bool) -> None:
    if not created:
        response["Idempotent-Replayed"] = "true"


# Reference -------------------------------------------------------------------------------


class MetricOut(Schema):
    code: str
    label: str
    hxl: str
    block: str
    parent: str | None
    relation: str
    measure: str
    about_party: bool


class PartyOut(Schema):
    code: str
    name: str
    name_uk: str
    name_en: str


@router.get("/reports/metrics", response=list[MetricOut], auth=anyone, summary="What figures count")
def list_metrics(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {**m.__dict__, "label": str(m.label)}  # labels are lazy translations
        for m in metrics.METRICS.values()
    ]


@router.get(
    "/reports/parties", response=list[PartyOut], auth=anyone, summary="Parties to the conflict"
)
def list_parties(request: HttpRequest) -> list[Party]:
    return list(Party.objects.all())


class ParseIn(Schema):
    words: str = Field(max_length=200)
    metric: MetricCode = Field(MetricCode(metrics.CASUALTIES))  # type: ignore[valid-type]


class FigureOut(Schema):
    metric: str
    qualifier: str
    low: int | None
    best: int | None
    high: int | None
    words: str


@router.post(
    "/reports/figures/parse",
    response=list[FigureOut],
    summary="Read a figure from words",
    description="“at least 240 casualties including 64 dead” → the whole and its parts.",
)
def parse_figure(request: HttpRequest, payload: ParseIn) -> list[dict[str, Any]]:
    metric = payload.metric.value
    try:
        whole, parts = parse_breakdown(payload.words, metric)
    except FigureError as error:
        raise ValidationError({"words": [str(error)]}) from None
    return [
        {"metric": metric, **whole.__dict__},
        *({"metric": p.metric, **p.figure.__dict__} for p in parts),
    ]


# Sources and documents ------------------------------------------------------------------------


class SourceOut(Schema):
    id: int
    name: str
    name_uk: str
    name_en: str
    kind: str
    party: str | None = Field(None, alias="party.code")
    scale: str
    independence_group: str
    methodology_url: str
    reliability: str
    recorder_for: list[str]
    note: str


class SourceIn(Schema):
    name_uk: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    kind: Source.Kind
    scale: Source.Scale
    party: str | None = None
    independence_group: str = Field("", max_length=64)
    methodology_url: str = Field("", max_length=500)
    reliability: Reliability = Reliability.F
    recorder_for: list[MetricCode] = []  # type: ignore[valid-type]
    note: str = Field("", max_length=4000)

    model_config = {"extra": "forbid"}


class SourcePatch(Schema):
    name_uk: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    kind: Source.Kind | None = None
    scale: Source.Scale | None = None
    party: str | None = None
    independence_group: str | None = Field(None, max_length=64)
    methodology_url: str | None = Field(None, max_length=500)
    reliability: Reliability | None = None
    recorder_for: list[MetricCode] | None = None  # type: ignore[valid-type]
    note: str | None = Field(None, max_length=4000)

    model_config = {"extra": "forbid"}


def _source_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "party" in data:
        data["party"] = _party(data["party"])
    if "recorder_for" in data and data["recorder_for"] is not None:
        data["recorder_for"] = [getattr(m, "value", m) for m in data["recorder_for"]]
    for field, value in list(data.items()):
        if value is None and field != "party":
            raise ValidationError({field: [_("This field may not be empty.")]})
    return data


@router.get("/reports/sources", response=list[SourceOut], summary="Sources (analysts)")
@paginate(LimitOffsetPagination)
def list_sources(request: HttpRequest):  # type: ignore[no-untyped-def]
    require_analyst(request.user)
    return Source.objects.select_related("party").order_by("name_en", "name_uk", "pk")


@router.post("/reports/sources", response={201: SourceOut}, summary="Add a source (analysts)")
def create_source(
    request: HttpRequest,
    response: HttpResponse,
    payload: SourceIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Source]:
    require_analyst(request.user)
    source, created = services.create_source(
        request.user, idempotency_key=idempotency_key, **_source_fields(payload.dict())
    )
    _replayed(response, created)
    return Status(201, access_source(request.user, source.pk))


@router.get("/reports/sources/{source_id}", response=SourceOut)
def get_source(request: HttpRequest, source_id: int) -> Source:
    return access_source(request.user, source_id)


@router.patch("/reports/sources/{source_id}", response=SourceOut)
def update_source(request: HttpRequest, source_id: int, payload: SourcePatch) -> Source:
    source = access_source(request.user, source_id)
    services.update_source(request.user, source, **_source_fields(payload.dict(exclude_unset=True)))
    return access_source(request.user, source_id)


class DocumentOut(Schema):
    id: int
    source_id: int
    origin_id: int
    url: str
    title: str
    published_at: datetime.datetime | None
    retrieved_at: datetime.datetime | None
    language: str
    excerpt: str
    translation: str
    cites_document_id: int | None
    cites_source_id: int | None
    archive_status: str
    archive_sha256: str
    archived_at: datetime.datetime | None
    retracted_at: datetime.datetime | None
    retraction_note: str


class DocumentIn(Schema):
    source_id: int
    url: str = Field("", max_length=1000)
    title: str = Field("", max_length=300)
    published_at: datetime.datetime | None = None
    retrieved_at: datetime.datetime | None = None
    language: str = Field("", max_length=8)
    excerpt: str = Field("", max_length=20000)
    translation: str = Field("", max_length=20000)
    cites_document_id: int | None = None
    cites_source_id: int | None = None

    model_config = {"extra": "forbid"}


class DocumentPatch(Schema):
    url: str | None = Field(None, max_length=1000)
    title: str | None = Field(None, max_length=300)
    published_at: datetime.datetime | None = None
    retrieved_at: datetime.datetime | None = None
    language: str | None = Field(None, max_length=8)
    excerpt: str | None = Field(None, max_length=20000)
    translation: str | None = Field(None, max_length=20000)
    cites_document_id: int | None = None
    cites_source_id: int | None = None

    model_config = {"extra": "forbid"}


class NoteIn(Schema):
    note: str = Field("", max_length=4000)


def _document_fields(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    if "cites_document_id" in data:
        cited = data.pop("cites_document_id")
        data["cites_document"] = (
            Document.objects.filter(pk=cited).first() if cited is not None else None
        )
        if cited is not None and data["cites_document"] is None:
            raise ValidationError({"cites_document_id": [_("Unknown document.")]})
    if "cites_source_id" in data:
        cited = data.pop("cites_source_id")
        data["cites_source"] = (
            Source.objects.filter(pk=cited).first() if cited is not None else None
        )
        if cited is not None and data["cites_source"] is None:
            raise ValidationError({"cites_source_id": [_("Unknown source.")]})
    for field in ("published_at", "retrieved_at"):
        if field in data:
            data[field] = _aware(data[field])
    for field in ("url", "title", "language", "excerpt", "translation"):
        if field in data and data[field] is None:
            raise ValidationError({field: [_("This field may not be empty.")]})
    return data


@router.get("/reports/documents", response=list[DocumentOut], summary="Documents (analysts)")
@paginate(LimitOffsetPagination)
def list_documents(request: HttpRequest, source: int | None = None):  # type: ignore[no-untyped-def]
    require_analyst(request.user)
    documents = Document.objects.order_by("-published_at", "-pk")
    if source is not None:
        documents = documents.filter(source_id=source)
    return documents


@router.post(
    "/reports/documents", response={201: DocumentOut}, summary="Record a document (analysts)"
)
def create_document(
    request: HttpRequest,
    response: HttpResponse,
    payload: DocumentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Document]:
    require_analyst(request.user)
    data = payload.dict()
    source = Source.objects.filter(pk=data.pop("source_id")).first()
    if source is None:
        raise ValidationError({"source_id": [_("Unknown source.")]})
    document, created = services.create_document(
        request.user,
        source=source,
        idempotency_key=idempotency_key,
        **_document_fields(request.user, data),
    )
    _replayed(response, created)
    return Status(201, access_document(request.user, document.pk))


@router.get("/reports/documents/{document_id}", response=DocumentOut)
def get_document(request: HttpRequest, document_id: int) -> Document:
    return access_document(request.user, document_id)


@router.patch("/reports/documents/{document_id}", response=DocumentOut)
def update_document(request: HttpRequest, document_id: int, payload: DocumentPatch) -> Document:
    document = access_document(request.user, document_id)
    services.update_document(
        request.user, document, **_document_fields(request.user, payload.dict(exclude_unset=True))
    )
    return access_document(request.user, document_id)


@router.post("/reports/documents/{document_id}/retract", response=DocumentOut)
def retract_document(request: HttpRequest, document_id: int, payload: NoteIn) -> Document:
    document = access_document(request.user, document_id)
    services.retract_document(request.user, document, note=payload.note)
    return access_document(request.user, document_id)


@router.post(
    "/reports/documents/{document_id}/archive",
    response={202: DocumentOut},
    summary="Fetch and keep a copy of the document's link",
)
def archive_document(request: HttpRequest, document_id: int) -> Status[Document]:
    document = access_document(request.user, document_id)
    services.request_archive(request.user, document)
    return Status(202, access_document(request.user, document_id))


# Claims ---------------------------------------------------------------------------------------


class ClaimOut(Schema):
    id: int
    document_id: int
    source_id: int
    origin_id: int = Field(alias="document.origin_id")
    metric: str
    hxl: str
    party: str | None = Field(None, alias="party.code")
    incident: str | None = Field(None, alias="incident.code")
    area: str
    control: str
    measure: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    as_of: datetime.datetime
    low: int | None
    best: int | None
    high: int | None
    qualifier: str
    words: str = Field(alias="value_text")
    basis: str
    undercount: bool
    caveat: str
    supersedes_id: int | None
    part_of_id: int | None
    source_status: str
    assessment: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_area(obj: Claim) -> str:
        return obj.area.code if obj.area_id else NATIONAL_CODE  # type: ignore[union-attr]

    @staticmethod
    def resolve_hxl(obj: Claim) -> str:
        return metrics.get(obj.metric).hxl


class ClaimIn(Schema):
    document_id: int
    metric: MetricCode  # type: ignore[valid-type]
    words: str = Field(
        "", max_length=200, description="The figure as written: “at least 240”, “~200”."
    )
    qualifier: Qualifier | None = Field(
        None, description="Instead of words: the qualifier and values."
    )
    low: int | None = Field(None, ge=0)
    best: int | None = Field(None, ge=0)
    high: int | None = Field(None, ge=0)
    party: str | None = Field(None, description="Whose fighters, for combatant figures (ua, ru).")
    incident: str | None = Field(
        None, description="Incident code, for a figure about one incident."
    )
    area: str | None = Field(None, description="Area code; UA or empty for the whole country.")
    control: Claim.Control = Claim.Control.WHOLE
    measure: metrics.Measure | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    as_of: datetime.datetime
    basis: Claim.Basis
    undercount: bool = False
    caveat: str = Field("", max_length=4000)
    supersedes_id: int | None = None
    assessment: Claim.Assessment = Claim.Assessment.UNREVIEWED

    model_config = {"extra": "forbid"}


class CorrectIn(Schema):
    words: str = Field(max_length=200)
    as_of: datetime.datetime | None = None
    document_id: int | None = None


class AssessIn(Schema):
    assessment: Claim.Assessment
    caveat: str | None = Field(None, max_length=4000)


class ClaimFilters(Schema):
    metric: MetricCode | None = None  # type: ignore[valid-type]
    area: str | None = Field(None, description="Area code (and the areas within); UA: the country.")
    source: int | None = None
    document: int | None = None
    source_status: Claim.SourceStatus | None = None
    since: datetime.datetime | None = Field(None, description="As of this time or later.")
    until: datetime.datetime | None = Field(None, description="As of this time or earlier.")


CLAIM_RELATIONS = ("area", "party", "incident", "document")


def _claim(user: Any, pk: int) -> Claim:
    return access_claim(user, pk)


@router.get("/reports/claims", response=list[ClaimOut], summary="Figures on record (analysts)")
@paginate(LimitOffsetPagination)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]):  # type: ignore[no-untyped-def]
    require_analyst(request.user)
    claims = Claim.objects.select_related(*CLAIM_RELATIONS).order_by("-as_of", "-pk")
    if filters.metric:
        claims = claims.filter(metric=filters.metric.value)
    if filters.area == NATIONAL_CODE:
        claims = claims.filter(area__isnull=True)
    elif filters.area:
        claims = claims.filter(area__path__contains=f"/{filters.area}/")
    if filters.source:
        claims = claims.filter(source_id=filters.source)
    if filters.document:
        claims = claims.filter(document_id=filters.document)
    if filters.source_status:
        claims = claims.filter(source_status=filters.source_status)
    if filters.since:
        claims = claims.filter(as_of__gte=_aware(filters.since))
    if filters.until:
        claims = claims.filter(as_of__lte=_aware(filters.until))
    return claims


@router.post(
    "/reports/claims",
    response={201: ClaimOut},
    summary="Record a figure from a document (analysts)",
    description=(
        "Give the figure as the source wrote it in `words` (a breakdown such as “240 "
        "casualties including 64 dead” also records each part, `part_of` the whole), or "
        "as `qualifier` with `low`/`best`/`high`. Send `Idempotency-Key`."
    ),
)
def create_claim(
    request: HttpRequest,
    response: HttpResponse,
    payload: ClaimIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Claim]:
    require_analyst(request.user)
    data = payload.dict()
    document = Document.objects.select_related("source").filter(pk=data.pop("document_id")).first()
    if document is None:
        raise ValidationError({"document_id": [_("Unknown document.")]})
    figure = None
    qualifier = data.pop("qualifier")
    values = (data.pop("low"), data.pop("best"), data.pop("high"))
    if not data["words"]:
        if qualifier is None or values == (None, None, None):
            raise ValidationError(
                {"words": [_("Give the figure in words, or a qualifier and values.")]}
            )
        figure = Figure(qualifier, *values, words="")
    incident = None
    if data["incident"]:
        incident = Incident.objects.filter(code=data["incident"].upper()).first()
        if incident is None or incident.status == Incident.Status.MERGED:
            raise ValidationError({"incident": [_("No incident has this code.")]})
    supersedes = None
    if data["supersedes_id"] is not None:
        supersedes = Claim.objects.filter(pk=data["supersedes_id"]).first()
        if supersedes is None:
            raise ValidationError({"supersedes_id": [_("Unknown figure.")]})
    claim, created = services.record_claim(
        request.user,
        document=document,
        metric=data["metric"].value,
        words=data["words"],
        figure=figure,
        party=_party(data["party"]),
        incident=incident,
        area=_area(data["area"]),
        control=data["control"],
        measure=data["measure"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        as_of=_aware(data["as_of"]),  # type: ignore[arg-type]
        basis=data["basis"],
        undercount=data["undercount"],
        caveat=data["caveat"],
        supersedes=supersedes,
        assessment=data["assessment"],
        idempotency_key=idempotency_key,
    )
    _replayed(response, created)
    return Status(201, _claim(request.user, claim.pk))


@router.get("/reports/claims/{claim_id}", response=ClaimOut)
def get_claim(request: HttpRequest, claim_id: int) -> Claim:
    return _claim(request.user, claim_id)


@router.post(
    "/reports/claims/{claim_id}/correct",
    response={201: ClaimOut},
    summary="The source corrected its figure: record the new one, which replaces it",
)
def correct_claim(
    request: HttpRequest,
    response: HttpResponse,
    claim_id: int,
    payload: CorrectIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Claim]:
    claim = _claim(request.user, claim_id)
    document = None
    if payload.document_id is not None:
        document = Document.objects.filter(pk=payload.document_id).first()
        if document is None:
            raise ValidationError({"document_id": [_("Unknown document.")]})
    new, created = services.correct_claim(
        request.user,
        claim,
        words=payload.words,
        document=document,
        as_of=_aware(payload.as_of),
        idempotency_key=idempotency_key,
    )
    _replayed(response, created)
    return Status(201, _claim(request.user, new.pk))


@router.post("/reports/claims/{claim_id}/retract", response=ClaimOut)
def retract_claim(request: HttpRequest, claim_id: int, payload: NoteIn) -> Claim:
    claim = _claim(request.user, claim_id)
    services.retract_claim(request.user, claim, note=payload.note)
    return _claim(request.user, claim_id)


@router.post("/reports/claims/{claim_id}/assess", response=ClaimOut)
def assess_claim(request: HttpRequest, claim_id: int, payload: AssessIn) -> Claim:
    claim = _claim(request.user, claim_id)
    services.assess_claim(request.user, claim, assessment=payload.assessment, caveat=payload.caveat)
    return _claim(request.user, claim_id)


class ReconcileQuery(Schema):
    metric: MetricCode  # type: ignore[valid-type]
    area: str = Field(NATIONAL_CODE, description="Area code; UA for the whole country.")
    cutoff: datetime.datetime | None = Field(None, description="Default: now.")
    party: str | None = None
    control: Claim.Control = Claim.Control.WHOLE
    stale_after_days: int = Field(7, ge=1, le=365)


@router.get(
    "/reports/reconciliation",
    response=dict[str, Any],
    summary="Reconcile one metric for one area at one time (analysts)",
    description=(
        "The reference figure, the documented floor, the highest claim, independent sources "
        "counted by origin, every other claim with the reasons it differs, and what was "
        "left out (retracted, superseded, discounted, older)."
    ),
)
def reconciliation(request: HttpRequest, query: Query[ReconcileQuery]) -> dict[str, Any]:
    require_analyst(request.user)
    metric = query.metric.value
    party = _party(query.party)
    if metrics.get(metric).about_party and party is None:
        raise ValidationError({"party": [_("Say whose fighters this figure counts.")]})
    return selectors.reconcile_area(
        _area(query.area),
        metric,
        _aware(query.cutoff) or timezone.now(),  # type: ignore[arg-type]
        party=party.code if party else None,
        control=query.control,
        stale_after=datetime.timedelta(days=query.stale_after_days),
    )


# Incidents ------------------------------------------------------------------------------------


class IncidentOut(Schema):
    code: str
    url: str
    kind: str
    occurred_earliest: datetime.datetime
    occurred_latest: datetime.datetime
    time_precision: str
    area: AreaOut
    latitude: float | None = Field(description="Coarsened for everybody but analysts.")
    longitude: float | None
    coordinates_within_m: int | None
    infrastructure: list[str]
    buildings_destroyed: int | None
    buildings_damaged: int | None
    description: str
    grade: str
    status: str
    published_at: datetime.datetime | None
    # Analysts only (null for everybody else):
    place_text: str | None = None
    location_precision: str | None = None
    public_blur_m: int | None = None
    review_note: str | None = None
    reporter_contact: str | None = None
    aliases: list[str] | None = None


def _incident_out(user: Any, incident: Incident) -> dict[str, Any]:
    analyst = is_analyst(user)
    if analyst and incident.has_location:
        lat: float | None = float(incident.latitude)  # type: ignore[arg-type]
        lon: float | None = float(incident.longitude)  # type: ignore[arg-type]
        within: int | None = incident.uncertainty_m
    else:
        location = services.public_location(incident)
        lat, lon = location if location else (None, None)
        within = max(incident.public_blur_m, incident.uncertainty_m) if location else None
    data: dict[str, Any] = {
        "code": incident.code,
        "url": reverse("reports:incident-detail", args=[incident.code]),
        "kind": incident.kind,
        "occurred_earliest": incident.occurred_earliest,
        "occurred_latest": incident.occurred_latest,
        "time_precision": incident.time_precision,
        "area": incident.area,
        "latitude": lat,
        "longitude": lon,
        "coordinates_within_m": within,
        "infrastructure": incident.infrastructure,
        "buildings_destroyed": incident.buildings_destroyed,
        "buildings_damaged": incident.buildings_damaged,
        "description": incident.description,
        "grade": incident.grade,
        "status": incident.status,
        "published_at": incident.published_at,
    }
    if analyst:
        data.update(
            place_text=incident.place_text,
            location_precision=incident.location_precision,
            public_blur_m=incident.public_blur_m,
            review_note=incident.review_note,
            reporter_contact=incident.reporter_contact,
            aliases=[a.code for a in incident.aliases.all()],
        )
    return data


class IncidentFilters(Schema):
    area: str | None = Field(None, description="Area code; includes the areas within.")
    kind: Incident.Kind | None = None
    grade: Incident.Grade | None = None
    status: Incident.Status | None = Field(None, description="Analysts only.")
    q: str | None = Field(None, max_length=100)
    since: datetime.date | None = None
    until: datetime.date | None = None


class IncidentIn(Schema):
    kind: Incident.Kind
    occurred_earliest: datetime.datetime
    occurred_latest: datetime.datetime
    time_precision: Incident.TimePrecision = Incident.TimePrecision.DAY
    area: str = Field(description="Area code (a settlement or a larger area).")
    place_text: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    location_precision: Incident.LocationPrecision = Incident.LocationPrecision.SETTLEMENT
    infrastructure: list[Incident.Infrastructure] = []
    description: str = Field("", max_length=4000)
    reporter_contact: str = Field("", max_length=200)

    model_config = {"extra": "forbid"}


class IncidentPatch(Schema):
    kind: Incident.Kind | None = None
    occurred_earliest: datetime.datetime | None = None
    occurred_latest: datetime.datetime | None = None
    time_precision: Incident.TimePrecision | None = None
    area: str | None = None
    place_text: str | None = Field(None, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    location_precision: Incident.LocationPrecision | None = None
    public_blur_m: int | None = Field(None, ge=100, le=50000)
    infrastructure: list[Incident.Infrastructure] | None = None
    buildings_destroyed: int | None = Field(None, ge=0)
    buildings_damaged: int | None = Field(None, ge=0)
    description: str | None = Field(None, max_length=4000)
    review_note: str | None = Field(None, max_length=4000)

    model_config = {"extra": "forbid"}


class ReviewIn(Schema):
    status: Incident.Status = Field(description="published, reported or withdrawn")
    grade: Incident.Grade | None = None
    note: str | None = Field(None, max_length=4000)


class CodeIn(Schema):
    code: str = Field(max_length=24)


class DuplicateOut(Schema):
    code: str
    kind: str
    status: str
    occurred_earliest: datetime.datetime
    occurred_latest: datetime.datetime
    score: float


def _incident_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "area" in data:
        if data["area"] in (None, NATIONAL_CODE):
            raise ValidationError({"area": [_("Choose an area.")]})
        data["area"] = _area(data["area"])
    for field in ("occurred_earliest", "occurred_latest"):
        if field in data:
            if data[field] is None:
                raise ValidationError({field: [_("This field may not be empty.")]})
            data[field] = _aware(data[field])
    if "infrastructure" in data and data["infrastructure"] is not None:
        data["infrastructure"] = [getattr(i, "value", i) for i in data["infrastructure"]]
    for field in (
        "kind",
        "time_precision",
        "location_precision",
        "infrastructure",
        "public_blur_m",
    ):
        if field in data and data[field] is None:
            raise ValidationError({field: [_("This field may not be empty.")]})
    for field in ("place_text", "description", "review_note"):
        if field in data and data[field] is None:
            data[field] = ""
    return data


@router.get(
    "/reports/incidents",
    response=list[IncidentOut],
    auth=anyone,
    summary="Incidents this caller may see",
    description="The public sees published incidents with coarsened coordinates.",
)
@paginate(LimitOffsetPagination)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]):  # type: ignore[no-untyped-def]
    ratelimit.check_search(request, filters.q)
    data = filters.dict(exclude_none=True)
    if not is_analyst(request.user):
        data.pop("status", None)
    incidents = selectors.incidents_for(visible_incidents(request.user), **data).select_related(
        "area__parent"
    )
    if is_analyst(request.user):
        incidents = incidents.prefetch_related("aliases")
    return _Lazy(incidents, lambda i: _incident_out(request.user, i))


class _Lazy:
    """A queryset the paginator slices, mapped row by row after slicing."""

    def __init__(self, queryset: Any, convert: Any) -> None:
        self.queryset, self.convert = queryset, convert

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [self.convert(i) for i in self.queryset[key]]


@router.post(
    "/reports/incidents",
    response={201: IncidentOut},
    auth=anyone,
    summary="Report an incident (anybody; it waits for an analyst's review)",
)
def report_incident(
    request: HttpRequest,
    response: HttpResponse,
    payload: IncidentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    incident, created = services.report_incident(
        request.user,
        ip=client_ip(request),
        idempotency_key=idempotency_key,
        **_incident_fields(payload.dict()),
    )
    _replayed(response, created)
    incident = Incident.objects.select_related("area__parent").get(pk=incident.pk)
    return Status(201, _incident_out(request.user, incident))


@router.get("/reports/incidents/{code}", response=IncidentOut, auth=anyone)
def get_incident(request: HttpRequest, code: str) -> dict[str, Any]:
    return _incident_out(request.user, access_incident(request.user, code))


@router.patch(
    "/reports/incidents/{code}", response=IncidentOut, summary="Change an incident (analysts)"
)
def update_incident(request: HttpRequest, code: str, payload: IncidentPatch) -> dict[str, Any]:
    incident = access_incident(request.user, code, manage=True)
    services.update_incident(
        request.user, incident, **_incident_fields(payload.dict(exclude_unset=True))
    )
    return _incident_out(request.user, access_incident(request.user, code))


@router.post(
    "/reports/incidents/{code}/review", response=IncidentOut, summary="Publish, grade or withdraw"
)
def review_incident(request: HttpRequest, code: str, payload: ReviewIn) -> dict[str, Any]:
    incident = access_incident(request.user, code, manage=True)
    services.review_incident(
        request.user, incident, status=payload.status, grade=payload.grade, note=payload.note
    )
    return _incident_out(request.user, access_incident(request.user, code))


@router.get(
    "/reports/incidents/{code}/duplicates",
    response=list[DuplicateOut],
    summary="Incidents that may be the same one (suggestions; a person decides)",
)
def incident_duplicates(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    incident = access_incident(request.user, code, manage=True)
    return [
        {
            "code": other.code,
            "kind": other.kind,
            "status": other.status,
            "occurred_earliest": other.occurred_earliest,
            "occurred_latest": other.occurred_latest,
            "score": score,
        }
        for other, score in services.possible_duplicates(incident)
    ]


@router.post(
    "/reports/incidents/{code}/merge",
    response=IncidentOut,
    summary="Merge the incident named in the body into this one",
)
def merge_incident(request: HttpRequest, code: str, payload: CodeIn) -> dict[str, Any]:
    keep = access_incident(request.user, code, manage=True)
    duplicate = access_incident(request.user, payload.code, manage=True)
    services.merge_incidents(request.user, keep, duplicate)
    return _incident_out(request.user, access_incident(request.user, keep.code))


# Sitreps --------------------------------------------------------------------------------------


class SitrepOut(Schema):
    id: int
    url: str
    organization: OrganizationRef
    area: str
    area_name: str
    cutoff: datetime.datetime
    title: str
    summary: str
    status: str
    stale_after_days: int
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    published_at: datetime.datetime | None
    superseded_by_id: int | None

    @staticmethod
    def resolve_url(obj: Sitrep) -> str:
        return reverse("reports:sitrep-detail", args=[obj.pk])

    @staticmethod
    def resolve_area(obj: Sitrep) -> str:
        return obj.area.code if obj.area_id else NATIONAL_CODE  # type: ignore[union-attr]


class SitrepDetailOut(SitrepOut):
    frozen: bool
    snapshot_sha256: str | None
    figures: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    needs: dict[str, Any]


class SitrepIn(Schema):
    organization_id: int | None = Field(
        None, description="Needed when you are an analyst of several."
    )
    area: str = Field(NATIONAL_CODE, description="Area code; UA for the whole country.")
    cutoff: datetime.datetime
    title: str = Field("", max_length=200)
    summary: str = Field("", max_length=4000)
    stale_after_days: int = Field(7, ge=1, le=365)

    model_config = {"extra": "forbid"}


class SitrepFilters(Schema):
    area: str | None = None
    status: Sitrep.Status | None = None


SITREP_RELATIONS = ("organization", "area")


def _sitrep_detail(user: Any, pk: int) -> Sitrep:
    """The sitrep with its figures: the frozen snapshot once approved, else live."""
    sitrep = access_sitrep(user, pk)
    payload, frozen = services.sitrep_payload(sitrep)
    snapshot = getattr(sitrep, "snapshot", None) if frozen else None
    sitrep.frozen = frozen  # type: ignore[attr-defined]
    sitrep.snapshot_sha256 = snapshot.sha256 if snapshot else None  # type: ignore[attr-defined]
    sitrep.figures = payload["figures"]  # type: ignore[attr-defined]
    sitrep.incidents = payload["incidents"]  # type: ignore[attr-defined]
    sitrep.needs = payload["needs"]  # type: ignore[attr-defined]
    return sitrep


@router.get(
    "/reports/sitreps", response=list[SitrepOut], auth=anyone, summary="Sitreps this caller may see"
)
@paginate(LimitOffsetPagination)
def list_sitreps(request: HttpRequest, filters: Query[SitrepFilters]):  # type: ignore[no-untyped-def]
    sitreps = visible_sitreps(request.user).select_related(*SITREP_RELATIONS)
    if filters.area == NATIONAL_CODE:
        sitreps = sitreps.filter(area__isnull=True)
    elif filters.area:
        sitreps = sitreps.filter(area__code=filters.area)
    if filters.status:
        sitreps = sitreps.filter(status=filters.status)
    return sitreps.order_by("-cutoff", "-pk")


@router.post(
    "/reports/sitreps", response={201: SitrepDetailOut}, summary="Draft a sitrep (analysts)"
)
def create_sitrep(
    request: HttpRequest,
    response: HttpResponse,
    payload: SitrepIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Sitrep]:
    organizations = analyst_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied(_("Only analysts may draft sitreps."))
    if payload.organization_id is not None:
        organization = organizations.filter(pk=payload.organization_id).first()
    else:
        organization = organizations.first() if organizations.count() == 1 else None
    if organization is None:
        raise ValidationError({"organization_id": [_("Choose one of your organisations.")]})
    sitrep, created = services.create_sitrep(
        request.user,
        organization=organization,
        area=_area(payload.area),
        cutoff=_aware(payload.cutoff),  # type: ignore[arg-type]
        title=payload.title,
        summary=payload.summary,
        stale_after_days=payload.stale_after_days,
        idempotency_key=idempotency_key,
    )
    _replayed(response, created)
    return Status(201, _sitrep_detail(request.user, sitrep.pk))


@router.get("/reports/sitreps/{sitrep_id}", response=SitrepDetailOut, auth=anyone)
def get_sitrep(request: HttpRequest, sitrep_id: int) -> Sitrep:
    return _sitrep_detail(request.user, sitrep_id)


def _transition(request: HttpRequest, sitrep_id: int, service: Any, **kwargs: Any) -> Sitrep:
    sitrep = access_sitrep(request.user, sitrep_id, manage=True)
    service(request.user, sitrep, **kwargs)
    return _sitrep_detail(request.user, sitrep_id)


@router.post(
    "/reports/sitreps/{sitrep_id}/submit", response=SitrepDetailOut, summary="Send for review"
)
def submit_sitrep(request: HttpRequest, sitrep_id: int) -> Sitrep:
    return _transition(request, sitrep_id, services.submit_sitrep)


@router.post(
    "/reports/sitreps/{sitrep_id}/return", response=SitrepDetailOut, summary="Send back to draft"
)
def return_sitrep(request: HttpRequest, sitrep_id: int, payload: NoteIn) -> Sitrep:
    return _transition(request, sitrep_id, services.return_sitrep, note=payload.note)


@router.post(
    "/reports/sitreps/{sitrep_id}/approve",
    response=SitrepDetailOut,
    summary="Approve (someone other than the author): the figures are frozen",
)
def approve_sitrep(request: HttpRequest, sitrep_id: int) -> Sitrep:
    return _transition(request, sitrep_id, services.approve_sitrep)


@router.post("/reports/sitreps/{sitrep_id}/publish", response=SitrepDetailOut, summary="Publish")
def publish_sitrep(request: HttpRequest, sitrep_id: int) -> Sitrep:
    return _transition(request, sitrep_id, services.publish_sitrep)


# Media and verification -------------------------------------------------------------------------


class VerificationOut(Schema):
    id: int
    media_id: int
    claimed: str
    latitude: Decimal | None
    longitude: Decimal | None
    geolocation_method: str
    geolocation_confidence: str
    time_earliest: datetime.datetime | None
    time_latest: datetime.datetime | None
    provenance: str
    manipulation: str
    status: str
    proposed_status: str
    proposed_by_id: int | None
    confirmed_by_id: int | None
    confirmed_at: datetime.datetime | None


class MediaOut(Schema):
    id: int
    url: str
    kind: str
    platform: str
    uploader: str = Field(description="Analysts only, like every media endpoint.")
    first_seen_at: datetime.datetime
    caption: str
    sha256: str
    phash: str
    has_file: bool
    recycled: bool
    recycled_of_id: int | None
    incidents: list[dict[str, str]]
    verifications: list[VerificationOut]

    @staticmethod
    def resolve_has_file(obj: MediaItem) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_recycled(obj: MediaItem) -> bool:
        return obj.recycled_found_at is not None

    @staticmethod
    def resolve_incidents(obj: MediaItem) -> list[dict[str, str]]:
        return [{"code": link.incident.code, "relation": link.relation} for link in obj.links.all()]

    @staticmethod
    def resolve_verifications(obj: MediaItem) -> list[Verification]:
        return list(obj.verifications.all())


class MediaIn(Schema):
    url: str = Field("", max_length=1000)
    platform: MediaItem.Platform
    uploader: str = Field("", max_length=200)
    first_seen_at: datetime.datetime
    caption: str = Field("", max_length=4000)
    note: str = Field("", max_length=4000)


class MediaLinkIn(Schema):
    incident: str = Field(max_length=24)
    relation: str = Field("supports", description="supports or contradicts")


class VerificationIn(Schema):
    claimed: str = Field(max_length=4000)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    geolocation_method: str = Field("", max_length=4000)
    geolocation_confidence: str = Field("", description="low, medium or high")
    time_earliest: datetime.datetime | None = None
    time_latest: datetime.datetime | None = None
    provenance: str = Field("", max_length=4000)
    manipulation: str = Field("", max_length=4000)
    status: str = Field("undetermined", description="undetermined or in_progress")

    model_config = {"extra": "forbid"}


class VerificationPatch(Schema):
    claimed: str | None = Field(None, max_length=4000)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    geolocation_method: str | None = Field(None, max_length=4000)
    geolocation_confidence: str | None = None
    time_earliest: datetime.datetime | None = None
    time_latest: datetime.datetime | None = None
    provenance: str | None = Field(None, max_length=4000)
    manipulation: str | None = Field(None, max_length=4000)
    status: str | None = Field(None, description="undetermined or in_progress")

    model_config = {"extra": "forbid"}


class VerdictIn(Schema):
    status: str = Field(description="verified, false, misleading or inconclusive")


class ConfirmIn(Schema):
    agree: bool = True


MEDIA_PREFETCH = ("links__incident", "verifications")


def _media(user: Any, pk: int) -> MediaItem:
    access_media(user, pk)
    return MediaItem.objects.prefetch_related(*MEDIA_PREFETCH).get(pk=pk)


def _verification_fields(data: dict[str, Any]) -> dict[str, Any]:
    for field in ("time_earliest", "time_latest"):
        if field in data:
            data[field] = _aware(data[field])
    for field in (
        "claimed",
        "geolocation_method",
        "geolocation_confidence",
        "provenance",
        "manipulation",
    ):
        if field in data and data[field] is None:
            data[field] = ""
    if data.get("status") not in (
        None,
        Verification.Status.UNDETERMINED,
        Verification.Status.IN_PROGRESS,
    ):
        raise ValidationError(
            {"status": [_("A verdict is proposed, then confirmed by a second analyst.")]}
        )
    if "status" in data and data["status"] is None:
        del data["status"]
    return data


@router.get("/reports/media", response=list[MediaOut], summary="Media items (analysts)")
@paginate(LimitOffsetPagination)
def list_media(request: HttpRequest, recycled: bool | None = None):  # type: ignore[no-untyped-def]
    require_analyst(request.user)
    items = MediaItem.objects.prefetch_related(*MEDIA_PREFETCH).order_by("-first_seen_at", "-pk")
    if recycled is not None:
        items = items.filter(recycled_found_at__isnull=not recycled)
    return items


@router.post(
    "/reports/media",
    response={201: MediaOut},
    summary="Record a media item (analysts): a form with the fields, and `file` if you have it",
)
def create_media(
    request: HttpRequest,
    response: HttpResponse,
    payload: Form[MediaIn],
    file: File[UploadedFile] = None,  # type: ignore[assignment]
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[MediaItem]:
    require_analyst(request.user)
    data = payload.dict()
    data["first_seen_at"] = _aware(data["first_seen_at"])
    media, created = services.add_media(
        request.user, upload=file, idempotency_key=idempotency_key, **data
    )
    _replayed(response, created)
    return Status(201, _media(request.user, media.pk))


@router.get("/reports/media/{media_id}", response=MediaOut)
def get_media(request: HttpRequest, media_id: int) -> MediaItem:
    media = _media(request.user, media_id)
    record_event("reports.media.viewed", request=request, obj=media)
    return media


@router.post("/reports/media/{media_id}/links", response=MediaOut, summary="Link to an incident")
def link_media(request: HttpRequest, media_id: int, payload: MediaLinkIn) -> MediaItem:
    media = access_media(request.user, media_id)
    incident = access_incident(request.user, payload.incident, manage=True)
    services.link_media(request.user, media, incident, relation=payload.relation)
    return _media(request.user, media_id)


@router.post(
    "/reports/media/{media_id}/verifications",
    response={201: VerificationOut},
    summary="Start verifying a media item",
)
def create_verification(
    request: HttpRequest,
    response: HttpResponse,
    media_id: int,
    payload: VerificationIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Verification]:
    media = access_media(request.user, media_id)
    verification, created = services.start_verification(
        request.user, media, idempotency_key=idempotency_key, **_verification_fields(payload.dict())
    )
    _replayed(response, created)
    return Status(201, access_verification(request.user, verification.pk))


@router.patch("/reports/verifications/{verification_id}", response=VerificationOut)
def update_verification(
    request: HttpRequest, verification_id: int, payload: VerificationPatch
) -> Verification:
    verification = access_verification(request.user, verification_id)
    services.update_verification(
        request.user, verification, **_verification_fields(payload.dict(exclude_unset=True))
    )
    return access_verification(request.user, verification_id)


@router.post(
    "/reports/verifications/{verification_id}/propose",
    response=VerificationOut,
    summary="Propose the verdict; a second analyst confirms it",
)
def propose_verdict(request: HttpRequest, verification_id: int, payload: VerdictIn) -> Verification:
    verification = access_verification(request.user, verification_id)
    services.propose_verdict(request.user, verification, status=payload.status)
    return access_verification(request.user, verification_id)


@router.post(
    "/reports/verifications/{verification_id}/confirm",
    response=VerificationOut,
    summary="Confirm (or reject) another analyst's proposed verdict",
)
def confirm_verdict(request: HttpRequest, verification_id: int, payload: ConfirmIn) -> Verification:
    verification = access_verification(request.user, verification_id)
    services.confirm_verdict(request.user, verification, agree=payload.agree)
    return access_verification(request.user, verification_id)
