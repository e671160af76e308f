"""Pages of situation reports. Thin: access helper -> form -> one service -> render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.core.services import client_ip, record_event
from hromada.lib import ratelimit
from hromada.lib.forms import form_error_from
from hromada.lib.http import HtmxHttpRequest
from hromada.lib.ratelimit import RateLimited
from hromada.reports import exports, metrics, presenters, selectors, services
from hromada.reports.forms import (
    AssessClaimForm,
    ClaimFilterForm,
    ClaimForm,
    CodeForm,
    CorrectClaimForm,
    DocumentForm,
    IncidentFilterForm,
    IncidentForm,
    IncidentReportForm,
    LinkDocumentForm,
    MediaForm,
    MediaLinkForm,
    NoteForm,
    ProposeVerdictForm,
    ReconcileForm,
    ReviewIncidentForm,
    SitrepEditForm,
    SitrepForm,
    SourceForm,
    VerificationForm,
)
from hromada.reports.models import (
    Claim,
    Document,
    Incident,
    IncidentDocument,
    MediaItem,
    MediaLink,
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
    may_manage_sitrep,
    require_analyst,
    visible_incidents,
    visible_sitreps,
)

PAGE_SIZE = 50


def _status(form: Any) -> int:
    return 422 if form.errors else 200


def _key(data: dict[str, Any]) -> str | None:
    return data.pop("idempotency_key", None) or None


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Overview ---------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    analyst = is_analyst(request.user)
    context: dict[str, Any] = {
        "sitreps": selectors.latest_public_sitreps(5),
        "incidents": visible_incidents(request.user)
        .filter(status=Incident.Status.PUBLISHED)
        .select_related("area")[:5],
        "analyst": analyst,
    }
    if analyst:
        context["in_progress"] = (
            visible_sitreps(request.user)
            .filter(
                status__in=(Sitrep.Status.DRAFT, Sitrep.Status.IN_REVIEW, Sitrep.Status.APPROVED)
            )
            .select_related("area", "organization")
        )
        context["unreviewed"] = Incident.objects.filter(
            status=Incident.Status.REPORTED
        ).select_related("area")[:10]
        context["documents"] = Document.objects.select_related("source").order_by("-created_at")[:5]
    return TemplateResponse(request, "reports/index.html", context)


# Sitreps ----------------------------------------------------------------------------------


@require_GET
def sitrep_list(request: HttpRequest) -> HttpResponse:
    sitreps = visible_sitreps(request.user).select_related("area", "organization")
    page = Paginator(sitreps.order_by("-cutoff", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "reports/sitrep_list.html",
        {"page": page, "may_create": analyst_organizations(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sitrep_create(request: HttpRequest) -> HttpResponse:
    organizations = analyst_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied
    form = SitrepForm(
        request.POST or None,
        organizations=organizations,
        initial={"cutoff": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            sitrep, created = services.create_sitrep(
                request.user, idempotency_key=_key(data), **data
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if created:
                messages.success(
                    request, _("The draft is ready. Check the figures, then send it for review.")
                )
            return redirect("reports:sitrep-detail", pk=sitrep.pk)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("New situation report"),
            "cancel": reverse("reports:sitrep-list"),
        },
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def sitrep_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sitrep = access_sitrep(request.user, pk, manage=True)
    if sitrep.status != Sitrep.Status.DRAFT:
        messages.error(request, _("Only a draft can be changed. Send it back to draft first."))
        return redirect("reports:sitrep-detail", pk=pk)
    initial = {
        "area": sitrep.area.code if sitrep.area else "UA",
        "cutoff": timezone.localtime(sitrep.cutoff),
        "title": sitrep.title,
        "summary": sitrep.summary,
        "stale_after_days": sitrep.stale_after_days,
    }
    form = SitrepEditForm(request.POST or None, sitrep=sitrep, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_sitrep(request.user, sitrep, **form.cleaned_data)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("reports:sitrep-detail", pk=pk)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("Edit the draft"),
            "cancel": reverse("reports:sitrep-detail", args=[pk]),
        },
        status=_status(form),
    )


@require_GET
def sitrep_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sitrep = access_sitrep(request.user, pk)
    payload, frozen = services.sitrep_payload(sitrep)
    manage = may_manage_sitrep(request.user, sitrep)
    me = getattr(request.user, "pk", None)
    return TemplateResponse(
        request,
        "reports/sitrep_detail.html",
        {
            "sitrep": sitrep,
            "report": presenters.present_payload(payload),
            "frozen": frozen,
            "snapshot": getattr(sitrep, "snapshot", None) if frozen else None,
            "manage": manage,
            "may_approve": manage
            and sitrep.status == Sitrep.Status.IN_REVIEW
            and me not in (sitrep.created_by_id, sitrep.submitted_by_id),
            "note_form": NoteForm(),
        },
    )


SITREP_ACTIONS = {
    "submit": (services.submit_sitrep, _("Sent for review. Another analyst approves it.")),
    "return": (services.return_sitrep, _("Sent back to draft.")),
    "approve": (
        services.approve_sitrep,
        _("Approved: its figures are frozen. Publish it when ready."),
    ),
    "publish": (services.publish_sitrep, _("Published: anyone can read it now.")),
}


@login_required
@require_POST
def sitrep_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    sitrep = access_sitrep(request.user, pk, manage=True)
    if action not in SITREP_ACTIONS:
        raise Http404
    service, done = SITREP_ACTIONS[action]
    kwargs = {"note": request.POST.get("note", "")[:4000]} if action == "return" else {}
    try:
        service(request.user, sitrep, **kwargs)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, str(done))
    return redirect("reports:sitrep-detail", pk=pk)


@require_GET
def sitrep_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The sitrep's figures: one HXL row (``?format=csv|xlsx|json``); ``?parties=1`` gives
    the claims about combatants instead, which never share the civilian table."""
    sitrep = access_sitrep(request.user, pk)
    payload, _frozen = services.sitrep_payload(sitrep)
    fmt = request.GET.get("format", "csv")
    record_event("reports.sitrep.exported", request=request, obj=sitrep, format=fmt)
    if request.GET.get("parties"):
        columns = [
            ("sitrep", "#meta+id"), ("as_of", "#date+reported"), ("metric", "#indicator+code"),
            ("party", "#meta+party"), ("highest_claim", "#x_combatants+num"),
            ("independent_sources", "#meta+sources"),
        ]  # fmt: skip
        return exports.respond(
            filename=f"hromada-sitrep-{pk}-parties",
            columns=columns,
            rows=exports.party_rows(sitrep, payload),
            fmt=fmt,
            hxl=True,
        )
    return exports.respond(
        filename=f"hromada-sitrep-{pk}",
        columns=exports.sitrep_columns(),
        rows=[exports.sitrep_row(sitrep, payload)],
        fmt=fmt,
        hxl=True,
    )


