"""Alert pages: thin doors onto permissions, forms and services."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.alerts import cap, permissions, selectors, services
from hromada.alerts.delivery import subscription_for_token
from hromada.alerts.forms import (
    AlertForm,
    DisplayForm,
    FollowUpForm,
    PublicFilterForm,
    RejectForm,
    ReturnForm,
    SubscribeForm,
)
from hromada.alerts.models import (
    LANGUAGE_CODES,
    Alert,
    AlertTemplate,
    Channel,
    Delivery,
    Display,
    MsgType,
)
from hromada.core.models import Area
from hromada.core.services import client_ip
from hromada.lib import ratelimit
from hromada.lib.forms import form_error_from
from hromada.lib.http import HtmxHttpRequest
from hromada.lib.ratelimit import RateLimited

SCREEN_POLL_SECONDS = 5  # a new or cancelled alert is on every screen within this (+ a request)


def _filters(request: HttpRequest) -> tuple[PublicFilterForm, Area | None, str]:
    form = PublicFilterForm(request.GET, areas=Area.objects.all())
    form.is_valid()  # an unknown value is shown on the form and ignored
    data = getattr(form, "cleaned_data", {})
    area = Area.objects.filter(code=data.get("area")).first() if data.get("area") else None
    return form, area, data.get("category", "")


@require_GET
def public_alerts(request: HtmxHttpRequest) -> HttpResponse:
    """Alerts in force now, for anyone: the most serious first, filtered by area."""
    form, area, category = _filters(request)
    alerts = list(selectors.current_alerts(request.user, area=area, category=category))
    context = {
        "form": form,
        "alerts": alerts,
        "ended": selectors.recently_ended(request.user),
        "query": request.GET.urlencode(),
        "is_staff": permissions.is_alert_staff(request.user),
    }
    template = "alerts/public_alerts.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return TemplateResponse(request, template, context)


@require_GET
def alert_map(request: HttpRequest) -> HttpResponse:
    form, area, category = _filters(request)
    alerts = list(selectors.current_alerts(request.user, area=area, category=category))
    geojson_url = reverse("alerts:areas-geojson")
    if request.GET:
        geojson_url += "?" + request.GET.urlencode()
    return TemplateResponse(
        request,
        "alerts/alert_map.html",
        {"form": form, "alerts": alerts, "geojson_url": geojson_url},
    )


@require_GET
def areas_geojson(request: HttpRequest) -> JsonResponse:
    """The drawn areas of the alerts in force this visitor may see (RFC 7946)."""
    _form, area, category = _filters(request)
    alerts = list(selectors.current_alerts(request.user, area=area, category=category))
    response = JsonResponse(selectors.geojson(alerts), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    return response


@require_GET
def alerts_feed(request: HttpRequest) -> HttpResponse:
    """The Atom index of public alerts in force, each entry linking to its CAP file."""
    _form, area, category = _filters(request)
    alerts = list(
        selectors.current_alerts(request.user, area=area, category=category).for_the_public()
    )
    site = request.build_absolute_uri("/").rstrip("/")
    xml = cap.atom_index(
        alerts,
        feed_id=request.build_absolute_uri(reverse("alerts:feed")),
        title=_("Public alerts") + (f" · {area.name}" if area else ""),
        self_url=request.build_absolute_uri(),
        page_url=site + reverse("alerts:public-alerts"),
        cap_url=lambda a: site + reverse("alerts:alert-cap", args=[a.pk]),
        html_url=lambda a: site + reverse("alerts:alert-detail", args=[a.pk]),
        author=services.sender(),
        updated=timezone.now() if not alerts else None,
    )
    return HttpResponse(xml, content_type=f"{cap.ATOM_MIME}; charset=utf-8")


@require_GET
def alert_cap(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert as a CAP 1.2 file, at a URL that never changes."""
    alert = permissions.access_alert(request.user, pk)
    web = request.build_absolute_uri(reverse("alerts:alert-detail", args=[alert.pk]))
    response = HttpResponse(
        cap.alert_xml(alert, web_default=web), content_type=f"{cap.CAP_MIME}; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="alert-{alert.pk}.xml"'
    return response


@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk)
    user = request.user
    context: dict[str, Any] = {
        "alert": alert,
        "infos": list(alert.infos.prefetch_related("areas")),
        "references": list(alert.references.all()),
        "followed_by": list(alert.referenced_by.filter(state=Alert.State.PUBLISHED)),
        "may_edit": permissions.may_edit_alert(user, alert),
        "may_review": permissions.may_review_alert(user, alert),
        "is_own": user.is_authenticated and alert.editors.filter(pk=user.pk).exists(),
        "may_follow_up": permissions.may_follow_up(user, alert),
        "is_staff": permissions.may_see_deliveries(user, alert),
        "return_form": ReturnForm(),
        "reject_form": RejectForm(),
        "follow_up_key": uuid.uuid4().hex,
    }
    if context["may_follow_up"]:
        context["all_clear"] = AlertTemplate.objects.filter(
            code="all-clear", is_active=True
        ).first()
    if context["is_staff"]:
        context["delivery_counts"] = dict(
            alert.deliveries.values_list("status").annotate(n=Count("pk")).order_by()
        )
        context["failed_deliveries"] = list(
            alert.deliveries.filter(status=Delivery.Status.FAILED)[:20]
        )
    return TemplateResponse(request, "alerts/alert_detail.html", context)


