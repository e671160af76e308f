from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.core.services import client_ip, record_event
from hromada.lib import ratelimit
from hromada.lib.forms import form_error_from
from hromada.lib.http import HtmxHttpRequest
from hromada.lib.ratelimit import RateLimited
from hromada.tracing import exchange, selectors, services
from hromada.tracing.forms import (
    CloseForm,
    DecideForm,
    DisclosureForm,
    ImportForm,
    InquiryFilterForm,
    InquiryForm,
    RecordForm,
    SearchForm,
    TransferForm,
)
from hromada.tracing.models import DisclosureRecord, ImportJob, Inquiry, Match, Note, Transfer
from hromada.tracing.permissions import (
    access_import,
    access_inquiry,
    access_match,
    access_record,
    require_caseworker,
)
from hromada.tracing.tasks import run_import

PAGE_SIZE = 50
FILED_KEY = "tracing_filed_reference"


# The public door ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def inquiry_new(request: HttpRequest) -> HttpResponse:
    """Anyone asks for a person. They get a reference and nothing about any record."""
    form = InquiryForm(request.POST or None)
    refused: RateLimited | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key") or None
        data = {k: v for k, v in data.items() if v not in (None, "")}
        try:
            inquiry, _created = services.file_inquiry(
                request.user,
                ip=client_ip(request),
                idempotency_key=key,
                language=get_language() or "",
                **data,
            )
        except RateLimited as limited:
            form.add_error(None, str(limited))
            refused = limited
        except ValidationError as e:
            form_error_from(form, e)
        else:
            request.session[FILED_KEY] = inquiry.reference
            return redirect("tracing:inquiry-filed")
    response = TemplateResponse(
        request, "tracing/inquiry_form.html", {"form": form}, status=422 if form.errors else 200
    )
    return ratelimit.refuse(response, refused) if refused else response


@require_GET
def inquiry_filed(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(FILED_KEY)
    if not reference:
        return redirect("tracing:inquiry-new")
    return TemplateResponse(request, "tracing/inquiry_filed.html", {"reference": reference})


# Caseworkers --------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    require_caseworker(request.user)
    form = SearchForm(request.GET or None)
    rows: list[selectors.Row] = []
    refused: RateLimited | None = None
    searched = False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        try:
            hits = services.search_records(
                request.user,
                q=data["q"],
                birth_year=data["birth_year"],
                sex=data["sex"],
                place=data["place"],
                limit=20,
                request=request,
            )
        except RateLimited as limited:
            messages.error(request, str(limited))
            refused = limited
        except ValidationError as e:
            form_error_from(form, e)
        else:
            rows = selectors.hit_rows(request.user, hits)
            searched = True
    context = {
        "form": form,
        "rows": rows,
        "searched": searched,
        "counts": selectors.counts(request.user),
    }
    template = "tracing/search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    response = TemplateResponse(request, template, context)
    return ratelimit.refuse(response, refused) if refused else response


@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_record(request.user, pk)
    services.read_record(request.user, record, request=request)
    matches = (
        Match.objects.filter(left=record) | Match.objects.filter(right=record)
    ).select_related("left", "right", "inquiry")
    context = {
        "record": record,
        "matches": matches,
        "disclosures": DisclosureRecord.objects.filter(record=record).select_related(
            "disclosed_by", "inquiry"
        ),
        "notes": Note.objects.filter(record=record),
        "inquiry": Inquiry.objects.filter(sought=record).first(),
    }
    return TemplateResponse(request, "tracing/record_detail.html", context)


@login_required
@require_GET
def record_photo(request: HttpRequest, pk: int) -> FileResponse:
    record = access_record(request.user, pk)
    if not record.photo:
        raise Http404
    record_event("tracing.photo.viewed", request=request, obj=record)
    kind = mimetypes.guess_type(record.photo.name or "")[0] or "application/octet-stream"
    response = FileResponse(record.photo.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    require_caseworker(request.user)
    form = RecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
        data = {k: v for k, v in data.items() if v not in (None, "") or k == "is_combatant"}
        try:
            record, created = services.create_record(
                request.user,
                idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                **data,
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if created:
                messages.success(request, _("The record is saved."))
            return redirect("tracing:record-detail", pk=record.pk)
    return TemplateResponse(
        request, "tracing/record_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_record(request.user, pk)
    form = RecordForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        fresh = access_record(request.user, pk)
        try:
            with transaction.atomic():
                services.update_record(request.user, fresh, **changes)
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("tracing:record-detail", pk=pk)
    return TemplateResponse(
        request,
        "tracing/record_form.html",
        {"form": form, "record": record},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def inquiry_list(request: HttpRequest) -> HttpResponse:
    require_caseworker(request.user)
    form = InquiryFilterForm(request.GET)
    form.is_valid()
    listed = selectors.inquiries(request.user, status=form.cleaned_data.get("status", ""))
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "tracing/inquiry_list.html",
        {"form": form, "page": page, "counts": selectors.counts(request.user)},
    )


@login_required
@require_GET
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = access_inquiry(request.user, pk)
    services.read_inquiry(request.user, inquiry, request=request)
    matches = inquiry.matches.select_related("right").order_by("-score", "pk")
    context = {
        "inquiry": inquiry,
        "sought": inquiry.sought,
        "matches": [(m, selectors.explain_all(m.reasons)) for m in matches],
        "disclosures": inquiry.disclosures.select_related("disclosed_by", "record"),
        "disclosure_form": DisclosureForm(initial={"recipient": inquiry.inquirer_name}),
        "close_form": CloseForm(),
    }
    return TemplateResponse(request, "tracing/inquiry_detail.html", context)


@login_required
@require_POST
def inquiry_rematch(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = access_inquiry(request.user, pk)
    made = services.propose_matches(inquiry)
    messages.success(
        request,
        _("%(n)d new possible matches.") % {"n": made} if made else _("No new possible match."),
    )
    return redirect("tracing:inquiry-detail", pk=pk)


@login_required
@require_POST
def inquiry_disclose(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = access_inquiry(request.user, pk)
    form = DisclosureForm(request.POST)
    if form.is_valid() and inquiry.found is not None:
        try:
            services.record_disclosure(
                request.user,
                record=inquiry.found,
                inquiry=inquiry,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The disclosure is recorded."))
    elif inquiry.found is None:
        messages.error(request, _("Confirm a match before recording a disclosure."))
    else:
        messages.error(request, _("Fill in what was passed on, to whom and on what basis."))
    return redirect("tracing:inquiry-detail", pk=pk)


@login_required
@require_POST
def inquiry_close(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = access_inquiry(request.user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        services.close_inquiry(
            request.user, inquiry, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, _("The inquiry is closed."))
    else:
        messages.error(request, _("Choose why the inquiry is closed."))
    return redirect("tracing:inquiry-detail", pk=pk)


@login_required
@require_GET
def match_queue(request: HttpRequest) -> HttpResponse:
    require_caseworker(request.user)
    page = Paginator(selectors.queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "tracing/match_queue.html",
        {"page": page, "counts": selectors.counts(request.user)},
    )


@login_required
@require_GET
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = access_match(request.user, pk)
    record_event("tracing.match.viewed", request=request, obj=match)
    context = {
        "match": match,
        "reasons": selectors.explain_all(match.reasons),
        "rows": selectors.compare(match.left, match.right),
        "form": DecideForm(),
    }
    return TemplateResponse(request, "tracing/match_detail.html", context)


@login_required
@require_POST
def match_decide(request: HttpRequest, pk: int) -> HttpResponse:
    match = access_match(request.user, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or to reject."))
        return redirect("tracing:match-detail", pk=pk)
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        services.decide_match(
            request.user, match, confirm=confirm, note=form.cleaned_data["note"], request=request
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("tracing:match-detail", pk=pk)
    if confirm:
        messages.success(request, _("Confirmed: the same person."))
        if match.inquiry_id:
            return redirect("tracing:inquiry-detail", pk=match.inquiry_id)
    else:
        messages.success(request, _("Rejected: not the same person."))
    return redirect("tracing:match-queue")


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    require_caseworker(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "import"
        fmt = "pfif" if name.lower().endswith(".xml") else "csv"
        job = ImportJob.objects.create(
            file=upload,
            filename=name[:200],
            format=fmt,
            source=form.cleaned_data["source"],
            created_by=request.user,  # type: ignore[misc]
        )
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
        return redirect("tracing:import-detail", pk=job.pk)
    return TemplateResponse(
        request,
        "tracing/import_form.html",
        {"form": form, "columns": exchange.COLUMNS},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = access_import(request.user, pk)
    context = {"job": job, "progress": exchange.job_progress(job)}
    template = "tracing/import_detail.html"
    if request.htmx:
        template += "#progress"
    return TemplateResponse(request, template, context)


@login_required
@require_GET
def export_pfif(request: HttpRequest) -> HttpResponse:
    """Records that may be shared, as PFIF 1.4, for another tracing service. Audited."""
    require_caseworker(request.user)
    records = list(exchange.shareable_records())
    record_event("tracing.exported", request=request, format="pfif", rows=len(records))
    response = HttpResponse(exchange.pfif_document(records), content_type="application/xml")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="hromada-pfif-{stamp}.xml"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def transfers(request: HttpRequest) -> HttpResponse:
    """Combatant records waiting for transfer, past transfers, and the transfer form."""
    require_caseworker(request.user)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer, content = services.transfer_combatants(
                request.user,
                recipient=form.cleaned_data["recipient"],
                fmt=form.cleaned_data["format"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            extension = "xml" if transfer.format == "pfif" else "csv"
            response = HttpResponse(
                content,
                content_type="application/xml" if extension == "xml" else "text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="transfer-{transfer.pk}-{transfer.recipient}.{extension}"'
            )
            return response
    context: dict[str, Any] = {
        "form": form,
        "waiting": services.combatants_to_transfer().count(),
        "transfers": Transfer.objects.select_related("created_by")[:50],
    }
    return TemplateResponse(
        request, "tracing/transfers.html", context, status=422 if form.errors else 200
    )
