"""Every rule about alerts. Pages, the API, the bot, tasks and commands change alerts,
displays and subscriptions only through here.

The workflow: an author drafts (``draft_alert``, ``update_draft``) and submits
(``submit_alert``); an approver of the same organisation who did not write it publishes
(``approve_alert``) or returns it with a comment (``return_alert``). A published alert never
changes; ``start_follow_up`` drafts an Update (a correction, an all clear) or a Cancel (a
withdrawal) that goes through the same two hands. Alerts from external feeds arrive through
``receive_alert``: published at once from a trusted sender, otherwise pending an approver.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
import uuid
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hromada.alerts import cap, conf
from hromada.alerts.models import (
    AREA_DESC_MAX,
    DESCRIPTION_MAX,
    EVENT_MAX,
    HEADLINE_MAX,
    INSTRUCTION_MAX,
    LANGUAGE_CODES,
    NOTE_MAX,
    REQUIRED_LANGUAGES,
    Alert,
    AlertArea,
    AlertInfo,
    AlertTemplate,
    Category,
    Certainty,
    Channel,
    Display,
    Feed,
    MsgType,
    ResponseType,
    Scope,
    Severity,
    Status,
    Subscription,
    Urgency,
    new_display_token,
)
from hromada.alerts.permissions import APPROVERS, AUTHORS, DISPLAY_MANAGERS, may_author
from hromada.core import permissions, privacy
from hromada.core.idempotency import create_once
from hromada.core.models import Area, Organization
from hromada.core.services import record_event
from hromada.lib import ratelimit

# What an author writes: the fields of the draft form and of the API, flat.
TEXT_FIELDS = ("event", "headline", "description", "instruction")
TEXT_LIMITS = {
    "event": EVENT_MAX,
    "headline": HEADLINE_MAX,
    "description": DESCRIPTION_MAX,
    "instruction": INSTRUCTION_MAX,
}
COMMON_FIELDS = (
    "status", "scope", "restriction", "note", "category", "response_type", "urgency", "severity",
    "certainty", "effective", "onset", "expires", "contact", "web", "area_codes",
    "area_description", "polygon", "circle",
)  # fmt: skip
CONTENT_FIELDS = COMMON_FIELDS + tuple(
    f"{f}_{lang}" for lang in LANGUAGE_CODES for f in TEXT_FIELDS
)
# Statuses an author may choose: a real alert, a drill, or a test of the system.
AUTHORED_STATUSES = (Status.ACTUAL, Status.EXERCISE, Status.TEST)
AUTHORED_SCOPES = (Scope.PUBLIC, Scope.RESTRICTED)

# Markup in what should be plain text: a tag, comment, CDATA or processing instruction, or an
# entity reference. Plain "<" and "&" (as in "5 < 10", "Tom & Jerry") are fine.
MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
# Characters XML 1.0 cannot carry at all (and no screen can show).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CAP_FORBIDDEN = re.compile(r"[\s,<&]")
PLACEHOLDER = "…"
CONFIRMATION_EVERY = 3600  # seconds between two confirmation mails to one address


def default_content() -> dict[str, Any]:
    content: dict[str, Any] = dict.fromkeys(CONTENT_FIELDS, "")
    content.update(
        status=Status.ACTUAL,
        scope=Scope.PUBLIC,
        urgency=Urgency.IMMEDIATE,
        severity=Severity.SEVERE,
        certainty=Certainty.OBSERVED,
        effective=None,
        onset=None,
        expires=None,
        area_codes=[],
    )
    return content


# Checking what an author wrote ------------------------------------------------------------


def plain_text_error(value: str) -> str | None:
    if CONTROL.search(value):
        return _("Remove the invisible control characters from this text.")
    if MARKUP.search(value):
        return _(
            "Write plain text: tags such as <b> and entities such as &amp;amp; are not allowed "
            "(they could change the alert's XML)."
        )
    return None


def _coordinate(text: str) -> tuple[float, float]:
    lat_s, _sep, lon_s = text.partition(",")
    lat, lon = float(lat_s), float(lon_s)  # ValueError when not numbers
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(text)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(text)
    return lat, lon


def parse_polygons(text: str) -> list[str]:
    """Polygons in CAP's form, one per line: "lat,lon lat,lon …", at least four points,
    the last repeating the first. Returns them normalised; raises ValidationError."""
    polygons = []
    for line in text.splitlines():
        points = line.split()
        if not points:
            continue
        try:
            coordinates = [_coordinate(p) for p in points]
        except ValueError:
            raise ValidationError(
                {"polygon": _("Write each point as latitude,longitude (e.g. 50.31,34.89).")}
            ) from None
        if len(coordinates) < 4:
            raise ValidationError(
                {
                    "polygon": _(
                        "A polygon needs at least four points (the last one repeats the first)."
                    )
                }
            )
        if coordinates[0] != coordinates[-1]:
            raise ValidationError(
                {"polygon": _("The polygon is not closed: its last point must repeat its first.")}
            )
        polygons.append(" ".join(f"{lat},{lon}" for lat, lon in coordinates))
    return polygons


def parse_circles(text: str) -> list[str]:
    """Circles in CAP's form, one per line: "lat,lon radius" with the radius in km."""
    circles = []
    for line in text.splitlines():
        if not line.strip():
            continue
        centre, _sep, radius = line.strip().partition(" ")
        try:
            lat, lon = _coordinate(centre)
            km = float(radius)
            if not math.isfinite(km) or km <= 0 or km > 1000:
                raise ValueError(radius)
        except ValueError:
            raise ValidationError(
                {
                    "circle": _(
                        "Write a circle as latitude,longitude radius-in-km (e.g. 50.31,34.89 2)."
                    )
                }
            ) from None
        circles.append(f"{lat},{lon} {km:g}")
    return circles