def _geojson(features: list[dict[str, Any]]) -> JsonResponse:
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/geo+json"
    return response


GRADE_COLOURS = {
    "confirmed": "#b3261e",
    "fair": "#b35c00",
    "weak": "#596270",
    "contested": "#6a3d9a",
    "discounted": "#9aa3ad",
    "unassessed": "#005bbb",
}


@require_GET
def sitrep_geojson(request: HttpRequest, pk: int) -> JsonResponse:
    """The sitrep's incidents as it shows them: public coordinates only, whoever asks."""
    sitrep = access_sitrep(request.user, pk)
    payload, _frozen = services.sitrep_payload(sitrep)
    kinds = dict(Incident.Kind.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [i["lon"], i["lat"]]},
            "properties": {
                "name": f"{i['code']} · {kinds.get(i['kind'], i['kind'])}",
                "url": reverse("reports:incident-detail", args=[i["code"]]),
                "detail": presenters.localized_name(i["area"]),
                "colour": GRADE_COLOURS.get(i["grade"], "#005bbb"),
                "blur_m": i["blur_m"],
            },
        }
        for i in payload["incidents"]
        if i["lat"] is not None
    ]
    return _geojson(features)


@login_required
@require_GET
def reconcile(request: HttpRequest) -> HttpResponse:
    """One metric for one area at one time, with every claim considered and why it was
    counted or not: the analysts' audit view behind each figure."""
    require_analyst(request.user)
    initial = {"cutoff": timezone.localtime().replace(second=0, microsecond=0), "control": "whole",
               "metric": metrics.KILLED, "area": "UA", "stale_after_days": 7}  # fmt: skip
    form = ReconcileForm(request.GET or None, initial=initial)
    figure = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        result = selectors.reconcile_area(
            data["area"],
            data["metric"],
            data["cutoff"],
            party=data["party"].code if data["party"] else None,
            control=data["control"],
            stale_after=datetime.timedelta(days=data["stale_after_days"] or 7),
        )
        figure = presenters.present_figure(result, presenters.party_names())
    return TemplateResponse(
        request, "reports/reconcile.html", {"form": form, "figure": figure}, status=_status(form)
    )


