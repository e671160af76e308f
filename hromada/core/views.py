from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hromada.aid.permissions import visible_needs
from hromada.core import permissions, services, two_factor
from hromada.core.forms import CodeForm, PreferencesForm, TokenForm
from hromada.core.models import ApiToken, Sensitivity, User


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("aid:needs-board")


@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    places = permissions.visible_places(request.user).select_related("area", "organization")
    return TemplateResponse(request, "core/place_list.html", {"places": places})


@require_GET
def places_geojson(request: HttpRequest) -> JsonResponse:
    """The places this visitor may see, as GeoJSON (RFC 7946: longitude first)."""
    places = (
        permissions.visible_places(request.user)
        .filter(latitude__isnull=False)
        .select_related("area")
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(p.longitude), float(p.latitude)]},  # type: ignore[arg-type]
            "properties": {
                "name": p.name,
                "kind": p.kind,
                "detail": f"{p.get_kind_display()} · {p.area.name}",
                "url": reverse("core:place-detail", args=[p.pk]),
            },
        }
        for p in places
    ]
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/geo+json"
    return response


@require_GET
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = permissions.access_place(request.user, pk)
    if place.sensitivity != Sensitivity.PUBLIC:
        services.record_event("place.viewed", obj=place, request=request)
    needs = (
        visible_needs(request.user)
        .current()
        .filter(place=place)
        .select_related("item")
        .by_urgency()
    )
    return TemplateResponse(
        request,
        "core/place_detail.html",
        {
            "place": place,
            "needs": needs,
            "may_coordinate": permissions.may_coordinate_place(request.user, place),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_preferences(request.user, **{f: form.cleaned_data[f] for f in form.fields})  # type: ignore[arg-type]
        messages.success(request, _("Your settings are saved."))
        response = redirect("core:account")
        if request.user.language:  # type: ignore[union-attr]
            _set_language_cookie(response, request.user.language)  # type: ignore[union-attr]
        return response
    memberships = request.user.memberships.select_related("organization")  # type: ignore[union-attr]
    user = cast(User, request.user)
    required = two_factor.required(user)
    has_device = required and two_factor.has_device(user)
    return TemplateResponse(
        request,
        "core/account.html",
        {
            "form": form,
            "memberships": memberships,
            "two_factor": {
                "on": has_device,
                "required": required,
                "codes_left": two_factor.recovery_codes_left(user) if has_device else 0,
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.issue_token(user, form.cleaned_data["name"], request=request)  # type: ignore[arg-type]
        form = TokenForm()
    listed = ApiToken.objects.filter(user=user)
    return TemplateResponse(
        request, "core/tokens.html", {"form": form, "tokens": listed, "secret": secret}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(request.user, token, request=request)  # type: ignore[arg-type]
    messages.success(
        request, _("The token is revoked. Scripts that used it are refused from now on.")
    )
    return redirect("core:tokens")


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in user keeps it as their preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        _set_language_cookie(response, language)
        if request.user.is_authenticated:
            services.update_preferences(request.user, language=language)  # type: ignore[arg-type]
    return response


def _error_page(
    request: HttpRequest, template: str, status: int, context: dict[str, Any]
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(context["message"])}, status=status)
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        message = _("What you sent is too large. A note may be at most a few thousand characters.")
        return _error_page(request, "400.html", 413, {"message": message})
    return _error_page(
        request, "400.html", 400, {"message": _("The request could not be understood.")}
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form older than the session, or sent from elsewhere: say what to do, in their language."""
    message = _("This form has expired. Go back, reload the page and send it again.")
    return _error_page(request, "403.html", 403, {"message": message})


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("You may not do this here.")
    return _error_page(request, "403.html", 403, {"message": message})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "404.html", 404, {"message": _("There is nothing here.")})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Something went wrong on our side. Try again in a minute.")}, status=500
        )
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _too_many_codes(form: CodeForm, wait: int) -> None:
    form.add_error(
        "code",
        ngettext(
            "Too many wrong codes. Try again in %(n)d second.",
            "Too many wrong codes. Try again in %(n)d seconds.",
            wait,
        )
        % {"n": wait},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    user = cast(User, request.user)
    if two_factor.is_verified(user) or not two_factor.required(user):
        return redirect(_next_url(request))
    if not two_factor.has_device(user):
        return redirect(reverse("core:two-factor-setup") + "?" + request.GET.urlencode())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := two_factor.wait_seconds(user):
            _too_many_codes(form, wait)
        elif two_factor.verify(request, form.cleaned_data["code"]):
            left = two_factor.recovery_codes_left(user)
            if left <= 2:
                messages.warning(
                    request,
                    ngettext(
                        "Only %(n)d recovery code is left: make new ones in your account.",
                        "Only %(n)d recovery codes are left: make new ones in your account.",
                        left,
                    )
                    % {"n": left},
                )
            return redirect(_next_url(request))
        else:
            form.add_error(
                "code",
                _(
                    "This code is not right. Type the six digits your authenticator shows now "
                    "(check that the phone's clock is right), or one of your recovery codes."
                ),
            )
    return TemplateResponse(
        request, "core/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: first time, or a new phone (only from a verified session)."""
    user = cast(User, request.user)
    if not two_factor.required(user):
        return redirect("core:account")
    if two_factor.has_device(user) and not two_factor.is_verified(user):
        # Whoever knows the password alone must not put their own phone in its place.
        return redirect(reverse("core:two-factor") + "?" + request.GET.urlencode())
    device = two_factor.pending_device(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(request, form.cleaned_data["code"])
        if codes is not None:
            return TemplateResponse(
                request,
                "core/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        else:
            form.add_error(
                "code",
                _(
                    "This code is not right. Scan the QR code again (or type the key) and enter "
                    "the six digits the app shows now."
                ),
            )
    return TemplateResponse(
        request,
        "core/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_data_uri(device),
            "secret": two_factor.secret_text(device),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once (the old ones stop working)."""
    user = cast(User, request.user)
    if not (two_factor.has_device(user) and two_factor.is_verified(user)):
        return redirect("core:two-factor-setup")
    codes = two_factor.regenerate_recovery_codes(request)
    return TemplateResponse(
        request,
        "core/two_factor_codes.html",
        {"codes": codes, "next": reverse("core:account"), "enrolled": False},
    )