def _aware(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    raise ValidationError(_("Enter a date and time."))


def check_content(
    content: dict[str, Any], *, msg_type: str, now: datetime.datetime | None = None, sending: bool
) -> dict[str, Any]:
    """Check a draft's content as a whole; return it cleaned, or raise ValidationError with
    every problem at once, keyed by field. ``sending``: about to be submitted or published,
    so it must not have expired already."""
    now = now or timezone.now()
    data = default_content()
    data.update({k: v for k, v in content.items() if k in CONTENT_FIELDS})
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in CONTENT_FIELDS:
        if isinstance(data[field], str):
            data[field] = data[field].strip()
            problem = plain_text_error(data[field])
            if problem:
                error(field, problem)

    choices = {
        "status": AUTHORED_STATUSES,
        "scope": AUTHORED_SCOPES,
        "category": Category.values,
        "urgency": Urgency.values,
        "severity": Severity.values,
        "certainty": Certainty.values,
    }
    for field, allowed in choices.items():
        if not data[field]:
            error(field, _("This field is required."))
        elif data[field] not in allowed:
            error(field, _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)})
    if data["response_type"] and data["response_type"] not in ResponseType.values:
        error(
            "response_type",
            _("Choose one of: %(values)s.") % {"values": ", ".join(ResponseType.values)},
        )
    if data["scope"] == Scope.RESTRICTED and not data["restriction"]:
        error("restriction", _("Say who a restricted alert is for."))
    if len(data["note"]) > NOTE_MAX:
        error("note", _("At most %(n)s characters.") % {"n": NOTE_MAX})
    if len(data["contact"]) > 300:
        error("contact", _("At most %(n)s characters.") % {"n": 300})
    if data["web"]:
        try:
            URLValidator(schemes=["http", "https"])(data["web"])
        except ValidationError:
            error("web", _("Enter a web address starting with https://"))

    # Texts: Ukrainian and English always; Russian when any of it is written.
    languages = [
        lang
        for lang in LANGUAGE_CODES
        if lang in REQUIRED_LANGUAGES or any(data[f"{f}_{lang}"] for f in TEXT_FIELDS)
    ]
    for lang in languages:
        for field in ("event", "headline"):
            if not data[f"{field}_{lang}"]:
                error(f"{field}_{lang}", _("This field is required."))
    for lang in LANGUAGE_CODES:
        for field, limit in TEXT_LIMITS.items():
            if len(data[f"{field}_{lang}"]) > limit:
                error(
                    f"{field}_{lang}",
                    _("At most %(n)s characters (this has %(count)s).")
                    % {"n": limit, "count": len(data[f"{field}_{lang}"])},
                )
    data["languages"] = languages
    if sending:
        # The templates mark with "…" what the author must fill in (a place, a time).
        for lang in languages:
            for field in TEXT_FIELDS:
                if PLACEHOLDER in data[f"{field}_{lang}"]:
                    error(f"{field}_{lang}", _("Fill in the parts marked “…” before sending."))

    # Times.
    for field in ("effective", "onset", "expires"):
        try:
            data[field] = _aware(data[field])
        except ValidationError as e:
            error(field, e.messages[0])
            data[field] = None
    if data["expires"] is None:
        error("expires", _("Say until when the alert is in force; an update can extend it."))
    elif data["onset"] is not None and data["expires"] <= data["onset"]:
        error("expires", _("The alert would expire before its onset."))
    elif sending and data["expires"] <= now:
        error("expires", _("This time has passed: the alert would never be shown."))
    elif data["expires"] <= (data["effective"] or now):
        error("expires", _("The alert would expire before it takes effect."))

    # Where: areas from the list, and/or a described polygon or circle.
    codes = [str(c) for c in (data["area_codes"] or [])]
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in areas]
    if unknown:
        error("area_codes", _("Unknown area: %(codes)s") % {"codes": ", ".join(unknown)})
    data["areas"] = [areas[c] for c in codes if c in areas]
    try:
        data["polygons"] = parse_polygons(data["polygon"])
    except ValidationError as e:
        errors.setdefault("polygon", []).extend(e.message_dict["polygon"])
        data["polygons"] = []
    try:
        data["circles"] = parse_circles(data["circle"])
    except ValidationError as e:
        errors.setdefault("circle", []).extend(e.message_dict["circle"])
        data["circles"] = []
    if len(data["area_description"]) > AREA_DESC_MAX:
        error("area_description", _("At most %(n)s characters.") % {"n": AREA_DESC_MAX})
    if (data["polygon"] or data["circle"]) and not data["area_description"]:
        error("area_description", _("Describe the area in words as well, for people to read."))
    if not (codes or data["polygon"] or data["circle"] or data["area_description"]):
        error("area_codes", _("Say where: choose an area, or describe one."))

    if msg_type not in (MsgType.ALERT, MsgType.UPDATE, MsgType.CANCEL):
        error("__all__", _("Authors write alerts, updates and cancellations only."))
    if errors:
        raise ValidationError(errors)
    return data


