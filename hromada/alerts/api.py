import datetime
from typing import Any, Optional

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import create_model

from hromada.alerts import permissions, selectors, services
from hromada.alerts.models import (
    DESCRIPTION_MAX,
    EVENT_MAX,
    HEADLINE_MAX,
    INSTRUCTION_MAX,
    NOTE_MAX,
    Alert,
    AlertInfo,
    AlertTemplate,
    Category,
    Certainty,
    Channel,
    MsgType,
    ResponseType,
    Severity,
    Urgency,
)
from hromada.core.api_auth import anyone
from hromada.core.models import Area, Organization
from hromada.core.services import client_ip
from hromada.lib.pagination import LimitOffsetPagination

router = Router(tags=["alerts"])


class AlertAreaOut(Schema):
    description: str
    polygons: list[str]
    circles: list[str]
    geocodes: list[list[str]]


class InfoOut(Schema):
    language: str
    categories: list[str]
    event: str
    response_types: list[str]
    urgency: str
    severity: str
    certainty: str
    effective: datetime.datetime | None
    onset: datetime.datetime | None
    expires: datetime.datetime | None
    sender_name: str
    headline: str
    description: str
    instruction: str
    web: str
    contact: str
    areas: list[AlertAreaOut]

    @staticmethod
    def resolve_areas(obj: AlertInfo) -> list[Any]:
        return list(obj.areas.all())


class AlertOut(Schema):
    id: int
    identifier: str
    sender: str
    sent: datetime.datetime | None
    status: str
    msg_type: str
    scope: str
    state: str
    organization: str
    effective_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    severity: str
    urgency: str
    categories: list[str]
    area_codes: list[str]
    references: list[int]
    replaced_by: int | None = Field(None, alias="replaced_by_id")
    in_force: bool
    url: str
    cap_url: str
    infos: list[InfoOut]

    @staticmethod
    def resolve_organization(obj: Alert) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_categories(obj: Alert) -> list[str]:
        return obj.category_list

    @staticmethod
    def resolve_area_codes(obj: Alert) -> list[str]:
        return [a.code for a in obj.areas.all()]

    @staticmethod
    def resolve_references(obj: Alert) -> list[int]:
        return [r.pk for r in obj.references.all()]

    @staticmethod
    def resolve_in_force(obj: Alert) -> bool:
        return obj.is_current()

    @staticmethod
    def resolve_url(obj: Alert) -> str:
        return reverse("alerts:alert-detail", args=[obj.pk])

    @staticmethod
    def resolve_cap_url(obj: Alert) -> str:
        return reverse("alerts:alert-cap", args=[obj.pk])

    @staticmethod
    def resolve_infos(obj: Alert) -> list[Any]:
        return list(obj.infos.all())


def _text(limit: int, description: str = "") -> Any:
    return Field("", max_length=limit, description=description)


class AlertContent(Schema):
    """What an author writes. Texts: Ukrainian (``_uk``) and English (``_en``) event and
    headline are required; Russian (``_ru``) is optional."""

    status: str = Field("Actual", description="Actual, Exercise or Test")
    scope: str = Field("Public", description="Public or Restricted")
    restriction: str = _text(300)
    note: str = _text(NOTE_MAX, "For the approver")
    category: Category
    response_type: ResponseType | None = None
    urgency: Urgency = Urgency.IMMEDIATE
    severity: Severity
    certainty: Certainty = Certainty.OBSERVED
    effective: datetime.datetime | None = Field(None, description="Empty: when approved.")
    onset: datetime.datetime | None = None
    expires: datetime.datetime
    contact: str = _text(300)
    web: str = _text(500)
    area_codes: list[str] = Field(default_factory=list, max_length=200, description="KATOTTG codes")
    area_description: str = _text(500)
    polygon: str = Field(
        "", max_length=20000, description="lat,lon lat,lon …, closed; one per line"
    )
    circle: str = Field("", max_length=2000, description="lat,lon radius_km; one per line")
    event_uk: str = _text(EVENT_MAX)
    headline_uk: str = _text(HEADLINE_MAX)
    description_uk: str = _text(DESCRIPTION_MAX)
    instruction_uk: str = _text(INSTRUCTION_MAX)
    event_en: str = _text(EVENT_MAX)
    headline_en: str = _text(HEADLINE_MAX)
    description_en: str = _text(DESCRIPTION_MAX)
    instruction_en: str = _text(INSTRUCTION_MAX)
    event_ru: str = _text(EVENT_MAX)
    headline_ru: str = _text(HEADLINE_MAX)
    description_ru: str = _text(DESCRIPTION_MAX)
    instruction_ru: str = _text(INSTRUCTION_MAX)

    model_config = {"extra": "forbid"}


class AlertIn(AlertContent):
    organization_id: int | None = Field(None, description="Needed when you write for several.")


