"""Stock pages: what each place holds, lot by lot, and the ledger behind it."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hromada.aid.forms import ReverseMoveForm, StockForm
from hromada.aid.models import StockLevel, StockMove
from hromada.aid.permissions import access_stock_place, may_manage_stock_at, stock_places
from hromada.aid.services import stock
from hromada.core import permissions
from hromada.core.services import record_event
from hromada.lib.forms import form_error_from


@login_required
@require_GET
def stock_index(request: HttpRequest) -> HttpResponse:
    soon = timezone.localdate() + stock.timedelta_warning()
    places = stock_places(request.user).annotate(
        lots=Count("stock", filter=Q(stock__quantity__gt=0)),
        expiring=Count("stock", filter=Q(stock__quantity__gt=0, stock__expires_on__lte=soon)),
    )
    return TemplateResponse(request, "aid/stock_index.html", {"places": places})


def _forms(
    request: HttpRequest, place: Any, data: Any = None, action: str | None = None
) -> dict[str, StockForm]:
    destinations = permissions.visible_places(request.user).exclude(pk=place.pk)
    return {
        name: StockForm(
            data if name == action else None, action=name, destinations=destinations, prefix=name
        )
        for name in StockForm.ACTIONS
    }


def _levels(place: Any) -> list[dict[str, Any]]:
    """Levels grouped by item, lots in the order they will be used (earliest expiry first)."""
    grouped: OrderedDict[int, dict[str, Any]] = OrderedDict()
    levels = StockLevel.objects.filter(place=place, quantity__gt=0).select_related("item")
    for level in sorted(levels, key=lambda lv: (lv.item.name, stock.fefo_key(lv))):
        row = grouped.setdefault(
            level.item_id, {"item": level.item, "total": Decimal(0), "lots": []}
        )
        row["total"] += level.quantity
        row["lots"].append(level)
    return list(grouped.values())


@login_required
@require_GET
def stock_place(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_stock_place(request.user, pk)
    if place.sensitivity != "public":
        record_event("stock.viewed", obj=place, request=request)
    context = {
        "place": place,
        "rows": _levels(place),
        "warning_days": stock.EXPIRY_WARNING_DAYS,
        "soon": timezone.localdate() + stock.timedelta_warning(),
        "may_manage": may_manage_stock_at(request.user, place),
    }
    if context["may_manage"]:
        context["forms"] = _forms(request, place)
    return TemplateResponse(request, "aid/stock_place.html", context)


@login_required
@require_POST
def stock_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    place = access_stock_place(request.user, pk, manage=True)
    forms = _forms(request, place, request.POST, action)
    form = forms[action]
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "receive":
                stock.receive_stock(
                    request.user,
                    place=place,
                    item=data["item"],
                    quantity=data["quantity"],
                    reason=data["reason"],
                    batch=data["batch"],
                    expires_on=data["expires_on"],
                    note=data["note"],
                )
            elif action == "issue":
                stock.issue_stock(
                    request.user,
                    place=place,
                    item=data["item"],
                    quantity=data["quantity"],
                    reason=data["reason"],
                    note=data["note"],
                )
            elif action == "transfer":
                stock.transfer_stock(
                    request.user,
                    from_place=place,
                    to_place=data["to_place"],
                    item=data["item"],
                    quantity=data["quantity"],
                    note=data["note"],
                )
            else:
                stock.count_stock(
                    request.user,
                    place=place,
                    item=data["item"],
                    counted=data["counted"],
                    batch=data["batch"],
                    expires_on=data["expires_on"],
                    note=data["note"],
                )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The stock is updated."))
            return redirect("aid:stock-place", pk=place.pk)
    context = {
        "place": place,
        "rows": _levels(place),
        "warning_days": stock.EXPIRY_WARNING_DAYS,
        "may_manage": True,
        "forms": forms,
        "open_action": action,
    }
    return TemplateResponse(request, "aid/stock_place.html", context, status=422)


@login_required
@require_GET
def stock_moves(request: HttpRequest, pk: int) -> HttpResponse:
    place = access_stock_place(request.user, pk)
    moves = (
        StockMove.objects.filter(Q(from_place=place) | Q(to_place=place))
        .select_related("item", "from_place", "to_place", "actor")
        .order_by("-at", "-pk")
    )
    page = Paginator(moves, 50).get_page(request.GET.get("page"))
    totals = moves.aggregate(count=Count("pk"), quantity=Sum("quantity"))
    return TemplateResponse(
        request,
        "aid/stock_moves.html",
        {
            "place": place,
            "page": page,
            "totals": totals,
            "may_manage": may_manage_stock_at(request.user, place),
            "reverse_form": ReverseMoveForm(),
        },
    )


@login_required
@require_POST
def stock_reverse(request: HttpRequest, pk: int, move_pk: int) -> HttpResponse:
    place = access_stock_place(request.user, pk, manage=True)
    original = get_object_or_404(
        StockMove.objects.filter(Q(from_place=place) | Q(to_place=place)), pk=move_pk
    )
    form = ReverseMoveForm(request.POST)
    if form.is_valid():
        try:
            stock.reverse_move(request.user, original, note=form.cleaned_data["note"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request, _("The move is corrected by its mirror image; both stay in the ledger.")
            )
    else:
        messages.error(request, _("Say why the move is corrected."))
    return redirect("aid:stock-moves", pk=place.pk)


urlpatterns = [
    path("stock/", stock_index, name="stock-index"),
    path("stock/<int:pk>/", stock_place, name="stock-place"),
    path("stock/<int:pk>/moves/", stock_moves, name="stock-moves"),
    path("stock/<int:pk>/moves/<int:move_pk>/reverse/", stock_reverse, name="stock-reverse"),
    *(
        path(f"stock/<int:pk>/{a}/", stock_act, {"action": a}, name=f"stock-{a}")
        for a in StockForm.ACTIONS
    ),
]