# Writing the rows ------------------------------------------------------------------------


def _write_content(alert: Alert, data: dict[str, Any]) -> None:
    """Replace the alert's info blocks and areas with ``data`` (checked), and summarise."""
    alert.infos.all().delete()
    for position, lang in enumerate(data["languages"]):
        info = AlertInfo.objects.create(
            alert=alert,
            position=position,
            language=lang,
            categories=[data["category"]],
            event=data[f"event_{lang}"],
            response_types=[data["response_type"]] if data["response_type"] else [],
            urgency=data["urgency"],
            severity=data["severity"],
            certainty=data["certainty"],
            effective=data["effective"],
            onset=data["onset"],
            expires=data["expires"],
            sender_name=alert.organization.name,
            headline=data[f"headline_{lang}"],
            description=data[f"description_{lang}"],
            instruction=data[f"instruction_{lang}"],
            web=data["web"],
            contact=data["contact"],
        )
        rows = [
            AlertArea(
                info=info,
                position=i,
                description=area.name_en if lang == "en" else area.name_uk,
                geocodes=[[cap.KATOTTG, area.code]],
                area=area,
            )
            for i, area in enumerate(data["areas"])
        ]
        if data["area_description"]:
            rows.append(
                AlertArea(
                    info=info,
                    position=len(rows),
                    description=data["area_description"],
                    polygons=data["polygons"],
                    circles=data["circles"],
                )
            )
        AlertArea.objects.bulk_create(rows)
    alert.areas.set(data["areas"])
    alert.summarise(list(alert.infos.all()))
    alert.save(update_fields=["effective_at", "expires_at", "severity", "urgency", "categories"])