class StrictSchema(Schema):
    model_config = {"extra": "forbid"}


# A PATCH changes the content fields it names (the service checks lengths and values).
AlertPatch = create_model(
    "AlertPatch",
    __base__=StrictSchema,
    **{
        name: (Optional[field.annotation], None)  # noqa: UP045 -- the annotation is a runtime value
        for name, field in AlertContent.model_fields.items()
    },  # type: ignore[call-overload]
)


class CommentIn(Schema):
    comment: str = Field("", max_length=NOTE_MAX)


class FollowUpIn(Schema):
    msg_type: str = Field(description="Update or Cancel")
    template: str | None = Field(None, description="A template's code, e.g. all-clear")


class AlertFilters(Schema):
    area: str | None = Field(
        None, description="Area code: alerts for it, the areas it lies in, and its parts."
    )
    category: Category | None = None
    state: Alert.State | None = Field(
        None, description="Without it: real alerts in force now. Alert staff see their drafts."
    )


class TemplateOut(Schema):
    code: str
    name: str
    msg_type: str
    category: str
    response_type: str
    urgency: str
    severity: str
    certainty: str
    duration_minutes: int
    event_uk: str
    event_en: str
    headline_uk: str
    headline_en: str
    description_uk: str
    description_en: str
    instruction_uk: str
    instruction_en: str

    @staticmethod
    def resolve_duration_minutes(obj: AlertTemplate) -> int:
        return int(obj.duration.total_seconds() // 60)


class DisplayOut(Schema):
    id: int
    name: str
    organization: str
    area: str | None = Field(None, alias="area.code")
    languages: list[str]
    categories: list[str]
    last_seen_at: datetime.datetime | None
    dark: bool

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_dark(obj: Any) -> bool:
        return bool(obj.is_dark())


class SubscriptionIn(Schema):
    email: str = Field(max_length=254)
    areas: list[str] = Field(
        default_factory=list, max_length=200, description="Area codes; none: all"
    )
    categories: list[Category] = Field(default_factory=list)
    language: str = Field("uk", description="uk or en")
    min_severity: Severity | None = None
    consent: bool = Field(
        False,
        description="The person agreed to the consent text of the web form; recorded with its version.",
    )

    model_config = {"extra": "forbid"}


class Accepted(Schema):
    detail: str


ALERT_PREFETCH = (
    "areas",
    "references",
    Prefetch("infos", queryset=AlertInfo.objects.prefetch_related("areas")),
)


def _fresh(user: Any, pk: int) -> Alert:
    permissions.access_alert(user, pk)
    return Alert.objects.select_related("organization").prefetch_related(*ALERT_PREFETCH).get(pk=pk)


def _organization_for(user: Any, organization_id: int | None) -> Organization:
    choices = permissions.author_organizations(user)
    if organization_id is not None:
        org = choices.filter(pk=organization_id).first()
        if org is None:
            raise PermissionDenied(_("You do not write alerts for this organisation."))
        return org
    if not choices.exists():
        raise PermissionDenied(_("Only alert authors may write alerts."))
    if choices.count() > 1:
        raise ValidationError(
            {"organization_id": [_("You write for several organisations: choose one.")]}
        )
    return choices.get()


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None and k == "response_type" else v) for k, v in data.items()}


@router.get("/alerts", response=list[AlertOut], auth=anyone, summary="Alerts this caller may see")
@paginate(LimitOffsetPagination)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]):  # type: ignore[no-untyped-def]
    area = Area.objects.filter(code=filters.area).first() if filters.area else None
    if filters.area and area is None:
        raise ValidationError({"area": [_("Unknown area.")]})
    if filters.state:
        alerts = permissions.visible_alerts(request.user).filter(state=filters.state)
        if area is not None:
            alerts = alerts.for_area(area)
        if filters.category:
            alerts = alerts.with_category(filters.category)
        return (
            alerts.select_related("organization")
            .prefetch_related(*ALERT_PREFETCH)
            .order_by("-created_at", "-pk")
        )
    return selectors.current_alerts(
        request.user, area=area, category=filters.category or ""
    ).prefetch_related("areas", "references")


@router.get("/alerts/{alert_id}", response=AlertOut, auth=anyone)
def get_alert(request: HttpRequest, alert_id: int) -> Alert:
    return _fresh(request.user, alert_id)


@router.post(
    "/alerts",
    response={201: AlertOut},
    summary="Draft an alert (alert authors)",
    description="Send `Idempotency-Key` (a UUID) so that a retry returns the first draft.",
)
def create_alert(
    request: HttpRequest,
    response: HttpResponse,
    payload: AlertIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Alert]:
    data = payload.dict()
    organization = _organization_for(request.user, data.pop("organization_id"))
    alert, created = services.draft_alert(
        request.user,
        organization=organization,
        content=_content(data),
        idempotency_key=idempotency_key,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _fresh(request.user, alert.pk))


