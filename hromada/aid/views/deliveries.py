"""Delivery pages: the driver's list, one delivery's page with its next step, planning by hand."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid.forms import DeliveredForm, DeliveryLineFormSet, PlanDeliveryForm, ReasonForm
from hromada.aid.models import Delivery
from hromada.aid.permissions import (
    DRIVER_ROLES,
    access_delivery,
    may_dispatch,
    may_drive,
    may_receive,
    stock_places,
    visible_deliveries,
)
from hromada.aid.selectors import open_need_for
from hromada.aid.services import deliveries
from hromada.core import permissions
from hromada.core.models import User
from hromada.core.services import record_event
from hromada.lib.forms import form_error_from

RELATIONS = ("from_place", "to_place__area", "driver")


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    visible = visible_deliveries(user).select_related(*RELATIONS).prefetch_related("lines__item")
    driving_for = permissions.orgs_with_role(user, *DRIVER_ROLES)
    managing = permissions.orgs_with_role(user, *permissions.PLACE_MANAGERS)
    sections = [
        (_("Yours to drive"), visible.filter(driver=user, status__in=Delivery.ACTIVE_STATUSES)),
        (
            _("Open to claim"),
            visible.filter(
                status=Delivery.Status.PLANNED, from_place__organization__in=driving_for
            ),
        ),
        (
            _("From your hubs"),
            visible.filter(
                from_place__organization__in=managing, status__in=Delivery.ACTIVE_STATUSES
            ).exclude(status=Delivery.Status.PLANNED, from_place__organization__in=driving_for),
        ),
        (
            _("Coming to your places"),
            visible.filter(to_place__organization__in=managing).filter(
                Q(status__in=Delivery.ACTIVE_STATUSES) | Q(status=Delivery.Status.DELIVERED)
            ),
        ),
        (
            _("Done lately"),
            visible.filter(
                status__in=(
                    Delivery.Status.CONFIRMED,
                    Delivery.Status.FAILED,
                    Delivery.Status.CANCELLED,
                    Delivery.Status.DELIVERED,
                )
            )[:20],
        ),
    ]
    deliveries.release_stale_claims()  # a rotten claim is back in the pool before anyone looks
    return TemplateResponse(
        request,
        "aid/delivery_list.html",
        {
            "sections": [(title, list(rows)) for title, rows in sections],
            "may_plan": bool(managing) or permissions.is_superuser(user),
        },
    )


def _actions(request: HttpRequest, delivery: Delivery) -> dict[str, bool]:
    user = request.user
    mine = delivery.driver_id == getattr(user, "pk", None)
    status = delivery.status
    return {
        "claim": status == Delivery.Status.PLANNED and may_drive(user, delivery),
        "unclaim": status == Delivery.Status.CLAIMED and mine,
        "pick_up": status == Delivery.Status.CLAIMED and mine,
        "deliver": status == Delivery.Status.PICKED_UP and mine,
        "confirm": status == Delivery.Status.DELIVERED and may_receive(user, delivery),
        "fail": status in (Delivery.Status.CLAIMED, Delivery.Status.PICKED_UP)
        and (mine or may_dispatch(user, delivery)),
        "cancel": delivery.is_active and may_dispatch(user, delivery),
    }


def _detail(
    request: HttpRequest, delivery: Delivery, *, status: int = 200, **forms: Any
) -> HttpResponse:
    lines = list(delivery.lines.select_related("item", "need"))
    actions = _actions(request, delivery)
    context = {
        "delivery": delivery,
        "lines": lines,
        "actions": actions,
        "delivered_form": forms.get("delivered_form") or DeliveredForm(lines=lines),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "open_form": forms.get("open_form", ""),
    }
    return TemplateResponse(request, "aid/delivery_detail.html", context, status=status)


@login_required
@require_GET
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = access_delivery(request.user, pk)
    if delivery.to_place.sensitivity != "public":
        record_event("delivery.viewed", obj=delivery, request=request)
    return _detail(request, delivery)


@login_required
@require_POST
def delivery_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One button per step; the service decides whether this user may take it now."""
    delivery = access_delivery(request.user, pk)
    user = request.user
    done = {
        "claim": _("The delivery is yours. Pick it up within %(minutes)s minutes.")
        % {"minutes": deliveries.CLAIM_MINUTES},
        "unclaim": _("The delivery is back in the pool."),
        "pick_up": _("Picked up: the goods have left the hub."),
        "deliver": _("Delivered. Thank you!"),
        "confirm": _("Confirmed as received."),
        "fail": _("Reported. The goods go back to the hub."),
        "cancel": _("The delivery is cancelled."),
    }
    try:
        if step in ("claim", "unclaim", "pick_up", "confirm"):
            deliveries.take_step(user, delivery, step)
        elif step == "deliver":
            lines = list(delivery.lines.select_related("item"))
            form = DeliveredForm(request.POST, request.FILES, lines=lines)
            if not form.is_valid():
                return _detail(
                    request, delivery, status=422, delivered_form=form, open_form="deliver"
                )
            try:
                deliveries.mark_delivered(
                    user,
                    delivery,
                    recipient_name=form.cleaned_data["recipient_name"],
                    received=form.received(),
                    photo=form.cleaned_data["photo"],
                )
            except ValidationError as e:
                form_error_from(form, e)
                return _detail(
                    request, delivery, status=422, delivered_form=form, open_form="deliver"
                )
        else:  # fail, cancel
            reason_form = ReasonForm(request.POST)
            if not reason_form.is_valid():
                return _detail(
                    request, delivery, status=422, reason_form=reason_form, open_form=step
                )
            deliveries.take_step(user, delivery, step, reason=reason_form.cleaned_data["reason"])
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("aid:delivery-detail", pk=delivery.pk)
    messages.success(request, done[step])
    return redirect("aid:delivery-detail", pk=delivery.pk)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_new(request: HttpRequest) -> HttpResponse:
    """Plan a run by hand: from one of your hubs, to any place you may see."""
    hubs = (
        stock_places(request.user).filter(
            organization__in=permissions.orgs_with_role(request.user, *permissions.PLACE_MANAGERS)
        )
        if not permissions.is_superuser(request.user)
        else stock_places(request.user)
    )
    if not hubs.exists():
        raise PermissionDenied
    destinations = permissions.visible_places(request.user)
    initial = {"from_place": request.GET.get("from"), "to_place": request.GET.get("to")}
    form = PlanDeliveryForm(
        request.POST or None, hubs=hubs, destinations=destinations, initial=initial
    )
    lines = DeliveryLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        chosen = [
            deliveries.LineIn(
                ln["item"],
                ln["quantity"],
                open_need_for(request.user, data["to_place"], ln["item"]),
            )
            for ln in lines.cleaned_data
            if ln.get("item")
        ]
        try:
            delivery, _created = deliveries.plan_delivery(
                request.user,
                from_place=data["from_place"],
                to_place=data["to_place"],
                lines=chosen,
                planned_for=data["planned_for"],
                note=data["note"],
                idempotency_key=data["idempotency_key"] or None,
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(
                request, _("The delivery is planned; drivers of the hub can claim it.")
            )
            return redirect("aid:delivery-detail", pk=delivery.pk)
    status = 422 if form.errors or any(lines.errors) or lines.non_form_errors() else 200
    return TemplateResponse(
        request, "aid/delivery_new.html", {"form": form, "lines": lines}, status=status
    )


@login_required
@require_GET
def delivery_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo at the door: only for those who may see the delivery, and every look is logged."""
    delivery = access_delivery(request.user, pk)
    if not delivery.photo:
        raise Http404
    record_event("delivery.photo_viewed", obj=delivery, request=request)
    response = FileResponse(delivery.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("deliveries/", delivery_list, name="delivery-list"),
    path("deliveries/new/", delivery_new, name="delivery-new"),
    path("deliveries/<int:pk>/", delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/photo/", delivery_photo, name="delivery-photo"),
    *(
        path(
            f"deliveries/<int:pk>/{s.replace('_', '-')}/",
            delivery_step,
            {"step": s},
            name=f"delivery-{s.replace('_', '-')}",
        )
        for s in ("claim", "unclaim", "pick_up", "deliver", "confirm", "fail", "cancel")
    ),
]