# The authors' and approvers' desk ----------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_alert_staff(request.user):
        raise PermissionDenied


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return TemplateResponse(
        request,
        "alerts/desk.html",
        {
            **selectors.desk(request.user),
            "templates": services.templates_for(request.user),
            "may_author": permissions.author_organizations(request.user).exists(),
        },
    )


def _alert_form(request: HttpRequest, **kwargs: Any) -> AlertForm:
    return AlertForm(
        request.POST or None,
        organizations=permissions.author_organizations(request.user),
        areas=Area.objects.all(),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_create(request: HttpRequest) -> HttpResponse:
    if not permissions.author_organizations(request.user).exists():
        raise PermissionDenied
    template = None
    if request.GET.get("template"):
        template = next(
            (t for t in services.templates_for(request.user) if t.code == request.GET["template"]),
            None,
        )
    initial = services.default_content()
    if template is not None:
        initial.update(template.content())
    form = _alert_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            alert, created = services.draft_alert(
                request.user,
                organization=form.cleaned_data["organization"],
                content=form.content(),
                idempotency_key=form.cleaned_data["idempotency_key"] or None,
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            if created:
                messages.success(
                    request, _("The draft is saved. Submit it for approval when it is ready.")
                )
            return redirect("alerts:alert-detail", pk=alert.pk)
    return TemplateResponse(
        request,
        "alerts/alert_form.html",
        {"form": form, "template": template, "templates": services.templates_for(request.user)},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk, edit=True)
    if not permissions.may_edit_alert(request.user, alert):
        messages.error(request, _("This alert can no longer be changed."))
        return redirect("alerts:alert-detail", pk=alert.pk)
    content = services.content_of(alert)
    form = _alert_form(request, initial={**content, "organization": alert.organization_id})
    del form.fields["idempotency_key"]
    form.fields["organization"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(request.user, alert, form.content())
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("alerts:alert-detail", pk=alert.pk)
    return TemplateResponse(
        request,
        "alerts/alert_form.html",
        {"form": form, "alert": alert},
        status=422 if form.errors else 200,
    )


def _act(request: HttpRequest, alert: Alert, action: Any, success: str) -> HttpResponse:
    """Run one workflow step; show its refusal as a message on the alert's page."""
    try:
        result = action()
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, success)
        if isinstance(result, Alert) and result.pk != alert.pk:
            return redirect("alerts:alert-detail", pk=result.pk)
    return redirect("alerts:alert-detail", pk=alert.pk)


@login_required
@require_POST
def alert_submit(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk, edit=True)
    return _act(
        request,
        alert,
        lambda: services.submit_alert(request.user, alert),
        _("Sent for approval. Another person must approve it before it is published."),
    )


@login_required
@require_POST
def alert_approve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk, review=True)
    return _act(
        request,
        alert,
        lambda: services.approve_alert(request.user, alert),
        _(
            "Published: it is on the screens, the public page and the feeds, and on its way to subscribers."
        ),
    )


@login_required
@require_POST
def alert_return(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk, review=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the author should change."))
        return redirect("alerts:alert-detail", pk=alert.pk)
    return _act(
        request,
        alert,
        lambda: services.return_alert(request.user, alert, comment=form.cleaned_data["comment"]),
        _("Returned to the author with your comment."),
    )


@login_required
@require_POST
def alert_reject(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk, review=True)
    form = RejectForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _act(
        request,
        alert,
        lambda: services.reject_alert(request.user, alert, comment=comment),
        _("Rejected: it will not be shown."),
    )


@login_required
@require_POST
def alert_discard(request: HttpRequest, pk: int) -> HttpResponse:
    alert = permissions.access_alert(request.user, pk, edit=True)
    try:
        services.discard_draft(request.user, alert)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("alerts:alert-detail", pk=alert.pk)
    messages.success(request, _("The draft is deleted."))
    return redirect("alerts:desk")


@login_required
@require_POST
def alert_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an Update (a correction, an all clear) or a Cancel of a published alert."""
    alert = permissions.access_alert(request.user, pk, edit=True)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an update or a cancellation."))
        return redirect("alerts:alert-detail", pk=alert.pk)
    template = (
        AlertTemplate.objects.filter(code=form.cleaned_data["template"], is_active=True).first()
        if form.cleaned_data["template"]
        else None
    )
    msg_type = form.cleaned_data["msg_type"]
    return _act(
        request,
        alert,
        lambda: services.start_follow_up(
            request.user,
            alert,
            msg_type=msg_type,
            template=template,
            idempotency_key=form.cleaned_data["idempotency_key"] or None,
        )[0],
        _("A draft cancellation is ready: check it and submit it.")
        if msg_type == MsgType.CANCEL
        else _("A draft update is ready: change what is new and submit it."),
    )


# Displays ----------------------------------------------------------------------------------


@login_required
@require_GET
def display_list(request: HttpRequest) -> HttpResponse:
    if not permissions.may_manage_displays(request.user):
        raise PermissionDenied
    displays = list(permissions.managed_displays(request.user))
    now = timezone.now()
    return TemplateResponse(
        request,
        "alerts/display_list.html",
        {"displays": [(d, d.is_dark(now)) for d in displays]},
    )


def _display_form(request: HttpRequest, **kwargs: Any) -> DisplayForm:
    return DisplayForm(
        request.POST or None,
        organizations=permissions.display_organizations(request.user),
        **kwargs,
    )


def _display_changes(form: DisplayForm) -> dict[str, Any]:
    return {f: form.cleaned_data[f] for f in services.DISPLAY_FIELDS if f in form.cleaned_data}


@login_required
@require_http_methods(["GET", "POST"])
def display_create(request: HttpRequest) -> HttpResponse:
    if not permissions.may_manage_displays(request.user):
        raise PermissionDenied
    form = _display_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            display, _created = services.create_display(
                request.user,
                idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                **_display_changes(form),
            )
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(request, _("The display is ready. Open its address on the screen."))
            return redirect("alerts:display-edit", pk=display.pk)
    return TemplateResponse(
        request, "alerts/display_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def display_edit(request: HttpRequest, pk: int) -> HttpResponse:
    display = permissions.access_display(request.user, pk)
    form = _display_form(request, instance=display)
    if request.method == "POST" and form.is_valid():
        fresh = Display.objects.select_related("organization").get(pk=display.pk)
        try:
            services.update_display(request.user, fresh, **_display_changes(form))
        except ValidationError as e:
            form_error_from(form, e)
        else:
            messages.success(
                request, _("The display is saved; the screen shows the change within seconds.")
            )
            return redirect("alerts:display-edit", pk=display.pk)
    screen_url = request.build_absolute_uri(reverse("alerts:screen", args=[display.token]))
    return TemplateResponse(
        request,
        "alerts/display_form.html",
        {"form": form, "display": display, "screen_url": screen_url, "dark": display.is_dark()},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def display_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    display = permissions.access_display(request.user, pk)
    services.rotate_display_token(request.user, display)
    messages.success(request, _("The display has a new address; the old one no longer works."))
    return redirect("alerts:display-edit", pk=display.pk)


# The screen itself -------------------------------------------------------------------------


def _ticker(text: str) -> str:
    """A CSS class that scrolls long text at a readable speed (by length bucket)."""
    if len(text) <= 140:
        return ""
    return "ticker ticker-" + ("s" if len(text) <= 400 else "m" if len(text) <= 1200 else "l")


def _screen_context(request: HttpRequest, display: Display) -> dict[str, Any]:
    now = timezone.now()
    languages = display.language_list
    items = []
    for alert in selectors.alerts_for_display(display, now=now):
        infos = {info.lang: info for info in alert.infos.all()}
        texts = [infos[lang] for lang in languages if lang in infos] or list(infos.values())[:1]
        if not texts:
            continue
        items.append(
            {
                "alert": alert,
                "main": texts[0],
                "others": texts[1:],
                "ticker": _ticker(texts[0].description),
            }
        )
    return {
        "display": display,
        "items": items,
        "standing": display.standing_message_list,
        "now": now,
        "language": languages[0],
        "state_url": reverse("alerts:screen-state", args=[display.token]),
        "poll": SCREEN_POLL_SECONDS,
    }


def _check_in(request: HttpRequest, display: Display) -> None:
    services.record_checkin(
        display, ip=client_ip(request), user_agent=request.headers.get("User-Agent", "")
    )


@never_cache
@require_GET
def screen(request: HttpRequest, token: str) -> HttpResponse:
    """A full-screen page for a billboard, a TV in a shelter, a phone on a wall. It works
    without JavaScript (it reloads itself); with it, it polls for changes, keeps the last
    alerts when the network drops, and drops expired ones on time by itself."""
    display = permissions.display_for_token(token)
    _check_in(request, display)
    context = _screen_context(request, display)
    with translation.override(context["language"]):
        response = TemplateResponse(request, "alerts/screen.html", context)
        response.render()
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the URL is the display's key
    return response


@never_cache
@require_GET
def screen_state(request: HttpRequest, token: str) -> JsonResponse:
    """What the screen should show, for its script: the board's HTML when it changed."""
    display = permissions.display_for_token(token)
    _check_in(request, display)
    context = _screen_context(request, display)
    with translation.override(context["language"]):
        html = render_to_string("alerts/screen.html#board", context, request=request)
    version = hashlib.sha256(html.encode()).hexdigest()[:16]
    unchanged = request.GET.get("v") == version
    return JsonResponse(
        {
            "version": version,
            "now": context["now"].isoformat(),
            "alerts": len(context["items"]),
            "html": None if unchanged else html,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# Subscriptions -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """Anyone may ask for alerts by e-mail; nothing is sent until the address is confirmed."""
    language = translation.get_language() or "uk"
    form = SubscribeForm(
        request.POST or None,
        areas=Area.objects.all(),
        initial={"language": language if language in LANGUAGE_CODES else "uk"},
    )
    refused: RateLimited | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscribe(
                channel=Channel.EMAIL,
                address=data["email"],
                areas=list(Area.objects.filter(code__in=data["areas"])),
                categories=data["categories"],
                language=data["language"],
                min_severity=data["min_severity"],
                user=request.user,
                consent=data["consent"],
                ip=client_ip(request),
            )
        except RateLimited as limited:
            form.add_error(None, str(limited))
            refused = limited
        except ValidationError as e:
            form_error_from(form, e)
        else:
            # The same answer whether the address was new or known: it says nothing about others.
            return TemplateResponse(request, "alerts/subscribe_sent.html", {"email": data["email"]})
    response = TemplateResponse(
        request, "alerts/subscribe.html", {"form": form}, status=422 if form.errors else 200
    )
    return ratelimit.refuse(response, refused) if refused else response


@require_http_methods(["GET", "POST"])
def subscription_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation mail. GET asks, POST confirms: mail scanners that open
    links must not subscribe anybody."""
    subscription = subscription_for_token(token, "confirm")
    if subscription is None:
        raise Http404
    if request.method == "POST":
        services.confirm_subscription(subscription)
        return TemplateResponse(request, "alerts/subscription_done.html", {"confirmed": True})
    return TemplateResponse(request, "alerts/subscription_action.html", {"action": "confirm"})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_for_token(token, "unsubscribe")
    if subscription is None:
        raise Http404
    if request.method == "POST":
        services.unsubscribe(subscription)
        return TemplateResponse(request, "alerts/subscription_done.html", {"confirmed": False})
    return TemplateResponse(request, "alerts/subscription_action.html", {"action": "unsubscribe"})
