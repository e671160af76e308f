"""Giving: what is needed most, the offer form, the donor's private page, and the
coordinators' handling of offers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid.forms import AcceptPledgeForm, DeclinePledgeForm, PledgeForm, ReceivePledgeForm
from hromada.aid.models import Item, Pledge, Priority
from hromada.aid.permissions import (
    access_pledge,
    may_handle_pledge,
    stock_places,
    visible_needs,
    visible_pledges,
)
from hromada.aid.selectors import most_needed
from hromada.aid.services import pledges
from hromada.core import permissions
from hromada.core.services import client_ip
from hromada.lib import ratelimit
from hromada.lib.forms import form_error_from
from hromada.lib.pagecache import shared_for_anonymous
from hromada.lib.ratelimit import RateLimited


@require_GET
@shared_for_anonymous("needs")
def needed_most(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "aid/needed_most.html",
        {"rows": most_needed(request.user), "priorities": Priority.choices},
    )


def _id_in(value: str | None) -> int:
    """An id from the address, or 0 (nothing) when it is not one: links get mangled."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else 0


@require_http_methods(["GET", "POST"])
def give(request: HttpRequest) -> HttpResponse:
    """The offer form: anyone, signed in or not."""
    need = (
        visible_needs(request.user)
        .current()
        .filter(pk=_id_in(request.GET.get("need")))
        .select_related("item")
        .first()
    )
    initial: dict[str, Any] = {}
    if need is not None:
        initial.update(need=need.pk, item=need.item_id, quantity=need.shortfall, unit=need.unit)
    elif request.GET.get("item") and "\x00" not in request.GET["item"]:  # PostgreSQL refuses NUL
        initial["item"] = (
            Item.objects.filter(code=request.GET["item"], is_active=True)
            .values_list("pk", flat=True)
            .first()
        )
    if request.user.is_authenticated:
        initial.update(
            contact_name=request.user.display_name,
            contact_phone=request.user.phone,  # type: ignore[union-attr]
            contact_email=request.user.email,
        )
    form = PledgeForm(request.POST or None, initial=initial)
    refused: RateLimited | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key") or None
        need_id = data.pop("need")
        chosen = (
            visible_needs(request.user)
            .filter(pk=need_id)
            .select_related("place__organization", "item")
            .first()
            if need_id
            else None
        )
        try:
            pledge, _created = pledges.offer_pledge(
                request.user, need=chosen, idempotency_key=key, ip=client_ip(request), **data
            )
        except RateLimited as limited:
            form.add_error(None, str(limited))
            refused = limited
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(
                request,
                _("Thank you! Keep the address of this page: it shows what happens to your offer."),
            )
            return redirect(pledges.follow_url(pledge))
    response = TemplateResponse(
        request, "aid/give.html", {"form": form, "need": need}, status=422 if form.errors else 200
    )
    return ratelimit.refuse(response, refused) if refused else response


@require_GET
def pledge_follow(request: HttpRequest, token: str) -> HttpResponse:
    """The donor's private page: the status of their offer, by the link they were given."""
    pledge = pledges.pledge_for_token(token)
    if pledge is None:
        raise Http404
    hub_public = pledge.hub is not None and pledge.hub.sensitivity == "public"
    response = TemplateResponse(
        request, "aid/pledge_follow.html", {"pledge": pledge, "hub_public": hub_public}
    )
    response["Referrer-Policy"] = "no-referrer"  # the URL is the key: never pass it on
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def pledge_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    listed = visible_pledges(request.user).select_related(
        "item", "need__place", "organization", "hub"
    )
    listed = (
        listed.filter(status__in=Pledge.OPEN_STATUSES)
        if status == "open"
        else listed.filter(status=status)
    )
    if not permissions.has_any_role(request.user, *permissions.PLACE_MANAGERS):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "aid/pledge_list.html",
        {
            "pledges": listed[:200],
            "status": status,
            "statuses": Pledge.Status.choices,
        },
    )


def _handling_forms(request: HttpRequest, pledge: Pledge, data: Any = None) -> dict[str, Any]:
    hubs = (
        stock_places(request.user).filter(
            organization__in=permissions.orgs_with_role(request.user, *permissions.PLACE_MANAGERS)
        )
        if not permissions.is_superuser(request.user)
        else stock_places(request.user)
    )
    needs = visible_needs(request.user).current().select_related("place")
    if pledge.item_id:
        needs = needs.filter(item=pledge.item_id)
    return {
        "accept_form": AcceptPledgeForm(
            data, hubs=hubs, needs=needs, initial={"need": pledge.need_id, "hub": pledge.hub_id}
        ),
        "decline_form": DeclinePledgeForm(data),
        "receive_form": ReceivePledgeForm(
            data,
            hubs=hubs,
            initial={
                "hub": pledge.hub_id,
                "quantity": pledge.quantity,
                "expires_on": pledge.expires_on,
            },
        ),
    }


@login_required
@require_GET
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = access_pledge(request.user, pk)
    context = {"pledge": pledge, "may_handle": may_handle_pledge(request.user, pledge)}
    if context["may_handle"] and pledge.is_open:
        context.update(_handling_forms(request, pledge))
    return TemplateResponse(request, "aid/pledge_detail.html", context)


@login_required
@require_POST
def pledge_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept, decline or receive an offer: one form each on the offer's page."""
    pledge = access_pledge(request.user, pk, manage=True)
    forms = _handling_forms(request, pledge, request.POST)
    form = forms[f"{action}_form"]
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "accept":
                pledges.accept_pledge(request.user, pledge, hub=data["hub"], need=data["need"])
                messages.success(request, _("The offer is accepted; the donor is told."))
            elif action == "decline":
                pledges.decline_pledge(request.user, pledge, reason=data["decline_reason"])
                messages.success(request, _("The offer is declined; the donor is told why."))
            else:
                pledges.receive_pledge(
                    request.user,
                    pledge,
                    hub=data["hub"],
                    quantity=data["quantity"],
                    batch=data["batch"],
                    expires_on=data["expires_on"],
                )
                messages.success(request, _("Received into the stock; the donor is thanked."))
            return redirect("aid:pledge-detail", pk=pledge.pk)
        except ValidationError as e:
            form_error_from(form, e)
    context = {"pledge": pledge, "may_handle": True, **forms, f"{action}_open": True}
    return TemplateResponse(request, "aid/pledge_detail.html", context, status=422)


urlpatterns = [
    path("needs/most/", needed_most, name="needed-most"),
    path("give/", give, name="give"),
    path("pledges/", pledge_list, name="pledge-list"),
    path("pledges/<int:pk>/", pledge_detail, name="pledge-detail"),
    path("pledges/<int:pk>/accept/", pledge_act, {"action": "accept"}, name="pledge-accept"),
    path("pledges/<int:pk>/decline/", pledge_act, {"action": "decline"}, name="pledge-decline"),
    path("pledges/<int:pk>/receive/", pledge_act, {"action": "receive"}, name="pledge-receive"),
    path("pledges/follow/<str:token>/", pledge_follow, name="pledge-follow"),
]
