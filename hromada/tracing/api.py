import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from hromada.core.api_auth import anyone
from hromada.core.services import client_ip
from hromada.lib.pagination import LimitOffsetPagination
from hromada.tracing import selectors, services
from hromada.tracing.models import (
    Disclosure,
    DisclosureRecord,
    Inquiry,
    Match,
    PersonRecord,
    PersonStatus,
    Sex,
    Source,
)
from hromada.tracing.permissions import (
    access_inquiry,
    access_match,
    access_record,
    require_caseworker,
)

router = Router(tags=["tracing"])


class SearchFilters(Schema):
    q: str = Field(min_length=2, max_length=200, description="A name in any script or spelling.")
    birth_year: int | None = Field(None, ge=1900, le=2100)
    sex: Sex | None = None
    place: str | None = Field(None, max_length=200)
    limit: int = Field(10, ge=1, le=50)


class HitOut(Schema):
    id: int
    score: float
    given_name: str
    family_name: str
    patronymic: str
    birth_year: int | None
    sex: str
    status: str
    source: str
    reasons: list[str]


class RecordOut(Schema):
    id: int
    given_name: str
    family_name: str
    patronymic: str
    other_names: str
    name_script: str
    sex: str
    birth_date: datetime.date | None
    birth_year: int | None
    age_estimate: int | None
    status: str
    is_combatant: bool
    last_seen_place: str
    last_seen_at: datetime.date | None
    last_seen_circumstances: str
    current_location: str
    description: str
    source: str
    source_ref: str
    contact: str
    disclosure: str
    disclosure_to: str
    expiry_date: datetime.date | None
    created_at: datetime.datetime


class RecordIn(Schema):
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    patronymic: str = Field("", max_length=100)
    other_names: str = Field("", max_length=300)
    sex: Sex = Sex.UNKNOWN
    birth_date: datetime.date | None = None
    birth_year: int | None = Field(None, ge=1900, le=2100)
    age_estimate: int | None = Field(None, ge=0, le=120)
    status: PersonStatus = PersonStatus.UNKNOWN
    is_combatant: bool = False
    last_seen_place: str = Field("", max_length=200)
    last_seen_at: datetime.date | None = None
    last_seen_circumstances: str = Field("", max_length=4000)
    current_location: str = Field("", max_length=300)
    description: str = Field("", max_length=4000)
    source: Source = Source.FIELD
    source_ref: str = Field("", max_length=200)
    contact: str = Field("", max_length=300)
    disclosure: Disclosure = Disclosure.NOT_ASKED
    disclosure_to: str = Field("", max_length=300)
    expiry_date: datetime.date | None = None

    model_config = {"extra": "forbid"}


class InquiryIn(Schema):
    inquirer_name: str = Field(max_length=200)
    inquirer_contact: str = Field(max_length=300)
    inquirer_relationship: str = Field("", max_length=100)
    inquirer_country: str = Field("", max_length=100)
    message: str = Field("", max_length=2000)
    family_name: str = Field("", max_length=100)
    given_name: str = Field("", max_length=100)
    patronymic: str = Field("", max_length=100)
    other_names: str = Field("", max_length=300)
    sex: Sex = Sex.UNKNOWN
    birth_year: int | None = Field(None, ge=1900, le=2100)
    last_seen_place: str = Field("", max_length=200)
    last_seen_at: datetime.date | None = None
    description: str = Field("", max_length=2000)
    consent: bool = Field(
        False,
        description="The person agreed to the consent text of the web form; recorded with its version.",
    )

    model_config = {"extra": "forbid"}


class InquiryReceipt(Schema):
    reference: str
    message: str


class InquiryOut(Schema):
    id: int
    reference: str
    status: str
    close_reason: str
    inquirer_name: str
    inquirer_contact: str
    inquirer_relationship: str
    inquirer_country: str
    language: str
    message: str
    sought: RecordOut
    found_id: int | None
    created_at: datetime.datetime


class MatchOut(Schema):
    id: int
    left_id: int
    right_id: int
    inquiry_id: int | None
    score: float
    status: str
    reasons: list[str]
    created_at: datetime.datetime

    @staticmethod
    def resolve_reasons(obj: Match) -> list[str]:
        return selectors.explain_all(obj.reasons)


class MatchFilters(Schema):
    status: Match.Status = Match.Status.PROPOSED


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)


class DisclosureIn(Schema):
    what: DisclosureRecord.What
    recipient: str = Field(min_length=1, max_length=200)
    basis: DisclosureRecord.Basis
    note: str = Field("", max_length=2000)


class DisclosureOut(Schema):
    id: int
    record_id: int
    inquiry_id: int | None
    what: str
    recipient: str
    basis: str
    disclosed_at: datetime.datetime


