"""Planning deliveries with the optimiser: propose, look at why, edit, confirm."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid.models import DeliveryPlan, Item
from hromada.aid.services import planning
from hromada.core.models import Place

COLOURS = {"critical": "#b3261e", "high": "#b35c00", "normal": "#005bbb", "low": "#596270"}


class ProposeForm(forms.Form):
    capacity = forms.DecimalField(
        label=gettext_lazy("Vehicle capacity (units per run)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty when any load fits."),
    )
    max_distance_km = forms.DecimalField(
        label=gettext_lazy("Farthest run, km"),
        required=False,
        min_value=Decimal("0.1"),
        max_digits=8,
        decimal_places=2,
    )


def _plan_for(request: HttpRequest, pk: int) -> DeliveryPlan:
    try:
        return planning.access_plan(request.user, pk)
    except ValidationError:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def plan_start(request: HttpRequest) -> HttpResponse:
    if not planning.sending_places(request.user):
        raise PermissionDenied(_("You run no hub to send deliveries from."))
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = planning.propose_plan(request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            return redirect("aid:plan-detail", pk=plan.pk)
    return TemplateResponse(
        request, "aid/plan_start.html", {"form": form}, status=422 if form.errors else 200
    )


def _rows(plan: DeliveryPlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    needs = planning.needs_of(plan)
    places = {
        p.pk: p
        for p in Place.objects.filter(
            pk__in={t["hub"] for t in plan.trips} | {t["place"] for t in plan.trips}
        )
    }
    items = {
        i.pk: i
        for i in Item.objects.filter(pk__in={ln["item"] for t in plan.trips for ln in t["lines"]})
    }
    trips = [
        {
            "index": t_index,
            "hub": places[trip["hub"]],
            "place": places[trip["place"]],
            "distance_km": trip["distance_km"],
            "lines": [
                {
                    "index": l_index,
                    "item": items[line["item"]],
                    "need": needs.get(line["need"]),
                    "quantity": Decimal(line["quantity"]),
                    "why": planning.explain(line.get("reason") or {}),
                }
                for l_index, line in enumerate(trip["lines"])
            ],
        }
        for t_index, trip in enumerate(plan.trips)
    ]
    unmet = [
        {
            "need": needs[u["need"]],
            "short": Decimal(u["short"]),
            "why": planning.explain_unmet(u.get("reason") or {}),
        }
        for u in plan.unmet
        if u["need"] in needs
    ]
    return trips, unmet


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    trips, unmet = _rows(plan)
    return TemplateResponse(
        request,
        "aid/plan_detail.html",
        {
            "plan": plan,
            "trips": trips,
            "unmet": unmet,
            "stale": planning.stale(plan),
            "fulfilment": round(plan.stats.get("weighted_fulfilment", 0) * 100),
        },
    )


@login_required
@require_POST
def plan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    quantities: dict[tuple[int, int], Decimal] = {}
    try:
        for key in request.POST:
            if key.startswith("q-"):
                _prefix, trip, line = key.split("-")
                quantities[(int(trip), int(line))] = Decimal(request.POST.get(key) or "0")
    except (ValueError, InvalidOperation):
        messages.error(request, _("Quantities must be numbers."))
        return redirect("aid:plan-detail", pk=plan.pk)
    try:
        made = planning.confirm_plan(request.user, plan, quantities=quantities)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("aid:plan-detail", pk=plan.pk)
    messages.success(
        request,
        _("%(n)s deliveries are planned; the hubs' drivers can claim them.") % {"n": len(made)},
    )
    return redirect("aid:delivery-list")


@login_required
@require_GET
def plan_geojson(request: HttpRequest, pk: int) -> JsonResponse:
    """The plan on a map: hubs, places, and a line for every run."""
    plan = _plan_for(request, pk)
    trips, _unmet = _rows(plan)
    features: list[dict[str, Any]] = []
    seen: set[int] = set()
    for trip in trips:
        hub, place = trip["hub"], trip["place"]
        urgent = min(
            (ln["need"].priority for ln in trip["lines"] if ln["need"]),
            default="normal",
            key=list(COLOURS).index,
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [float(hub.longitude), float(hub.latitude)],
                        [float(place.longitude), float(place.latitude)],
                    ],
                },
                "properties": {
                    "name": f"{hub.name} → {place.name}",
                    "colour": COLOURS[urgent],
                    "detail": ", ".join(
                        f"{ln['item'].name} × {ln['quantity']:f}".rstrip("0").rstrip(".")
                        for ln in trip["lines"]
                    ),
                },
            }
        )
        for node, colour in ((hub, "#1e6b34"), (place, COLOURS[urgent])):
            if node.pk not in seen:
                seen.add(node.pk)
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [float(node.longitude), float(node.latitude)],
                        },
                        "properties": {
                            "name": node.name,
                            "colour": colour,
                            "url": reverse("core:place-detail", args=[node.pk]),
                        },
                    }
                )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("plan/", plan_start, name="plan-start"),
    path("plan/<int:pk>/", plan_detail, name="plan-detail"),
    path("plan/<int:pk>/confirm/", plan_confirm, name="plan-confirm"),
    path("plan/<int:pk>/map.geojson", plan_geojson, name="plan-geojson"),
]