def content_of(alert: Alert) -> dict[str, Any]:
    """What the author wrote, read back from the rows (for the edit form and follow-ups)."""
    content = default_content()
    content.update(
        status=alert.status, scope=alert.scope, restriction=alert.restriction, note=alert.note
    )
    infos = list(alert.infos.prefetch_related("areas__area"))
    if not infos:
        return content
    first = infos[0]
    content.update(
        category=first.categories[0] if first.categories else "",
        response_type=first.response_types[0] if first.response_types else "",
        urgency=first.urgency,
        severity=first.severity,
        certainty=first.certainty,
        effective=first.effective,
        onset=first.onset,
        expires=first.expires,
        contact=first.contact,
        web=first.web,
    )
    areas = list(first.areas.all())
    content["area_codes"] = [a.area.code for a in areas if a.area is not None]
    free = [a for a in areas if a.area is None]
    if free:
        content.update(
            area_description=free[0].description,
            polygon="\n".join(free[0].polygons),
            circle="\n".join(free[0].circles),
        )
    for info in infos:
        if info.lang in LANGUAGE_CODES:
            for field in TEXT_FIELDS:
                content[f"{field}_{info.lang}"] = getattr(info, field)
    return content


def _require_author(actor: Any, organization: Organization) -> None:
    if not permissions.has_role(actor, organization.pk, *AUTHORS):
        raise PermissionDenied(
            _("Only alert authors of %(org)s may write its alerts.") % {"org": organization}
        )


def new_identifier() -> str:
    return f"hromada-{uuid.uuid4()}"


def sender() -> str:
    value = str(conf.get("ALERTS_SENDER"))
    return CAP_FORBIDDEN.sub("", value) or "hromada@localhost"


@transaction.atomic
def draft_alert(
    actor: Any,
    *,
    organization: Organization,
    content: dict[str, Any],
    msg_type: str = MsgType.ALERT,
    references: list[Alert] | None = None,
    idempotency_key: str | None = None,
) -> tuple[Alert, bool]:
    """Write a new draft for ``organization``. Returns (alert, created); with an idempotency
    key a replay returns the first draft. Drafts may be incomplete in time only: everything
    else is checked now, so the author sees every problem while writing."""
    _require_author(actor, organization)
    references = references or []
    data = check_content(content, msg_type=msg_type, sending=False)
    _check_references(actor, organization, msg_type, references)

    def create() -> Alert:
        alert = Alert.objects.create(
            identifier=new_identifier(),
            sender=sender(),
            status=data["status"],
            msg_type=msg_type,
            scope=data["scope"],
            restriction=data["restriction"],
            note=data["note"],
            organization=organization,
            created_by=actor,
        )
        alert.references.set(references)
        alert.editors.add(actor)
        _write_content(alert, data)
        return alert

    return create_once(
        scope="alerts.alert.create", key=idempotency_key, actor=actor, model=Alert, create=create
    )


def _check_references(
    actor: Any, organization: Organization, msg_type: str, references: list[Alert]
) -> None:
    if msg_type in (MsgType.UPDATE, MsgType.CANCEL) and not references:
        raise ValidationError(
            {"references": _("An update or a cancellation must name the alert it follows.")}
        )
    if msg_type == MsgType.ALERT and references:
        raise ValidationError(
            {"references": _("A new alert references nothing; send an update instead.")}
        )
    for ref in references:
        if ref.organization_id != organization.pk:
            raise ValidationError(
                {
                    "references": _(
                        "Only alerts of the same organisation can be updated or cancelled."
                    )
                }
            )
        if not ref.is_current():
            raise ValidationError(
                {
                    "references": _(
                        "“%(alert)s” is no longer in force (expired, cancelled or already updated)."
                    )
                    % {"alert": ref}
                }
            )


@transaction.atomic
def update_draft(actor: Any, alert: Alert, content: dict[str, Any]) -> Alert:
    """Change a draft or a returned alert. Whoever changes it becomes one of its writers."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _require_author(actor, alert.organization)
    if alert.is_incoming:
        raise PermissionDenied(_("Alerts from an external feed cannot be changed here."))
    if not alert.is_editable:
        raise ValidationError(
            _("This alert is %(state)s and can no longer be changed.")
            % {"state": alert.get_state_display().lower()}
        )
    data = check_content(content, msg_type=alert.msg_type, sending=False)
    alert.status, alert.scope = data["status"], data["scope"]
    alert.restriction, alert.note = data["restriction"], data["note"]
    alert.save()
    alert.editors.add(actor)
    _write_content(alert, data)
    return alert


@transaction.atomic
def submit_alert(actor: Any, alert: Alert, *, now: datetime.datetime | None = None) -> Alert:
    """Send a draft (or a returned alert) to the approvers."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _require_author(actor, alert.organization)
    if alert.state == Alert.State.PENDING:
        return alert
    if not alert.is_editable or alert.is_incoming:
        raise ValidationError(_("Only a draft or a returned alert can be submitted."))
    check_content(content_of(alert), msg_type=alert.msg_type, now=now, sending=True)
    _check_references(actor, alert.organization, alert.msg_type, list(alert.references.all()))
    alert.state = Alert.State.PENDING
    alert.submitted_at = now or timezone.now()
    alert.save()
    return alert