# Incidents --------------------------------------------------------------------------------


def _incidents(request: HttpRequest) -> tuple[IncidentFilterForm, Any]:
    analyst = is_analyst(request.user)
    form = IncidentFilterForm(request.GET, analyst=analyst)
    form.is_valid()  # invalid filters are shown on the form and ignored
    filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, selectors.incidents_for(visible_incidents(request.user), **filters)


@require_GET
@ratelimit.rate_limited("search", when=ratelimit.searching)
def incident_list(request: HtmxHttpRequest) -> HttpResponse:
    form, incidents = _incidents(request)
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query(request)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "analyst": is_analyst(request.user),
        "geojson_url": reverse("reports:incidents-geojson") + (f"?{query}" if query else ""),
    }
    template = "reports/incident_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return TemplateResponse(request, template, context)


def _location(request: HttpRequest, incident: Incident) -> tuple[float, float] | None:
    if is_analyst(request.user) and incident.has_location:
        return float(incident.latitude), float(incident.longitude)  # type: ignore[arg-type]
    return services.public_location(incident)


@require_GET
def incidents_geojson(request: HttpRequest) -> JsonResponse:
    """Incidents this visitor may see (RFC 7946, longitude first): analysts get the exact
    spot, everybody else the blurred one."""
    _form, incidents = _incidents(request)
    kinds = dict(Incident.Kind.choices)
    features = []
    for incident in incidents[:2000]:
        location = _location(request, incident)
        if location is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [location[1], location[0]]},
                "properties": {
                    "name": f"{incident.code} · {kinds.get(incident.kind, incident.kind)}",
                    "code": incident.code,
                    "url": reverse("reports:incident-detail", args=[incident.code]),
                    "detail": f"{timezone.localtime(incident.occurred_latest):%d.%m.%Y} · {incident.area.name}",
                    "colour": GRADE_COLOURS.get(incident.grade, "#005bbb"),
                    "grade": incident.grade,
                },
            }
        )
    return _geojson(features)


@require_GET
def incidents_export(request: HttpRequest) -> HttpResponse:
    _form, incidents = _incidents(request)
    incidents = list(incidents[:20000])
    fmt = request.GET.get("format", "csv")
    record_event(
        "reports.incidents.exported",
        request=request,
        rows=len(incidents),
        query=request.GET.urlencode(),
    )
    return exports.respond(
        filename="hromada-incidents",
        columns=exports.INCIDENT_COLUMNS,
        rows=exports.incident_rows(incidents, exact=is_analyst(request.user)),
        fmt=fmt,
        hxl=fmt == "json" or bool(request.GET.get("hxl", "1") != "0"),
    )


