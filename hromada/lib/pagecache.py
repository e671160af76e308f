"""The pages everybody opens after a strike, rendered once for every anonymous visitor.

After the first strike of the day the town opens the needs board all at once. An anonymous
visitor's board depends only on the language, the address (filters, page) and the data, so
it is rendered once and kept in the shared cache for ``SECONDS``; signed-in users, whose
pages depend on their roles, are always served fresh, as is anyone with a session (a
message may be waiting for them) and anyone posting.

Two things in a page differ per visitor: the Content-Security-Policy nonce of its scripts
and the CSRF token of its forms (the language switch). The page is rendered with markers in
their place, kept that way, and each visitor's own nonce and token are put in when it is
served, so every answer is as strict as a freshly rendered one.

A kept page is dropped when the data it shows changes: each scope has a version, moved on by
``changed(scope)``, which the models' signals call (and the services that write with
``update()``, which sends no signal). ``SECONDS`` bounds how stale a page can be when a
change reaches the data some other way (a shell, a restore): at worst a donor sees the board
as it was half a minute ago.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse

SECONDS = 30
NONCE_MARK = "hromada-nonce-3b1f0c"
CSRF_MARK = "hromada-csrf-9e2d47"
KEPT_HEADERS = ("Content-Type",)
_batching: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "pagecache_batching", default=frozenset()
)


def _version_key(scope: str) -> str:
    return f"pagecache:{scope}:version"


def changed(scope: str) -> None:
    """The data behind ``scope``'s pages changed: pages kept before are not served again."""
    try:
        cache.incr(_version_key(scope))
    except ValueError:  # no version yet (or evicted): any new value does
        cache.set(_version_key(scope), 1, None)


def changed_on_commit(scope: str) -> None:
    """The data behind ``scope`` is being changed: ``changed(scope)`` now, so the writer's
    next page shows it, and again when the transaction commits, so that a page another
    visitor rendered between the write and the commit is not kept. The second is asked for
    once per transaction; inside ``batch(scope)`` both wait for the batch's end."""
    if scope in _batching.get():
        return
    changed(scope)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    for _savepoints, func, *_rest in connection.run_on_commit:
        if getattr(func, "pagecache_scope", None) == scope:
            return

    def run() -> None:
        changed(scope)

    run.pagecache_scope = scope  # type: ignore[attr-defined]
    transaction.on_commit(run)


@contextlib.contextmanager
def batch(scope: str) -> Iterator[None]:
    """Many writes (an import of 50,000 needs): the version moves once, at the end."""
    outer = _batching.get()
    token = _batching.set(outer | {scope})
    try:
        yield
    finally:
        _batching.reset(token)
        if scope not in outer:
            changed_on_commit(scope)


def _version(scope: str) -> int:
    version = cache.get(_version_key(scope))
    if version is None:
        cache.add(_version_key(scope), 1, None)
        version = cache.get(_version_key(scope), 1)
    return int(version)


def shareable(request: HttpRequest) -> bool:
    """Whether this request gets the page every anonymous visitor gets."""
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _key(request: HttpRequest, scope: str) -> str:
    fragment = bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return f"pagecache:{scope}:{_version(scope)}:{language}:{int(fragment)}:{address}"


def _serve(request: HttpRequest, kept: dict[str, Any]) -> HttpResponse:
    nonce = str(getattr(request, "csp_nonce", ""))  # used: the CSP header names it
    body = kept["body"].replace(NONCE_MARK, nonce)
    if CSRF_MARK in body:
        body = body.replace(CSRF_MARK, get_token(request))
    response = HttpResponse(body, status=kept["status"])
    for name, value in kept["headers"].items():
        response[name] = value
    response.shared_page = True  # type: ignore[attr-defined]
    return response


def shared_for_anonymous(
    scope: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's page to every anonymous visitor from one rendering (see above).

    The view must answer a TemplateResponse; anything else (a redirect, an error) passes
    through and is not kept."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not shareable(request):
                return view(request, *args, **kwargs)
            key = _key(request, scope)
            kept = cache.get(key)
            if kept is None:
                response = view(request, *args, **kwargs)
                if not isinstance(response, TemplateResponse) or response.status_code != 200:
                    return response
                context = dict(response.context_data or {})
                context.update(csp_nonce=NONCE_MARK, csrf_token=CSRF_MARK)
                response.context_data = context
                response.render()
                kept = {
                    "status": response.status_code,
                    "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
                    "body": response.content.decode(response.charset),
                }
                cache.set(key, kept, SECONDS)
            return _serve(request, kept)

        return wrapped

    return decorate