def _require_approver(actor: Any, alert: Alert) -> None:
    if not permissions.has_role(actor, alert.organization_id, *APPROVERS):
        raise PermissionDenied(
            _("Only alert approvers of %(org)s may publish or return its alerts.")
            % {"org": alert.organization}
        )


def _require_waiting(alert: Alert) -> None:
    if alert.state != Alert.State.PENDING:
        raise ValidationError(
            _("This alert is not waiting for approval (it is %(state)s).")
            % {"state": alert.get_state_display().lower()}
        )


@transaction.atomic
def approve_alert(actor: Any, alert: Alert, *, now: datetime.datetime | None = None) -> Alert:
    """Publish a pending alert: it reaches the screens, the feeds and the subscribers.

    The two-person rule: nobody who wrote or changed an alert may publish it. An Update or a
    Cancel takes the place of the alerts it references, which leave every screen.
    """
    alert = Alert.objects.select_for_update().select_related("organization").get(pk=alert.pk)
    _require_approver(actor, alert)
    _require_waiting(alert)
    if alert.editors.filter(pk=actor.pk).exists() or alert.created_by_id == actor.pk:
        raise PermissionDenied(
            _(
                "You wrote or changed this alert, so another approver must publish it "
                "(two-person rule)."
            )
        )
    now = now or timezone.now()
    references = list(Alert.objects.select_for_update().filter(referenced_by=alert))
    if not alert.is_incoming:
        check_content(content_of(alert), msg_type=alert.msg_type, now=now, sending=True)
        _check_references(actor, alert.organization, alert.msg_type, references)
        alert.sent = now
    return _publish(alert, references, reviewer=actor, now=now)


def _publish(
    alert: Alert, references: list[Alert], *, reviewer: Any, now: datetime.datetime
) -> Alert:
    alert.state = Alert.State.PUBLISHED
    alert.published_at = now
    alert.reviewed_by = reviewer if getattr(reviewer, "is_authenticated", False) else None
    alert.reviewed_at = now
    alert.summarise(list(alert.infos.all()))
    if not alert.original_xml:
        problems = cap.schema_errors(cap.build_alert(alert))
        if problems:  # a bug of ours, never the author's: refuse rather than publish bad CAP
            raise ValidationError(
                _("The CAP message would not be valid: %(e)s") % {"e": problems[0]}
            )
    alert.save()
    Alert.objects.filter(pk__in=[r.pk for r in references], replaced_by__isnull=True).update(
        replaced_by=alert
    )
    record_event(
        "alerts.published",
        actor=reviewer,
        obj=alert,
        msg_type=alert.msg_type,
        references=[r.pk for r in references],
    )
    from hromada.alerts.delivery import queue_deliveries

    queue_deliveries(alert)
    return alert


@transaction.atomic
def return_alert(actor: Any, alert: Alert, *, comment: str) -> Alert:
    """Send a pending alert back to its author with a comment saying what to change."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _require_approver(actor, alert)
    _require_waiting(alert)
    if alert.is_incoming:
        raise ValidationError(_("An alert from a feed has no author here: publish or reject it."))
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the author should change.")})
    if len(comment) > NOTE_MAX or plain_text_error(comment):
        raise ValidationError(
            {
                "comment": plain_text_error(comment)
                or _("At most %(n)s characters.") % {"n": NOTE_MAX}
            }
        )
    alert.state = Alert.State.RETURNED
    alert.reviewed_by, alert.reviewed_at, alert.review_comment = actor, timezone.now(), comment
    alert.save()
    record_event("alerts.returned", actor=actor, obj=alert)
    return alert


@transaction.atomic
def reject_alert(actor: Any, alert: Alert, *, comment: str = "") -> Alert:
    """Turn down an alert from an external feed: it is never shown."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _require_approver(actor, alert)
    _require_waiting(alert)
    if not alert.is_incoming:
        raise ValidationError(_("Return your colleagues' alerts with a comment instead."))
    alert.state = Alert.State.REJECTED
    alert.reviewed_by, alert.reviewed_at = actor, timezone.now()
    alert.review_comment = comment.strip()[:NOTE_MAX]
    alert.save()
    record_event("alerts.rejected", actor=actor, obj=alert)
    return alert