@require_http_methods(["GET", "POST"])
def incident_report(request: HttpRequest) -> HttpResponse:
    """Anyone reports an incident from a phone; it waits for an analyst's review."""
    form = IncidentReportForm(request.POST or None, initial={"day": timezone.localdate()})
    refused: RateLimited | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = _key(data)
        earliest, latest = services.window_for(
            data.pop("day"), data.pop("time"), data["time_precision"]
        )
        try:
            incident, _created = services.report_incident(
                request.user,
                ip=client_ip(request),
                idempotency_key=key,
                occurred_earliest=earliest,
                occurred_latest=latest,
                **data,
            )
        except RateLimited as limited:
            form.add_error(None, str(limited))
            refused = limited
        except ValidationError as e:
            form_error_from(form, e)
        else:
            return redirect("reports:incident-thanks", code=incident.code)
    response = TemplateResponse(
        request,
        "reports/incident_report.html",
        {"form": form},
        status=_status(form),
    )
    return ratelimit.refuse(response, refused) if refused else response


@require_GET
def incident_thanks(request: HttpRequest, code: str) -> HttpResponse:
    return TemplateResponse(request, "reports/incident_thanks.html", {"code": code[:24]})


@require_GET
def incident_detail(request: HttpRequest, code: str) -> HttpResponse:
    incident = access_incident(request.user, code)
    if incident.code != code:
        return redirect("reports:incident-detail", code=incident.code)
    analyst = is_analyst(request.user)
    links = IncidentDocument.objects.filter(incident=incident).select_related("document__source")
    if not analyst:
        links = links.exclude(document__source__kind__in=Source.PERSONAL_KINDS)
    claims = (
        Claim.objects.filter(incident=incident)
        .select_related("source", "document", "party")
        .order_by("metric", "-as_of")
    )
    tallies = []
    for metric in metrics.METRICS.values():
        eligible = [
            c for c in claims
            if c.metric == metric.code and c.source_status == Claim.SourceStatus.ACTIVE
            and c.assessment != Claim.Assessment.DISCOUNTED
        ]  # fmt: skip
        if eligible:
            latest: dict[int, Claim] = {}
            for c in sorted(eligible, key=lambda c: (c.as_of, c.pk)):
                latest[c.source_id] = c
            lows = [c.minimum if c.minimum is not None else c.value for c in latest.values()]
            highs = [c.maximum for c in latest.values()]
            low = min(v for v in lows if v is not None)
            high = max(v for v in highs if v is not None)
            only = next(iter(latest.values())) if len(latest) == 1 else None
            text = (
                presenters.figure_text(only.qualifier, only.low, only.best, only.high)
                if only
                else presenters.number(low)
                if low == high
                else f"{presenters.number(low)}–{presenters.number(high)}"
            )
            tallies.append({"label": metric.label, "text": text, "sources": len(latest)})
    context: dict[str, Any] = {
        "incident": incident,
        "analyst": analyst,
        "location": services.public_location(incident),
        "links": links,
        "tallies": tallies,
        "geojson_url": reverse("reports:incidents-geojson") + f"?q={incident.code}",
    }
    if analyst:
        if incident.reported_by_id or incident.reporter_contact:
            record_event("reports.incident.reporter_viewed", request=request, obj=incident)
        context.update(
            claims=claims,
            media_links=MediaLink.objects.filter(incident=incident).select_related("media"),
            duplicates=services.possible_duplicates(incident),
            review_form=ReviewIncidentForm(
                initial={
                    "status": incident.status,
                    "grade": incident.grade,
                    "note": incident.review_note,
                }
            ),
            link_form=LinkDocumentForm(),
            grade_meanings=[
                (label, Incident.GRADE_MEANINGS[code]) for code, label in Incident.Grade.choices
            ],
            aliases=incident.aliases.all(),
            reporter=incident.reported_by,
        )
    return TemplateResponse(request, "reports/incident_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, code: str) -> HttpResponse:
    incident = access_incident(request.user, code, manage=True)
    form = IncidentForm(request.POST or None, instance=incident)
    del form.fields["idempotency_key"]
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        fresh = Incident.objects.select_related("area").get(pk=incident.pk)
        try:
            services.update_incident(request.user, fresh, **changes)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The incident is updated."))
            return redirect("reports:incident-detail", code=incident.code)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("Edit incident %(code)s") % {"code": incident.code},
            "cancel": reverse("reports:incident-detail", args=[incident.code]),
        },
        status=_status(form),
    )


