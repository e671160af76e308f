"""The app that keeps working when the network does not.

Three pieces: the web app manifest and the service worker, both served at the root so the
worker may control every page, and the middleware that makes a replayed page POST happen
once. The browser keeps what a volunteer records offline (``hromada-offline.js``) and sends
it again, each with its ``Idempotency-Key``, when the network returns; a first attempt may
have reached us even though its answer never reached the phone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from typing import cast

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hromada.core.idempotency import KEY_PATTERN
from hromada.core.models import IdempotencyKey, User

Handler = Callable[[HttpRequest], HttpResponse]

THEME = "#005bbb"
BACKGROUND = "#ffffff"
# Static files every page needs, cached when the worker installs (they are in the HTTP cache
# already then). htmx is not among them: only filter forms use it, and it is kept once fetched.
SHELL = ("hromada.css", "hromada-offline.js", "icons/icon.svg")
ICONS = (("icons/icon-192.png", "192x192"), ("icons/icon-512.png", "512x512"))
# Pages kept for offline use (by path prefix, only when opened or warmed), and the pages a
# signed-in user needs on the move, fetched ahead of time.
# A path ending in "*" keeps everything under it; others keep that page alone (the signage
# screen under /alerts/ has its own way of surviving a silent server).
OFFLINE_PAGES = (
    "/needs/*",
    "/deliveries/*",
    "/volunteers/me/",
    "/volunteers/shifts/*",
    "/volunteers/directory/",
    "/alerts/",
    "/give/",
    "/reports/incidents/report/",
)
WARM_PAGES = ("/deliveries/", "/volunteers/me/", "/needs/", "/alerts/", "/volunteers/directory/")

QUEUE_HEADER = "X-Hromada-Queue"  # "page": the user waits for it; "outbox": sent later
SCOPE = "page"  # IdempotencyKey.scope of page POSTs (creates use their own scopes)
PENDING = "-"
CACHE_SECONDS = 0  # both files change with a deployment: the browser asks every time


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what the phone shows when the app is installed."""
    body = {
        "name": _("Hromada"),
        "short_name": _("Hromada"),
        "description": _("Needs, deliveries and shifts of the community, also offline."),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            *(
                {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any"}
                for path, sizes in ICONS
            ),
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _account_pages() -> list[str]:
    """Where the forms go that change who is signed in on this phone (sign in, the second
    factor, sign out): sending one drops the pages kept for whoever was signed in before."""
    two_factor = reverse("core:two-factor")
    return [reverse("core:login"), reverse("core:logout"), two_factor + "*"]


@cache
def _worker_source() -> bytes:
    """sw.js with the hashed names of this deployment's static files in front of it.

    The names change with every deployment, so do these bytes, so the browser installs the
    new worker, which caches the new files and drops the old ones.
    """
    path = finders.find("sw.js")
    if not path:
        raise FileNotFoundError("sw.js")
    with open(path, "rb") as f:
        source = f.read()
    config = {
        "shell": [static(name) for name in SHELL],
        "pages": OFFLINE_PAGES,
        "warm": WARM_PAGES,
        "account": _account_pages(),
    }
    version = hashlib.sha256(json.dumps(config).encode() + source).hexdigest()[:12]
    config["version"] = version
    head = f"self.HROMADA = {json.dumps(config)};\n".encode()
    return head + source


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the root (its scope is every page), never under a hashed name."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


# -- exactly-once page POSTs -----------------------------------------------------------


def _errors_in_messages(request: HttpRequest) -> list[str]:
    """The error messages this request added (a conflict: the page says it as a message)."""
    added = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    return [str(m.message) for m in added if m.level >= messages.ERROR]


def _succeeded(request: HttpRequest, response: HttpResponse) -> bool:
    return response.status_code < 400 and not _errors_in_messages(request)


def _outcome(response: HttpResponse, request: HttpRequest) -> str:
    """What a replay answers, in IdempotencyKey.object_id: "303 /deliveries/7/".

    A Location too long for the column is left out; a replay then points back to the page
    the form was sent to, which shows the same state.
    """
    location = response.get("Location", "")
    encoded = f"{response.status_code} {location}"
    return encoded if len(encoded) <= 64 else f"{response.status_code} "


def _replayed(key: str, user: User, request: HttpRequest) -> HttpResponse:
    row = IdempotencyKey.objects.filter(scope=SCOPE, key=key).first()
    if row is None or row.actor_id != user.pk or row.object_id == PENDING:
        # Somebody else's key (we reveal nothing), or a row that vanished meanwhile.
        return HttpResponse(
            _("This key was already used for another request."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    status, _space, location = row.object_id.partition(" ")
    response = HttpResponse(status=int(status))
    if location or 300 <= int(status) < 400:
        response["Location"] = location or request.get_full_path()
    response.replayed = True  # type: ignore[attr-defined]
    return response


def _once(request: HttpRequest, key: str, get_response: Handler) -> HttpResponse:
    """Run the view unless this user's key has run before; then answer what it answered.

    The key's row is written first, in the same transaction as the view: a concurrent replay
    waits on the unique (scope, key) index (PostgreSQL) or on the write lock (SQLite, whose
    transactions begin IMMEDIATE) and then finds the row, or none if the first one failed.
    Only a success is kept; a refusal (a conflict, bad input) changed nothing and may be
    tried again.
    """
    user = cast(User, request.user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    scope=SCOPE,
                    key=key,
                    actor=user,
                    object_type=ContentType.objects.get_for_model(User),
                    object_id=PENDING,
                )
        except IntegrityError:
            return _replayed(key, user, request)
        response = get_response(request)
        if response.status_code >= 500:
            transaction.set_rollback(True)  # the view failed half-way: keep nothing
        elif _succeeded(request, response):
            row.object_id = _outcome(response, request)
            row.save(update_fields=["object_id"])
        else:
            row.delete()
    return response


def _form_errors(response: HttpResponse) -> list[str]:
    """The messages of the invalid forms a re-rendered page (422) shows."""
    found: list[str] = []
    context = getattr(response, "context_data", None) or {}
    for value in context.values():
        forms = [value] if isinstance(value, BaseForm) else getattr(value, "forms", None) or []
        for form in forms:
            if not isinstance(form, BaseForm) or not form.is_bound:
                continue
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                label = f"{field.label}: " if field is not None and field.label else ""
                found += [f"{label}{error}" for error in errors]
    return found


def _for_queue(request: HttpRequest, response: HttpResponse) -> JsonResponse:
    """What the offline queue reads: did it work, where to go, and what the page would say.

    For the outbox (sent in the background) the page's messages are taken out of the
    session and shown on the queued item instead, where the user looks for them.
    """
    status = response.status_code
    errors = _errors_in_messages(request)
    added = getattr(getattr(request, "_messages", None), "_queued_messages", None)
    said = [str(m.message) for m in added or [] if m.level < messages.ERROR]
    if request.headers.get(QUEUE_HEADER) == "outbox" and added is not None:
        added.clear()
    if status >= 400:
        errors += _form_errors(response)
        message = getattr(response, "context_data", None) or {}
        if not errors and isinstance(message.get("message"), str):
            errors.append(message["message"])
    return JsonResponse(
        {
            "ok": status < 400 and not errors,
            "status": status,
            "location": response.get("Location") or request.get_full_path(),
            "messages": said,
            "errors": errors,
            "replayed": bool(getattr(response, "replayed", False)),
        },
        # A refusal keeps its status (422, 403 …) for whoever watches the wire; a redirect
        # becomes 200, or the browser would try to follow it.
        status=status if status >= 400 else 200,
    )


def replay_once(get_response: Handler) -> Handler:
    """A page POST that carries an ``Idempotency-Key`` from a signed-in user runs once.

    Put it after the message middleware. The API (``/api/``) keeps its own rules
    (``create_once``). A POST sent by the offline queue (``X-Hromada-Queue``) is answered
    as JSON (see ``_for_queue``), whoever sends it; anonymous forms (a pledge, an incident
    report) carry their own ``idempotency_key`` field, which their services honour.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        request.offline_replay = True  # type: ignore[attr-defined] # base.html: the queue may use it
        key = request.headers.get("Idempotency-Key", "")
        queued = request.headers.get(QUEUE_HEADER)
        if request.method != "POST" or request.path.startswith("/api/") or not (key or queued):
            return get_response(request)
        if key and not KEY_PATTERN.match(key):
            return HttpResponse(
                _(
                    "The idempotency key must be 8 to 128 letters, digits or - _ . : "
                    "(a UUID is best)."
                ),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            response = _once(request, key, get_response)
        else:
            response = get_response(request)
        return _for_queue(request, response) if queued else response

    return middleware
