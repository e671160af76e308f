"""Fund pages: thin doors onto the permission helpers, the forms and the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid.models import Item, Need
from hromada.aid.permissions import visible_needs
from hromada.core import permissions as core_permissions
from hromada.core.models import Place
from hromada.core.services import record_event
from hromada.funds import charts, imports, selectors, services
from hromada.funds.forms import (
    ConversionForm,
    CorrectionForm,
    DecisionForm,
    DonationForm,
    ExpenseForm,
    FundForm,
    FundSettingsForm,
    RateForm,
    StatementForm,
)
from hromada.funds.models import BankMapping, Donation, ExchangeRate, Expense, Fund
from hromada.funds.permissions import (
    access_expense,
    access_fund,
    managed_organizations,
    may_approve_expense,
    may_manage_fund,
    may_manage_funds,
    visible_funds,
)
from hromada.lib.exports import FORMATS, table_response
from hromada.lib.forms import form_error_from

PUBLIC_EXPENSES = 50
PUBLIC_DONATIONS = 30
LEDGER_PAGE = 100


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    funds = list(visible_funds(request.user))
    summaries = {fund.pk: selectors.summary(fund) for fund in funds}
    return TemplateResponse(
        request,
        "funds/home.html",
        {
            "rows": [(fund, summaries[fund.pk]) for fund in funds],
            "may_create": may_manage_funds(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_create(request: HttpRequest) -> HttpResponse:
    if not may_manage_funds(request.user):
        raise PermissionDenied(_("Coordinators and admins of an organisation open its funds."))
    form = FundForm(request.POST or None, organizations=managed_organizations(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund, _created = services.create_fund(
                request.user,
                organization=data["organization"],
                name=data["name"],
                purpose=data["purpose"],
                currencies=data["currencies"],
                base_currency=data["base_currency"],
                is_public=data["is_public"],
                approval_threshold=data["approval_threshold"],
                idempotency_key=data["idempotency_key"] or None,
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            messages.success(request, _("The fund is open."))
            return redirect("funds:fund-detail", pk=fund.pk)
    return TemplateResponse(
        request, "funds/fund_form.html", {"form": form}, status=422 if form.errors else 200
    )


@require_GET
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The transparency page: what came in, what went out, what it bought and where it went."""
    fund = access_fund(request.user, pk)
    summary = selectors.summary(fund)
    categories = selectors.spending_by_category(fund)
    months = selectors.by_month(fund)
    expenses = list(selectors.spent_expenses(fund)[:PUBLIC_EXPENSES])
    raised_chart, spent_chart = charts.by_month(months, fund.base_currency)
    donations = list(
        selectors.public_donations(fund).filter(corrects__isnull=True)[:PUBLIC_DONATIONS]
    )
    return TemplateResponse(
        request,
        "funds/fund_detail.html",
        {
            "fund": fund,
            "summary": summary,
            "categories": categories,
            "category_chart": charts.by_category(categories, fund.base_currency),
            "months": months,
            "raised_chart": raised_chart,
            "spent_chart": spent_chart,
            "earmarks": selectors.earmarks(request.user, fund),
            "expenses": expenses,
            "trails": selectors.trails(request.user, expenses),
            "donations": [(d, selectors.earmark_label(request.user, d)) for d in donations],
            "report_months": [m.start for m in months][::-1],
            "may_manage": may_manage_fund(request.user, fund),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fund_settings(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    initial = {
        "purpose": fund.purpose,
        "currencies": fund.currencies,
        "approval_threshold": fund.approval_threshold,
        "is_public": fund.is_public,
    }
    form = FundSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_fund(request.user, fund, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("funds:ledger", pk=fund.pk)
    return TemplateResponse(
        request,
        "funds/fund_settings.html",
        {"fund": fund, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """The managers' view: every row, with the donors' names and contacts (an audited read)."""
    fund = access_fund(request.user, pk, manage=True)
    donations = Paginator(
        selectors.public_donations(fund).select_related("corrects", "statement"), LEDGER_PAGE
    ).get_page(request.GET.get("page"))
    record_event("funds.ledger.viewed", obj=fund, request=request, page=donations.number)
    expenses = (
        Expense.objects.filter(fund=fund)
        .select_related("created_by", "decided_by")
        .order_by("-spent_on", "-pk")[:200]
    )
    return TemplateResponse(
        request,
        "funds/ledger.html",
        {
            "fund": fund,
            "balances": services.balances(fund),
            "donations": donations,
            "expenses": expenses,
            "conversions": fund.conversions.all()[:50],
            "statements": fund.statements.all()[:20],
            "conversion_form": ConversionForm(initial={"on": timezone.localdate()}),
            "correction_form": CorrectionForm(),
        },
    )


def _earmark_choices(user: Any) -> tuple[QuerySet[Place], QuerySet[Need]]:
    places = core_permissions.visible_places(user).select_related("organization")
    needs = (
        visible_needs(user).filter(status__in=Need.OPEN_STATUSES).select_related("item", "place")
    )
    return places, needs


@login_required
@require_http_methods(["GET", "POST"])
def donation_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    places, needs = _earmark_choices(request.user)
    form = DonationForm(
        request.POST or None, currencies=fund.currencies, places=places, needs=needs
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data.pop("idempotency_key") or None
        try:
            _donation, created = services.record_donation(
                request.user, fund, idempotency_key=key, **data
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            if created:
                messages.success(request, _("The donation is recorded."))
            return redirect("funds:ledger", pk=fund.pk)
    return TemplateResponse(
        request,
        "funds/donation_form.html",
        {"fund": fund, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def donation_correct(request: HttpRequest, pk: int, donation_pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    donation = Donation.objects.filter(fund=fund, pk=donation_pk).first()
    if donation is None:
        raise Http404
    form = CorrectionForm(request.POST)
    try:
        _require_valid(form)
        services.correct_donation(request.user, donation, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _flatten(error))
    else:
        messages.success(request, _("The correction is recorded."))
    return redirect("funds:ledger", pk=fund.pk)


def _require_valid(form: Any) -> None:
    if not form.is_valid():
        raise ValidationError(
            {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
        )


def _flatten(error: ValidationError) -> str:
    """A service's refusal as one message line (for actions posted from a list)."""
    return " ".join(str(m) for m in error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def expense_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    places, needs = _earmark_choices(request.user)
    hubs = core_permissions.coordinated_places(request.user) | Place.objects.filter(
        organization=fund.organization, is_active=True
    )
    form = ExpenseForm(
        request.POST or None,
        request.FILES or None,
        currencies=fund.currencies,
        items=Item.objects.filter(is_active=True),
        hubs=hubs.distinct(),
        places=places,
        needs=needs,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        purchases = [
            services.PurchaseIn(
                data[f"item_{n}"], data[f"quantity_{n}"], data[f"hub_{n}"], data[f"expires_on_{n}"]
            )
            for n in range(1, ExpenseForm.LINES + 1)
            if data.get(f"item_{n}")
        ]
        try:
            expense, _created = services.record_expense(
                request.user,
                fund,
                amount=data["amount"],
                currency=data["currency"],
                spent_on=data["spent_on"],
                payee=data["payee"],
                purpose=data["purpose"],
                category=data["category"],
                earmark_category=data["earmark_category"],
                earmark_place=data["earmark_place"],
                earmark_need=data["earmark_need"],
                receipt=data["receipt"],
                purchases=purchases,
                confirm_overspend=data["confirm_overspend"],
                idempotency_key=data["idempotency_key"] or None,
            )
        except ValidationError as error:
            form_error_from(form, error)
        else:
            if expense.status == Expense.Status.AWAITING:
                messages.success(
                    request, _("The expense is recorded and waits for a second person's approval.")
                )
            else:
                messages.success(request, _("The expense is recorded."))
            return redirect("funds:expense-detail", pk=fund.pk, expense_pk=expense.pk)
    return TemplateResponse(
        request,
        "funds/expense_form.html",
        {"fund": fund, "form": form},
        status=422 if form.errors else 200,
    )


@require_GET
def expense_detail(request: HttpRequest, pk: int, expense_pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk)
    expense = access_expense(request.user, fund, expense_pk)
    managing = may_manage_fund(request.user, fund)
    return TemplateResponse(
        request,
        "funds/expense_detail.html",
        {
            "fund": fund,
            "expense": expense,
            "earmark": selectors.earmark_label(request.user, expense),
            "trails": selectors.trails(request.user, [expense]).get(expense.pk, []),
            "corrections": expense.corrections.all(),
            "may_manage": managing,
            "may_approve": may_approve_expense(request.user, expense),
            "decision_form": DecisionForm(),
            "correction_form": CorrectionForm(),
        },
    )


@login_required
@require_POST
def expense_decide(request: HttpRequest, pk: int, expense_pk: int, decision: str) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    expense = access_expense(request.user, fund, expense_pk, manage=True)
    form = DecisionForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        if decision == "approve":
            services.approve_expense(
                request.user, expense, confirm_overspend=bool(data.get("confirm_overspend"))
            )
            messages.success(
                request, _("Approved: the expense is spent and its goods are in stock.")
            )
        else:
            services.reject_expense(request.user, expense, reason=data.get("reason", ""))
            messages.success(request, _("The expense is rejected."))
    except ValidationError as error:
        messages.error(request, _flatten(error))
    return redirect("funds:expense-detail", pk=fund.pk, expense_pk=expense.pk)


@login_required
@require_POST
def expense_correct(request: HttpRequest, pk: int, expense_pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    expense = access_expense(request.user, fund, expense_pk, manage=True)
    form = CorrectionForm(request.POST)
    try:
        _require_valid(form)
        services.correct_expense(request.user, expense, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _flatten(error))
    else:
        messages.success(request, _("The correction is recorded."))
    return redirect("funds:expense-detail", pk=fund.pk, expense_pk=expense.pk)


@login_required
@require_GET
def expense_receipt(request: HttpRequest, pk: int, expense_pk: int) -> FileResponse:
    """The receipt itself: the fund's managers only, and every read is logged."""
    fund = access_fund(request.user, pk, manage=True)
    expense = access_expense(request.user, fund, expense_pk, manage=True)
    if not expense.receipt:
        raise Http404
    record_event("funds.receipt.viewed", obj=expense, request=request)
    response = FileResponse(
        expense.receipt.open("rb"), content_type=expense.receipt_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'inline; filename="receipt-{expense.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def earmark(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One earmark: the donations given for it and the expenses paid from it."""
    fund = access_fund(request.user, pk)
    found = next((e for e in selectors.earmarks(request.user, fund) if e.key == key), None)
    if found is None:
        raise Http404
    donations, expenses = selectors.earmark_rows(fund, key)
    expense_list = list(expenses)
    return TemplateResponse(
        request,
        "funds/earmark.html",
        {
            "fund": fund,
            "earmark": found,
            "donations": list(donations.filter(corrects__isnull=True)[:200]),
            "expenses": expense_list,
            "trails": selectors.trails(request.user, expense_list),
        },
    )


@require_GET
def month_report(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    fund = access_fund(request.user, pk)
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404
    report = selectors.month_report(fund, year, month)
    return TemplateResponse(
        request,
        "funds/month_report.html",
        {"fund": fund, "report": report, "trails": selectors.trails(request.user, report.expenses)},
    )


@require_GET
def export(request: HttpRequest, pk: int, what: str, fmt: str) -> HttpResponse:
    """Donations or expenses as CSV or XLSX. A donor is named only when they agreed."""
    fund = access_fund(request.user, pk)
    if fmt not in FORMATS or what not in ("donations", "expenses"):
        raise Http404
    record_event("funds.exported", obj=fund, request=request, what=what, fmt=fmt)
    if what == "donations":
        header = [
            _("Date"),
            _("Amount"),
            _("Currency"),
            _("Channel"),
            _("Donor"),
            _("Earmarked for"),
            _("Corrects"),
        ]
        rows = selectors.donation_rows(request.user, fund)
        hxl = [
            "#date",
            "#value",
            "#currency",
            "#channel",
            "#org+donor",
            "#meta+earmark",
            "#meta+corrects",
        ]
    else:
        header = [
            _("Date"), _("Amount"), _("Currency"), _("Worth in %(currency)s") % {"currency": fund.base_currency},
            _("Paid to"), _("What for"), _("Category"), _("Earmarked for"), _("Receipt held"), _("Goods bought"),
            _("Corrects"),
        ]  # fmt: skip
        rows = selectors.expense_rows(request.user, fund)
        hxl = [
            "#date", "#value", "#currency", "#value+converted", "#org+payee", "#description", "#sector",
            "#meta+earmark", "#meta+receipt", "#item", "#meta+corrects",
        ]  # fmt: skip
    return table_response(
        filename=f"fund-{fund.pk}-{what}", header=header, rows=rows, fmt=fmt, hxl=hxl
    )


@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest) -> HttpResponse:
    """The dated table of exchange rates every total uses (entered here; never fetched)."""
    may_enter = may_manage_funds(request.user)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        if not may_enter:
            raise PermissionDenied(
                _("Coordinators and admins who manage funds enter exchange rates.")
            )
        if form.is_valid():
            try:
                services.add_rate(request.user, **form.cleaned_data)
            except ValidationError as error:
                form_error_from(form, error)
            else:
                messages.success(request, _("The rate is saved."))
                return redirect("funds:rates")
    return TemplateResponse(
        request,
        "funds/rates.html",
        {"rates": ExchangeRate.objects.all()[:200], "form": form if may_enter else None},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def conversion_create(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    form = ConversionForm(request.POST)
    try:
        _require_valid(form)
        services.convert_currency(request.user, fund, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _flatten(error))
    else:
        messages.success(request, _("The conversion is recorded."))
    return redirect("funds:ledger", pk=fund.pk)


# Bank statements ----------------------------------------------------------------------------

COMMIT_LOCK_SECONDS = 15 * 60


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    saved = BankMapping.objects.filter(organization=fund.organization)
    chosen = saved.filter(bank=request.GET.get("bank", "")).first() or saved.first()
    form = StatementForm(
        request.POST or None,
        request.FILES or None,
        initial=StatementForm.initial_from(chosen) if chosen else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mapping = imports.save_mapping(
                request.user,
                fund,
                bank=data["bank"],
                columns={name: data.get(f"column_{name}", "") for name in BankMapping.FIELDS},
                date_format=data["date_format"],
                default_currency=data["default_currency"],
            )
        except ValidationError as error:
            form_error_from(
                form,
                ValidationError(
                    {
                        (f"column_{k}" if f"column_{k}" in form.fields else k): v
                        for k, v in error.message_dict.items()
                    }
                ),
            )
        else:
            token = imports.save_upload(
                request.user, fund, mapping, data["file"].name, data["file"].read()
            )
            return redirect("funds:import-preview", pk=fund.pk, token=token)
    return TemplateResponse(
        request,
        "funds/import.html",
        {"fund": fund, "form": form, "saved": saved, "chosen": chosen},
        status=422 if form.errors else 200,
    )


def _upload_for(request: HttpRequest, fund: Fund, token: str) -> tuple[imports.Upload, BankMapping]:
    upload = imports.load_upload(request.user, token)
    if upload is None or upload.fund_id != fund.pk:
        raise Http404
    mapping = BankMapping.objects.filter(
        pk=upload.mapping_id, organization=fund.organization
    ).first()
    if mapping is None:
        raise Http404
    return upload, mapping


def _preview_page(
    request: HttpRequest,
    fund: Fund,
    upload: imports.Upload,
    mapping: BankMapping,
    checked: imports.Preview,
    *,
    status: int = 200,
) -> HttpResponse:
    return TemplateResponse(
        request,
        "funds/import_preview.html",
        {
            "fund": fund,
            "upload": upload,
            "mapping": mapping,
            "preview": checked,
            "totals": checked.totals(),
        },
        status=status,
    )


@login_required
@require_GET
def import_preview(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    upload, mapping = _upload_for(request, fund, token)
    checked = imports.preview(fund, mapping, upload.content)
    return _preview_page(request, fund, upload, mapping, checked)


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    upload, mapping = _upload_for(request, fund, token)
    lock = f"funds-import-commit:{request.user.pk}:{token}"
    if not cache.add(lock, 1, COMMIT_LOCK_SECONDS):
        messages.error(request, _("This file is being imported already. Wait a moment."))
        return redirect("funds:import-preview", pk=fund.pk, token=token)
    try:
        done = imports.commit(
            request.user,
            fund,
            mapping,
            upload.content,
            key=token,
            name=upload.name,
            request=request,
        )
    except imports.ImportRejected as rejected:
        cache.delete(lock)
        return _preview_page(
            request, fund, upload, mapping, imports.Preview(errors=rejected.errors), status=422
        )
    imports.drop_upload(request.user, token)
    skipped = len(done.statement.skipped)
    messages.success(
        request,
        ngettext("%(n)s donation imported", "%(n)s donations imported", done.statement.added)
        % {"n": done.statement.added}
        + "; "
        + ngettext("%(n)s row skipped.", "%(n)s rows skipped.", skipped) % {"n": skipped},
    )
    return redirect("funds:ledger", pk=fund.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    fund = access_fund(request.user, pk, manage=True)
    if imports.TOKEN.match(token):
        imports.drop_upload(request.user, token)
    messages.success(request, _("The file is discarded; nothing was imported."))
    return redirect("funds:import", pk=fund.pk)