@login_required
@require_POST
def incident_review(request: HttpRequest, code: str) -> HttpResponse:
    incident = access_incident(request.user, code, manage=True)
    form = ReviewIncidentForm(request.POST)
    if form.is_valid():
        try:
            services.review_incident(request.user, incident, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The review is saved."))
    else:
        messages.error(request, _("Choose a status and a grading."))
    return redirect("reports:incident-detail", code=incident.code)


@login_required
@require_POST
def incident_merge(request: HttpRequest, code: str) -> HttpResponse:
    """Merge the incident named in the form into this one (a person's decision)."""
    keep = access_incident(request.user, code, manage=True)
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the code of the duplicate."))
        return redirect("reports:incident-detail", code=keep.code)
    duplicate = access_incident(request.user, form.cleaned_data["code"], manage=True)
    try:
        services.merge_incidents(request.user, keep, duplicate)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request,
            _("%(old)s is merged into %(new)s; its code still leads here.")
            % {"old": duplicate.code, "new": keep.code},
        )
    return redirect("reports:incident-detail", code=keep.code)


@login_required
@require_POST
def incident_not_duplicate(request: HttpRequest, code: str) -> HttpResponse:
    incident = access_incident(request.user, code, manage=True)
    form = CodeForm(request.POST)
    if form.is_valid():
        other = access_incident(request.user, form.cleaned_data["code"], manage=True)
        services.dismiss_duplicate(request.user, incident, other)
        messages.success(request, _("They will not be suggested as duplicates again."))
    return redirect("reports:incident-detail", code=incident.code)


@login_required
@require_POST
def incident_link_document(request: HttpRequest, code: str) -> HttpResponse:
    incident = access_incident(request.user, code, manage=True)
    form = LinkDocumentForm(request.POST)
    if form.is_valid():
        try:
            services.link_document(
                request.user,
                incident,
                form.cleaned_data["document"],
                relation=form.cleaned_data["relation"],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The document is linked."))
    else:
        messages.error(request, _("Choose a document."))
    return redirect("reports:incident-detail", code=incident.code)


# Sources and documents (analysts) ---------------------------------------------------------


@login_required
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    require_analyst(request.user)
    sources = Source.objects.select_related("party").annotate(
        document_count=Count("documents", distinct=True), claim_count=Count("claims", distinct=True)
    )
    return TemplateResponse(request, "reports/source_list.html", {"sources": sources})


@login_required
@require_http_methods(["GET", "POST"])
def source_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_analyst(request.user)
    source = access_source(request.user, pk) if pk else None
    form = SourceForm(request.POST or None, instance=source)
    if source:
        del form.fields["idempotency_key"]
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            if source:
                services.update_source(request.user, source, **data)
            else:
                source, _created = services.create_source(
                    request.user,
                    idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                    **data,
                )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The source is saved."))
            return redirect("reports:source-detail", pk=source.pk)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("Edit source") if source else _("New source"),
            "cancel": reverse("reports:source-detail", args=[source.pk])
            if source
            else reverse("reports:source-list"),
        },
        status=_status(form),
    )


@login_required
@require_GET
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = access_source(request.user, pk)
    documents = source.documents.select_related("origin").annotate(claim_count=Count("claims"))
    return TemplateResponse(
        request, "reports/source_detail.html", {"source": source, "documents": documents}
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_analyst(request.user)
    document = access_document(request.user, pk) if pk else None
    source = (
        document.source
        if document
        else access_source(request.user, request.GET.get("source") or request.POST.get("source"))
    )
    form = DocumentForm(
        request.POST or None, request.FILES or None, instance=document, source=source
    )
    if document:
        del form.fields["idempotency_key"]
        del form.fields["archive_file"]
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            if document:
                services.update_document(request.user, document, **data)
            else:
                document, _created = services.create_document(
                    request.user,
                    source=source,
                    archive_file=form.cleaned_data.get("archive_file"),
                    idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                    **data,
                )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The document is saved. Add its figures below."))
            return redirect("reports:document-detail", pk=document.pk)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("Edit document")
            if document
            else _("New document from %(source)s") % {"source": source},
            "cancel": reverse("reports:source-detail", args=[source.pk]),
            "hidden": {"source": source.pk} if not document else {},
            "multipart": True,
        },
        status=_status(form),
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = access_document(request.user, pk)
    return _document_page(request, document, ClaimForm(document=document))