@transaction.atomic
def discard_draft(actor: Any, alert: Alert) -> None:
    """Delete a draft nobody has published."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _require_author(actor, alert.organization)
    if not alert.is_editable or alert.is_incoming:
        raise ValidationError(_("Only drafts and returned alerts can be discarded."))
    alert.delete()


@transaction.atomic
def start_follow_up(
    actor: Any,
    alert: Alert,
    *,
    msg_type: str,
    template: AlertTemplate | None = None,
    idempotency_key: str | None = None,
) -> tuple[Alert, bool]:
    """Draft an Update or a Cancel of a published alert, starting from its content (or from
    ``template``, e.g. the all clear, keeping its areas)."""
    if msg_type not in (MsgType.UPDATE, MsgType.CANCEL):
        raise ValidationError({"msg_type": _("A follow-up is an update or a cancellation.")})
    if not may_author(actor, alert):
        _require_author(actor, alert.organization)
    content = content_of(alert)
    now = timezone.now()
    if template is not None:
        content.update(template.content(now))
        content["effective"] = content["onset"] = None
    if msg_type == MsgType.CANCEL:
        with override("uk"):
            prefix_uk = _("Cancelled")
        with override("en"):
            prefix_en = _("Cancelled")
        for lang, prefix in (("uk", prefix_uk), ("en", prefix_en), ("ru", "")):
            if content[f"headline_{lang}"] and prefix:
                content[f"headline_{lang}"] = f"{prefix}: {content[f'headline_{lang}']}"[
                    :HEADLINE_MAX
                ]
    if content["expires"] is not None and content["expires"] <= now:
        content["expires"] = now + datetime.timedelta(hours=1)
    return draft_alert(
        actor,
        organization=alert.organization,
        content=content,
        msg_type=msg_type,
        references=[alert],
        idempotency_key=idempotency_key,
    )


def templates_for(actor: Any) -> list[AlertTemplate]:
    orgs = set(permissions.orgs_with_role(actor, *AUTHORS))
    return [
        t
        for t in AlertTemplate.objects.filter(is_active=True)
        if t.organization_id is None or t.organization_id in orgs or permissions.is_superuser(actor)
    ]


# External feeds ---------------------------------------------------------------------------


def _fit(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@transaction.atomic
def receive_alert(
    feed: Feed, parsed: cap.ParsedAlert, *, now: datetime.datetime | None = None
) -> tuple[Alert, bool]:
    """Store a validated CAP message from ``feed``. A message already received (same sender
    and identifier) is returned as it is. Returns (alert, created)."""
    existing = Alert.objects.filter(sender=parsed.sender, identifier=parsed.identifier).first()
    if existing is not None:
        return existing, False
    problems = []
    if parsed.msg_type not in (MsgType.ALERT, MsgType.UPDATE, MsgType.CANCEL):
        problems.append(_("Acknowledgements and error messages are not re-broadcast."))
    if parsed.scope == Scope.PRIVATE:
        problems.append(_("Private messages are not re-broadcast."))
    if parsed.msg_type in (MsgType.UPDATE, MsgType.CANCEL) and not parsed.references:
        problems.append(_("An update or a cancellation must name the alert it follows."))
    if not parsed.infos and parsed.msg_type != MsgType.CANCEL:
        problems.append(_("The message has no <info>: nothing to show."))
    if problems:
        raise cap.CapError(problems)
    now = now or timezone.now()
    alert = Alert.objects.create(
        identifier=parsed.identifier[:200],
        sender=parsed.sender[:200],
        sent=parsed.sent,
        status=parsed.status,
        msg_type=parsed.msg_type,
        scope=parsed.scope,
        restriction=_fit(parsed.restriction, 300),
        note=_fit(parsed.note, NOTE_MAX),
        references_text=parsed.references_text,
        organization=feed.organization,
        feed=feed,
        original_xml=parsed.xml,
        state=Alert.State.PENDING,
        submitted_at=now,
    )
    coded: dict[str, Area] = {
        a.code: a
        for a in Area.objects.filter(
            code__in=[v for i in parsed.infos for ar in i.areas for _n, v in ar.geocodes]
        )
    }
    matched: set[int] = set()
    for position, parsed_info in enumerate(parsed.infos):
        f = parsed_info.fields
        info = AlertInfo.objects.create(
            alert=alert,
            position=position,
            language=f["language"][:35],
            categories=f["categories"],
            event=_fit(f["event"], EVENT_MAX),
            response_types=f["response_types"],
            urgency=f["urgency"],
            severity=f["severity"],
            certainty=f["certainty"],
            audience=_fit(f["audience"], 300),
            effective=f["effective"],
            onset=f["onset"],
            expires=f["expires"],
            sender_name=_fit(f["sender_name"], 200),
            headline=_fit(f["headline"], HEADLINE_MAX),
            description=_fit(f["description"], DESCRIPTION_MAX),
            instruction=_fit(f["instruction"], INSTRUCTION_MAX),
            web=f["web"][:500] if f["web"].startswith(("http://", "https://")) else "",
            contact=_fit(f["contact"], 300),
        )
        for i, parsed_area in enumerate(parsed_info.areas):
            area = next((coded[v] for _n, v in parsed_area.geocodes if v in coded), None)
            if area is not None:
                matched.add(area.pk)
            AlertArea.objects.create(
                info=info,
                position=i,
                description=_fit(parsed_area.description, AREA_DESC_MAX),
                polygons=parsed_area.polygons,
                circles=parsed_area.circles,
                geocodes=parsed_area.geocodes,
                area=area,
            )
    alert.areas.set(matched)
    alert.summarise(list(alert.infos.all()))
    alert.save()
    named = Q(pk__in=[])
    for ref_sender, ref_identifier, _ref_sent in parsed.references:
        named |= Q(sender=ref_sender, identifier=ref_identifier)
    known = list(Alert.objects.filter(named).exclude(pk=alert.pk))
    alert.references.set(known)
    record_event("alerts.received", obj=alert, feed=feed.pk, sender=parsed.sender)
    if feed.trusts(parsed.sender):
        published = [r for r in known if r.state == Alert.State.PUBLISHED]
        _publish(alert, published, reviewer=None, now=now)
    return alert, True


# Displays ----------------------------------------------------------------------------------

DISPLAY_FIELDS = (
    "name",
    "organization",
    "area",
    "languages",
    "categories",
    "standing_messages",
    "is_active",
)


def _check_display(display: Display) -> None:
    errors: dict[str, list[str]] = {}
    display.languages = [lang for lang in display.languages if lang in LANGUAGE_CODES]
    if not display.languages:
        errors.setdefault("languages", []).append(_("Choose at least one language."))
    unknown = [c for c in display.categories if c not in Category.values]
    if unknown:
        errors.setdefault("categories", []).append(
            _("Unknown category: %(c)s") % {"c": ", ".join(unknown)}
        )
    for line in display.standing_message_list:
        problem = plain_text_error(line)
        if problem:
            errors.setdefault("standing_messages", []).append(problem)
            break
    try:
        display.full_clean(exclude=["created_by", *errors])
    except ValidationError as e:
        for field, messages in e.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _require_display_manager(actor: Any, organization: Organization) -> None:
    if not permissions.has_role(actor, organization.pk, *DISPLAY_MANAGERS):
        raise PermissionDenied(
            _("Only alert staff of %(org)s may manage its displays.") % {"org": organization}
        )


@transaction.atomic
def create_display(
    actor: Any, *, idempotency_key: str | None = None, **fields: Any
) -> tuple[Display, bool]:
    unknown = set(fields) - set(DISPLAY_FIELDS)
    if unknown:
        raise ValueError(f"not a display field: {sorted(unknown)}")
    _require_display_manager(actor, fields["organization"])

    def create() -> Display:
        display = Display(created_by=actor, **fields)
        _check_display(display)
        display.save()
        return display

    return create_once(
        scope="alerts.display.create",
        key=idempotency_key,
        actor=actor,
        model=Display,
        create=create,
    )


@transaction.atomic
def update_display(actor: Any, display: Display, **changes: Any) -> Display:
    unknown = set(changes) - set(DISPLAY_FIELDS)
    if unknown:
        raise ValueError(f"not a display field: {sorted(unknown)}")
    _require_display_manager(actor, display.organization)
    if "organization" in changes:
        _require_display_manager(actor, changes["organization"])
    for field, value in changes.items():
        setattr(display, field, value)
    _check_display(display)
    display.save()
    return display


@transaction.atomic
def rotate_display_token(actor: Any, display: Display) -> Display:
    """Give the display a new secret URL; the old one stops working at once."""
    _require_display_manager(actor, display.organization)
    display.token = new_display_token()
    display.save(update_fields=["token"])
    record_event("alerts.display.url_rotated", actor=actor, obj=display)
    return display


def record_checkin(
    display: Display, *, ip: str | None, user_agent: str, now: datetime.datetime | None = None
) -> bool:
    """Note that the display asked for its alerts. Written at most every ``CHECKIN_EVERY``
    (a screen polls every few seconds): one conditional update, no read first."""
    now = now or timezone.now()
    written = Display.objects.filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lte=now - Display.CHECKIN_EVERY),
        pk=display.pk,
    ).update(last_seen_at=now, last_seen_ip=ip, last_user_agent=user_agent[:300])
    return bool(written)


# Subscriptions -------------------------------------------------------------------------------


def _check_subscription(subscription: Subscription) -> None:
    errors: dict[str, list[str]] = {}
    unknown = [c for c in subscription.categories if c not in Category.values]
    if unknown:
        errors["categories"] = [_("Unknown category: %(c)s") % {"c": ", ".join(unknown)}]
    try:
        subscription.full_clean(exclude=["user", *errors], validate_unique=False)
    except ValidationError as e:
        for field, messages in e.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if subscription.channel == Channel.EMAIL:
        from django.core.validators import validate_email

        try:
            validate_email(subscription.address)
        except ValidationError:
            errors.setdefault("address", []).append(_("Enter a valid e-mail address."))
    if subscription.channel == Channel.TELEGRAM and not re.fullmatch(
        r"-?\d{1,20}|@\w{5,64}", subscription.address
    ):
        errors.setdefault("address", []).append(_("A Telegram chat id is a number."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscribe(
    *,
    channel: str,
    address: str,
    areas: list[Area],
    categories: list[str],
    language: str = "uk",
    min_severity: str = "",
    user: Any = None,
    confirmed: bool = False,
    consent: bool = False,
    ip: str | None = None,
) -> Subscription:
    """Subscribe an address (or change what it is subscribed to). An e-mail address gets a
    confirmation message and receives alerts only once its owner follows the link in it;
    the Telegram bot passes ``confirmed=True`` for a chat that wrote to it. A few an hour from
    one connection (``ip``; see ``hromada.lib.ratelimit``)."""
    ratelimit.check("alert-subscribe", actor=user, ip=ip)
    address = address.strip()
    if channel == Channel.EMAIL:
        address = address.lower()
    subscription = (
        Subscription.objects.select_for_update().filter(channel=channel, address=address).first()
    )
    if subscription is None:
        subscription = Subscription(channel=channel, address=address)
    subscription.categories = list(dict.fromkeys(categories))
    subscription.language = language
    subscription.min_severity = min_severity
    if user is not None and getattr(user, "is_authenticated", False):
        subscription.user = user
    _check_subscription(subscription)
    was_active = subscription.is_active
    subscription.unsubscribed_at = None
    if confirmed and subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
    if consent:  # the web form asks for it (see core.privacy.CONSENTS)
        for name, value in privacy.consent_fields("alerts_subscription").items():
            setattr(subscription, name, value)
    subscription.save()
    subscription.areas.set(areas)
    # One confirmation mail per address an hour: the form must not become a way to flood
    # somebody's inbox. (The cache is shared by every web process: Redis or var/cache.)
    if (
        channel == Channel.EMAIL
        and not subscription.confirmed_at
        and not was_active
        and cache.add(
            "alerts:confirmation:" + hashlib.sha256(address.encode()).hexdigest(),
            1,
            CONFIRMATION_EVERY,
        )
    ):
        from hromada.alerts.delivery import send_confirmation

        transaction.on_commit(lambda: send_confirmation(subscription.pk))
    return subscription


@transaction.atomic
def confirm_subscription(subscription: Subscription) -> Subscription:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    subscription.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscription


@transaction.atomic
def unsubscribe(subscription: Subscription) -> Subscription:
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription
