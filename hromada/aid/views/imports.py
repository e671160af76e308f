"""CSV/XLSX imports of needs, offers and stock counts: upload, preview, commit.

The preview lists every row that cannot be imported, with its reason, before anything is
written; the commit writes all rows or none (see ``hromada.aid.imports``). The file waits
between the two in private storage, reachable only by the person who uploaded it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid import imports
from hromada.core.models import AuditEvent
from hromada.lib.exports import table_response

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How long one commit of a file may hold its lock: a second press of the button meanwhile is
# told to wait instead of running the same import twice.
COMMIT_LOCK_SECONDS = 15 * 60


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=imports.Kind.choices,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or XLSX, at most 10 MB and 50 000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB: split it into smaller files.")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _require_importer(request: HttpRequest) -> None:
    if not imports.may_import(request.user):
        raise PermissionDenied(_("Coordinators import needs, offers and stock counts."))


def _upload_or_404(request: HttpRequest, token: str) -> imports.Upload:
    upload = imports.load_upload(request.user, token)
    if upload is None:
        raise Http404
    return upload


def _kinds() -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "columns": imports.COLUMNS[value]}
        for value, label in imports.Kind.choices
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": request.GET.get("kind") or imports.Kind.NEEDS},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = imports.save_upload(
            request.user, form.cleaned_data["kind"], upload.name, upload.read()
        )
        return redirect("aid:import-preview", token=token)
    return TemplateResponse(
        request,
        "aid/import.html",
        {
            "form": form,
            "kinds": _kinds(),
            "max_rows": number_format(imports.MAX_ROWS, force_grouping=True),
        },
        status=422 if form.errors else 200,
    )


def _preview_page(
    request: HttpRequest,
    upload: imports.Upload,
    checked: imports.Preview,
    *,
    rejected: bool = False,
) -> HttpResponse:
    earlier = (
        AuditEvent.objects.filter(
            action="aid.import.committed",
            actor_id=request.user.pk,
            details__sha256=upload.sha256,
        )
        .order_by("-at")
        .first()
    )
    return TemplateResponse(
        request,
        "aid/import_preview.html",
        {
            "upload": upload,
            "kind_label": imports.Kind(upload.kind).label,
            "preview": checked,
            "file_errors": [e for e in checked.errors if not e.row],
            "earlier": earlier,
            "rejected": rejected,
        },
        status=422 if rejected else 200,
    )


@login_required
@require_GET
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    upload = _upload_or_404(request, token)
    _require_importer(request)
    return _preview_page(
        request, upload, imports.preview(request.user, upload.kind, upload.content)
    )


@login_required
@require_GET
def import_errors(request: HttpRequest, token: str) -> HttpResponse:
    """Every problem of the file, as CSV, to fix it row by row in a spreadsheet."""
    upload = _upload_or_404(request, token)
    _require_importer(request)
    checked = imports.preview(request.user, upload.kind, upload.content)
    return table_response(
        filename="hromada-import-problems",
        header=[_("Row"), _("Column"), _("Problem")],
        rows=imports.errors_csv(checked.errors),
    )


@login_required
@require_POST
def import_commit(request: HttpRequest, token: str) -> HttpResponse:
    upload = imports.load_upload(request.user, token)
    if upload is None:
        messages.error(
            request,
            _(
                "This file is no longer waiting: it was imported or cancelled, or it is older than a day."
            ),
        )
        return redirect("aid:imports")
    _require_importer(request)
    lock = f"aid-import-commit:{request.user.pk}:{token}"
    if not cache.add(lock, 1, COMMIT_LOCK_SECONDS):
        messages.error(request, _("This file is being imported already. Wait a moment."))
        return redirect("aid:import-preview", token=token)
    try:
        done = imports.commit(
            request.user,
            upload.kind,
            upload.content,
            key=token,
            name=upload.name,
            request=request,
        )
    except imports.ImportRejected as rejected:
        cache.delete(lock)
        checked = imports.Preview(kind=upload.kind, errors=rejected.errors)
        return _preview_page(request, upload, checked, rejected=True)
    imports.drop_upload(request.user, token)
    messages.success(
        request,
        ngettext(
            "%(n)s row imported from %(file)s.", "%(n)s rows imported from %(file)s.", done.rows
        )
        % {"n": done.rows, "file": upload.name},
    )
    targets = {
        imports.Kind.NEEDS: "aid:needs-board",
        imports.Kind.PLEDGES: "aid:pledge-list",
        imports.Kind.STOCK: "aid:dashboard",
    }
    return redirect(targets[imports.Kind(upload.kind)])


@login_required
@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    if imports.TOKEN.match(token):
        imports.drop_upload(request.user, token)
    messages.success(request, _("The file is discarded; nothing was imported."))
    return redirect("aid:imports")


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty file with the headers (in the reader's language) and one example row."""
    _require_importer(request)
    if kind not in imports.Kind.values:
        raise Http404
    header, rows = imports.template_rows(kind)
    return table_response(filename=f"hromada-{kind}", header=header, rows=rows)


urlpatterns = [
    path("imports/", import_start, name="imports"),
    path("imports/template/<slug:kind>.csv", import_template, name="import-template"),
    path("imports/<slug:token>/", import_preview, name="import-preview"),
    path("imports/<slug:token>/problems.csv", import_errors, name="import-errors"),
    path("imports/<slug:token>/commit/", import_commit, name="import-commit"),
    path("imports/<slug:token>/cancel/", import_cancel, name="import-cancel"),
]