def _document_page(
    request: HttpRequest, document: Document, claim_form: ClaimForm, status: int = 200
) -> HttpResponse:
    claims = document.claims.select_related("area", "incident", "party", "part_of").order_by("pk")
    return TemplateResponse(
        request,
        "reports/document_detail.html",
        {
            "document": document,
            "claims": claims,
            "claim_form": claim_form,
            "incidents": document.incident_links.select_related("incident"),
            "note_form": NoteForm(),
        },
        status=status,
    )


@login_required
@require_POST
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    document = access_document(request.user, pk)
    form = ClaimForm(request.POST, document=document)
    if form.is_valid():
        data = dict(form.cleaned_data)
        key = _key(data)
        data["measure"] = data["measure"] or None
        try:
            claim, created = services.record_claim(
                request.user, document=document, idempotency_key=key, **data
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if created:
                messages.success(request, _("The figure is recorded."))
            return redirect(reverse("reports:document-detail", args=[pk]) + f"#claim-{claim.pk}")
    return _document_page(request, document, form, status=422)


@login_required
@require_POST
def document_retract(request: HttpRequest, pk: int) -> HttpResponse:
    document = access_document(request.user, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    services.retract_document(request.user, document, note=form.cleaned_data.get("note", ""))
    messages.success(request, _("The document and its figures are marked retracted."))
    return redirect("reports:document-detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def document_archive(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the archive copy (analysts only, logged). POST: fetch the link, or keep an
    uploaded copy."""
    document = access_document(request.user, pk)
    if request.method == "POST":
        try:
            if "archive" in request.FILES:
                upload = request.FILES["archive"]
                assert isinstance(upload, UploadedFile)  # one file under that name
                services.upload_archive(request.user, document, upload)
                messages.success(request, _("The copy is kept with its SHA-256."))
            else:
                services.request_archive(request.user, document)
                messages.success(request, _("The link will be fetched and kept in a moment."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        return redirect("reports:document-detail", pk=pk)
    if not document.archive:
        raise Http404
    record_event(
        "reports.archive.downloaded", request=request, obj=document, sha256=document.archive_sha256
    )
    return _private_file(document.archive, document.archive_content_type, f"document-{pk}")


def _private_file(field: Any, content_type: str, stem: str) -> FileResponse:
    """A stored file, served only through this view: as an attachment, never run by the
    browser (a hostile HTML page must not execute in our origin)."""
    extension = field.name.rsplit(".", 1)[-1] if "." in field.name else "bin"
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{stem}.{extension}",
        content_type=content_type or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Claims ------------------------------------------------------------------------------------


def _claims(request: HttpRequest) -> tuple[ClaimFilterForm, Any]:
    form = ClaimFilterForm(request.GET)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if v}
    claims = Claim.objects.select_related(
        "source__party", "document__origin", "area", "incident", "party"
    ).order_by("-as_of", "-pk")
    if data.get("metric"):
        claims = claims.filter(metric=data["metric"])
    if data.get("area") == "UA":
        claims = claims.filter(area__isnull=True)
    elif data.get("area"):
        claims = claims.filter(area__path__contains=f"/{data['area']}/")
    if data.get("source"):
        claims = claims.filter(Q(source=data["source"]) | Q(document__origin=data["source"]))
    if data.get("status"):
        claims = claims.filter(source_status=data["status"])
    if data.get("assessment"):
        claims = claims.filter(assessment=data["assessment"])
    return form, claims


@login_required
@require_GET
def claim_list(request: HtmxHttpRequest) -> HttpResponse:
    require_analyst(request.user)
    form, claims = _claims(request)
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": _query(request)}
    template = "reports/claim_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return TemplateResponse(request, template, context)


@login_required
@require_GET
def claims_export(request: HttpRequest) -> HttpResponse:
    require_analyst(request.user)
    _form, claims = _claims(request)
    claims = list(claims[:100000])
    fmt = request.GET.get("format", "csv")
    record_event(
        "reports.claims.exported", request=request, rows=len(claims), query=request.GET.urlencode()
    )
    return exports.respond(
        filename="hromada-claims",
        columns=exports.CLAIM_COLUMNS,
        rows=exports.claim_rows(claims),
        fmt=fmt,
        hxl=fmt == "json" or request.GET.get("hxl", "1") != "0",
    )


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access_claim(request.user, pk)
    return TemplateResponse(
        request,
        "reports/claim_detail.html",
        {
            "claim": claim,
            "history": claim.history.select_related("history_user").order_by("-history_date")[:20],
            "correct_form": CorrectClaimForm(),
            "assess_form": AssessClaimForm(
                initial={"assessment": claim.assessment, "caveat": claim.caveat}
            ),
            "note_form": NoteForm(),
            "replaced_by": Claim.objects.filter(supersedes=claim).first(),
            "parts": claim.parts.all(),
        },
    )


@login_required
@require_POST
def claim_correct(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access_claim(request.user, pk)
    form = CorrectClaimForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            new, _created = services.correct_claim(
                request.user,
                claim,
                words=data["words"],
                as_of=data["as_of"],
                idempotency_key=_key(data),
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The correction replaces the earlier figure."))
            return redirect("reports:claim-detail", pk=new.pk)
    else:
        messages.error(request, _("Enter the corrected figure."))
    return redirect("reports:claim-detail", pk=pk)


@login_required
@require_POST
def claim_retract(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access_claim(request.user, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    services.retract_claim(request.user, claim, note=form.cleaned_data.get("note", ""))
    messages.success(
        request, _("The figure is marked retracted. It stays on record and is no longer counted.")
    )
    return redirect("reports:claim-detail", pk=pk)


@login_required
@require_POST
def claim_assess(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access_claim(request.user, pk)
    form = AssessClaimForm(request.POST)
    if form.is_valid():
        services.assess_claim(request.user, claim, **form.cleaned_data)
        messages.success(request, _("The assessment is saved."))
    else:
        messages.error(request, _("Choose an assessment."))
    return redirect("reports:claim-detail", pk=pk)


# Media and verification (analysts) ----------------------------------------------------------


@login_required
@require_GET
def media_list(request: HttpRequest) -> HttpResponse:
    require_analyst(request.user)
    items = MediaItem.objects.select_related("recycled_of").prefetch_related(
        Prefetch("verifications", queryset=Verification.objects.order_by("-updated_at"))
    )
    status = request.GET.get("status", "")
    if status in Verification.Status.values:
        items = items.filter(verifications__status=status).distinct()
    elif status == "recycled":
        items = items.filter(recycled_found_at__isnull=False)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reports/media_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Verification.Status.choices,
            "query": _query(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def media_create(request: HttpRequest) -> HttpResponse:
    require_analyst(request.user)
    form = MediaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = _key(data)
        upload = data.pop("upload")
        try:
            media, _created = services.add_media(
                request.user, upload=upload, idempotency_key=key, **data
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if media.is_recycled:
                messages.error(request, _("This picture was seen before: it is marked recycled."))
            else:
                messages.success(request, _("The media item is recorded."))
            return redirect("reports:media-detail", pk=media.pk)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("New media item"),
            "cancel": reverse("reports:media-list"),
            "multipart": True,
        },
        status=_status(form),
    )


@login_required
@require_GET
def media_detail(request: HttpRequest, pk: int) -> HttpResponse:
    media = access_media(request.user, pk)
    record_event("reports.media.viewed", request=request, obj=media)
    return TemplateResponse(
        request,
        "reports/media_detail.html",
        {
            "media": media,
            "copies": services.find_copies(media),
            "links": media.links.select_related("incident"),
            "verifications": media.verifications.select_related(
                "proposed_by", "confirmed_by", "created_by"
            ),
            "link_form": MediaLinkForm(),
            "verification_form": VerificationForm(),
            "propose_form": ProposeVerdictForm(),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_GET
def media_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    media = access_media(request.user, pk)
    if not media.file:
        raise Http404
    preview = bool(request.GET.get("preview")) and media.content_type in PREVIEWABLE
    record_event(
        "reports.media.previewed" if preview else "reports.media.downloaded",
        request=request,
        obj=media,
    )
    response = _private_file(media.file, media.content_type, f"media-{pk}")
    if preview:
        # Raster images only (never SVG, which can carry script): shown in our own page.
        response["Content-Disposition"] = "inline"
    return response


# Pictures a browser shows without running anything.
PREVIEWABLE = ("image/jpeg", "image/png", "image/webp", "image/gif")


@login_required
@require_POST
def media_link(request: HttpRequest, pk: int) -> HttpResponse:
    media = access_media(request.user, pk)
    form = MediaLinkForm(request.POST)
    if form.is_valid():
        incident = access_incident(request.user, form.cleaned_data["code"], manage=True)
        try:
            services.link_media(
                request.user, media, incident, relation=form.cleaned_data["relation"]
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Linked to %(code)s.") % {"code": incident.code})
    else:
        messages.error(request, _("Give an incident code."))
    return redirect("reports:media-detail", pk=pk)


@login_required
@require_POST
def media_recycled(request: HttpRequest, pk: int) -> HttpResponse:
    media = access_media(request.user, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    dropped = services.mark_recycled(request.user, media, note=form.cleaned_data.get("note", ""))
    messages.success(
        request,
        _("Marked recycled. Incidents back to review: %(codes)s")
        % {"codes": ", ".join(i.code for i in dropped) or "—"},
    )
    return redirect("reports:media-detail", pk=pk)


@login_required
@require_POST
def verification_create(request: HttpRequest, pk: int) -> HttpResponse:
    media = access_media(request.user, pk)
    form = VerificationForm(request.POST)
    if form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.start_verification(
                request.user,
                media,
                idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                **data,
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The verification is started."))
    else:
        messages.error(request, _("Say what the post claims to show."))
    return redirect("reports:media-detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def verification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    verification = access_verification(request.user, pk)
    form = VerificationForm(request.POST or None, instance=verification)
    del form.fields["idempotency_key"]
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        fresh = Verification.objects.get(pk=pk)
        try:
            services.update_verification(request.user, fresh, **changes)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The verification is saved."))
            return redirect("reports:media-detail", pk=verification.media_id)
    return TemplateResponse(
        request,
        "reports/form.html",
        {
            "form": form,
            "title": _("Verification"),
            "cancel": reverse("reports:media-detail", args=[verification.media_id]),
        },
        status=_status(form),
    )


@login_required
@require_POST
def verification_propose(request: HttpRequest, pk: int) -> HttpResponse:
    verification = access_verification(request.user, pk)
    form = ProposeVerdictForm(request.POST)
    if form.is_valid():
        try:
            services.propose_verdict(request.user, verification, status=form.cleaned_data["status"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Proposed. A second analyst confirms it."))
    return redirect("reports:media-detail", pk=verification.media_id)


@login_required
@require_POST
def verification_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    verification = access_verification(request.user, pk)
    agree = request.POST.get("agree", "yes") == "yes"
    try:
        services.confirm_verdict(request.user, verification, agree=agree)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request, _("The verdict stands.") if agree else _("Sent back: in progress.")
        )
    return redirect("reports:media-detail", pk=verification.media_id)


@login_required
@require_GET
def verifications_export(request: HttpRequest) -> HttpResponse:
    require_analyst(request.user)
    verifications = list(
        Verification.objects.select_related("media")
        .prefetch_related("media__links__incident")
        .order_by("pk")
    )
    fmt = request.GET.get("format", "csv")
    record_event("reports.verifications.exported", request=request, rows=len(verifications))
    return exports.respond(
        filename="hromada-verifications",
        columns=exports.VERIFICATION_COLUMNS,
        rows=exports.verification_rows(verifications),
        fmt=fmt,
        hxl=True,
    )