@router.get(
    "/tracing/search",
    response=list[HitOut],
    summary="Search records by name (caseworkers)",
    description=(
        "Ranked records for a name in any script or spelling, with a score 0..1 and the "
        "reasons. Every search is written to the audit log; searches are rate-limited per user "
        "(429 with Retry-After)."
    ),
)
def search(request: HttpRequest, response: HttpResponse, filters: Query[SearchFilters]) -> Any:
    hits = services.search_records(
        request.user,
        q=filters.q,
        birth_year=filters.birth_year,
        sex=filters.sex or "",
        place=filters.place or "",
        limit=filters.limit,
        request=request,
    )
    rows = selectors.hit_rows(request.user, hits)
    return [
        {
            "id": row.record.pk,
            "score": row.score,
            "given_name": row.record.given_name,
            "family_name": row.record.family_name,
            "patronymic": row.record.patronymic,
            "birth_year": row.record.known_birth_year,
            "sex": row.record.sex,
            "status": row.record.status,
            "source": row.record.source,
            "reasons": row.reasons,
        }
        for row in rows
    ]


@router.get("/tracing/records/{record_id}", response=RecordOut, summary="One record (audited)")
def get_record(request: HttpRequest, record_id: int) -> PersonRecord:
    record = access_record(request.user, record_id)
    services.read_record(request.user, record, request=request)
    return record


@router.post(
    "/tracing/records",
    response={201: RecordOut},
    summary="Record a person (caseworkers)",
    description="Send `Idempotency-Key` (a UUID) so that a retry does not make a second record.",
)
def create_record(
    request: HttpRequest,
    response: HttpResponse,
    payload: RecordIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[PersonRecord]:
    data = payload.dict()
    record, created = services.create_record(request.user, idempotency_key=idempotency_key, **data)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, record)


@router.post(
    "/tracing/inquiries",
    response={201: InquiryReceipt},
    auth=anyone,
    summary="Ask for a person (anyone)",
    description=(
        "Anyone may ask. The answer is a reference and nothing else: whether the person is "
        "on any list is never revealed here. A caseworker answers through the contact given."
    ),
)
def file_inquiry(
    request: HttpRequest,
    response: HttpResponse,
    payload: InquiryIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, str]]:
    data = {k: v for k, v in payload.dict().items() if v is not None}
    inquiry, created = services.file_inquiry(
        request.user,
        ip=client_ip(request),
        idempotency_key=idempotency_key,
        language=get_language() or "",
        **data,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(
        201,
        {
            "reference": inquiry.reference,
            "message": _("A caseworker will answer you. Keep the reference."),
        },
    )


@router.get("/tracing/inquiries", response=list[InquiryOut], summary="Inquiries (caseworkers)")
@paginate(LimitOffsetPagination)
def list_inquiries(request: HttpRequest, status: Inquiry.Status | None = None):  # type: ignore[no-untyped-def]
    require_caseworker(request.user)
    return selectors.inquiries(request.user, status=status or "").select_related("sought")


@router.get("/tracing/inquiries/{inquiry_id}", response=InquiryOut, summary="One inquiry (audited)")
def get_inquiry(request: HttpRequest, inquiry_id: int) -> Inquiry:
    inquiry = access_inquiry(request.user, inquiry_id)
    services.read_inquiry(request.user, inquiry, request=request)
    return inquiry


@router.get("/tracing/matches", response=list[MatchOut], summary="Proposed or decided matches")
@paginate(LimitOffsetPagination)
def list_matches(request: HttpRequest, filters: Query[MatchFilters]):  # type: ignore[no-untyped-def]
    require_caseworker(request.user)
    return selectors.matches(request.user, status=filters.status)


@router.post(
    "/tracing/matches/{match_id}/confirm", response=MatchOut, summary="Confirm: the same person"
)
def confirm_match(request: HttpRequest, match_id: int, payload: DecisionIn) -> Match:
    match = access_match(request.user, match_id)
    return services.decide_match(
        request.user, match, confirm=True, note=payload.note, request=request
    )


@router.post(
    "/tracing/matches/{match_id}/reject", response=MatchOut, summary="Reject: not the same person"
)
def reject_match(request: HttpRequest, match_id: int, payload: DecisionIn) -> Match:
    match = access_match(request.user, match_id)
    return services.decide_match(
        request.user, match, confirm=False, note=payload.note, request=request
    )


@router.post(
    "/tracing/inquiries/{inquiry_id}/disclosures",
    response={201: DisclosureOut},
    summary="Record what was passed on to whom",
    description=(
        "Refused (422) when the found person refused, named other people, is a child and the "
        "recipient is not a verified guardian, or is a detained or killed combatant."
    ),
)
def disclose(
    request: HttpRequest, inquiry_id: int, payload: DisclosureIn
) -> Status[DisclosureRecord]:
    inquiry = access_inquiry(request.user, inquiry_id)
    if inquiry.found is None:
        raise HttpError(422, _("Confirm a match before recording a disclosure."))
    disclosure = services.record_disclosure(
        request.user,
        record=inquiry.found,
        inquiry=inquiry,
        what=payload.what,
        recipient=payload.recipient,
        basis=payload.basis,
        note=payload.note,
        request=request,
    )
    return Status(201, disclosure)