@router.patch("/alerts/{alert_id}", response=AlertOut, summary="Change a draft or returned alert")
def update_alert(request: HttpRequest, alert_id: int, payload: AlertPatch) -> Alert:  # type: ignore[valid-type]
    alert = permissions.access_alert(request.user, alert_id, edit=True)
    content = services.content_of(alert)
    content.update(_content(payload.dict(exclude_unset=True)))  # type: ignore[attr-defined]
    services.update_draft(request.user, alert, content)
    return _fresh(request.user, alert_id)


@router.delete("/alerts/{alert_id}", response={204: None}, summary="Delete a draft")
def delete_alert(request: HttpRequest, alert_id: int) -> Status[None]:
    alert = permissions.access_alert(request.user, alert_id, edit=True)
    services.discard_draft(request.user, alert)
    return Status(204, None)


@router.post("/alerts/{alert_id}/submit", response=AlertOut, summary="Send a draft for approval")
def submit_alert(request: HttpRequest, alert_id: int) -> Alert:
    alert = permissions.access_alert(request.user, alert_id, edit=True)
    services.submit_alert(request.user, alert)
    return _fresh(request.user, alert_id)


@router.post(
    "/alerts/{alert_id}/approve",
    response=AlertOut,
    summary="Publish a pending alert (an approver who did not write it)",
)
def approve_alert(request: HttpRequest, alert_id: int) -> Alert:
    alert = permissions.access_alert(request.user, alert_id, review=True)
    services.approve_alert(request.user, alert)
    return _fresh(request.user, alert_id)


@router.post(
    "/alerts/{alert_id}/return", response=AlertOut, summary="Return a pending alert with a comment"
)
def return_alert(request: HttpRequest, alert_id: int, payload: CommentIn) -> Alert:
    alert = permissions.access_alert(request.user, alert_id, review=True)
    services.return_alert(request.user, alert, comment=payload.comment)
    return _fresh(request.user, alert_id)


@router.post(
    "/alerts/{alert_id}/reject", response=AlertOut, summary="Reject an alert from an external feed"
)
def reject_alert(request: HttpRequest, alert_id: int, payload: CommentIn) -> Alert:
    alert = permissions.access_alert(request.user, alert_id, review=True)
    services.reject_alert(request.user, alert, comment=payload.comment)
    return _fresh(request.user, alert_id)


@router.post(
    "/alerts/{alert_id}/follow-up",
    response={201: AlertOut},
    summary="Draft an Update or a Cancel of an alert in force",
)
def follow_up(
    request: HttpRequest,
    alert_id: int,
    payload: FollowUpIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[Alert]:
    alert = permissions.access_alert(request.user, alert_id, edit=True)
    if payload.msg_type not in (MsgType.UPDATE, MsgType.CANCEL):
        raise ValidationError({"msg_type": [_("A follow-up is an update or a cancellation.")]})
    template = None
    if payload.template:
        template = AlertTemplate.objects.filter(code=payload.template, is_active=True).first()
        if template is None:
            raise ValidationError({"template": [_("Unknown template.")]})
    draft, _created = services.start_follow_up(
        request.user,
        alert,
        msg_type=payload.msg_type,
        template=template,
        idempotency_key=idempotency_key,
    )
    return Status(201, _fresh(request.user, draft.pk))


@router.get("/alert-templates", response=list[TemplateOut], summary="Templates you may start from")
def list_templates(request: HttpRequest) -> list[AlertTemplate]:
    return services.templates_for(request.user)


@router.get(
    "/alert-displays", response=list[DisplayOut], summary="Screens and when they last checked in"
)
def list_displays(request: HttpRequest) -> list[Any]:
    if not permissions.may_manage_displays(request.user):
        raise PermissionDenied
    return list(permissions.managed_displays(request.user))


@router.post(
    "/alert-subscriptions",
    response={202: Accepted},
    auth=anyone,
    summary="Subscribe an e-mail address (a confirmation link is sent first)",
)
def subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, str]]:
    areas = list(Area.objects.filter(code__in=payload.areas))
    unknown = set(payload.areas) - {a.code for a in areas}
    if unknown:
        raise ValidationError(
            {"areas": [_("Unknown area: %(codes)s") % {"codes": ", ".join(sorted(unknown))}]}
        )
    if payload.language not in ("uk", "en"):
        raise ValidationError(
            {"language": [_("Choose one of: %(values)s.") % {"values": "uk, en"}]}
        )
    services.subscribe(
        channel=Channel.EMAIL,
        address=payload.email,
        areas=areas,
        categories=list(payload.categories),
        language=payload.language,
        min_severity=payload.min_severity or "",
        user=request.user,
        ip=client_ip(request),
        consent=payload.consent,
    )
    return Status(
        202, {"detail": _("If the address can receive mail, a confirmation link is on its way.")}
    )
