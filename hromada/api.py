"""The JSON API at /api/: one router per app, one way to authenticate, one shape of error.

Errors are always JSON: ``{"detail": "...", "errors": {"field": ["message", ...]}}``, with
messages in the caller's language (``Accept-Language`` or their saved preference).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from hromada.aid.api import router as aid_router
from hromada.alerts.api import router as alerts_router
from hromada.core.api import router as core_router
from hromada.core.api_auth import signed_in
from hromada.core.idempotency import KeyReused
from hromada.funds.api import router as funds_router
from hromada.lib.errors import Conflict
from hromada.lib.openapi import UniqueNamesSchema
from hromada.lib.ratelimit import RateLimited
from hromada.reports.api import router as reports_router
from hromada.tracing.api import router as tracing_router
from hromada.volunteers.api import router as volunteers_router

logger = logging.getLogger(__name__)


class Utf8JSONRenderer(JSONRenderer):
    """Cyrillic as UTF-8, not \\u escapes: a third of the bytes on a slow network."""

    media_type = "application/json; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


# The errors every operation may answer (see the handlers below), documented in the OpenAPI
# document so a client, and the fuzz test (tests/test_api_fuzz.py), can rely on their shape.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
ERRORS_OF_EVERY_OPERATION = {
    "401": "Not signed in, or the token is not valid",
    "403": "Not allowed",
    "404": "Not found, or not visible to the caller",
    "429": "Too many requests: try again after Retry-After seconds",
}
ERRORS_OF_INPUT = {"422": "Some fields need attention"}
ERRORS_OF_BODY = {"400": "The request body cannot be read (not UTF-8, or not what it says)"}
ERRORS_OF_WRITES = {
    "409": "A conflict: the state changed, or the idempotency key was used for another request",
    "413": "The request is too large",
}
WRITES = {"post", "put", "patch", "delete"}


class HromadaAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, built once per process, prefix and language (building it takes
        a second or more of CPU: per request, anyone could keep the server busy with it)."""
        path_prefix = kwargs.get("path_prefix")
        if path_prefix is None:
            path_prefix = self.get_root_path(kwargs.get("path_params") or {})
        key = (path_prefix, get_language())
        cache: dict[tuple[str, str], Any] = self.__dict__.setdefault("_documents", {})
        if key not in cache:
            cache[key] = self._build_openapi_schema(path_prefix)
        return cache[key]

    def _build_openapi_schema(self, path_prefix: str) -> Any:
        """Ninja's document, one name per schema (``hromada.lib.openapi``), with the error
        answers the exception handlers below give."""
        schema = UniqueNamesSchema(self, path_prefix)
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error_ref = {"$ref": "#/components/schemas/Error"}
        error = {"application/json": {"schema": error_ref}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                errors = dict(ERRORS_OF_EVERY_OPERATION)
                if operation.get("parameters") or operation.get("requestBody"):
                    errors.update(ERRORS_OF_INPUT)
                if operation.get("requestBody"):
                    errors.update(ERRORS_OF_BODY)
                if method in WRITES:
                    errors.update(ERRORS_OF_INPUT)
                    errors.update(ERRORS_OF_WRITES)
                responses = operation.setdefault("responses", {})
                declared = {str(status): status for status in responses}  # ninja's keys: ints
                for status, description in errors.items():
                    if status not in declared:
                        responses[status] = {"description": description, "content": error}
                        continue
                    # The operation's own answer for this status (an import's rows in error),
                    # or the handlers' (a field that does not parse): either may come.
                    for media in responses[declared[status]].get("content", {}).values():
                        media["schema"] = {"anyOf": [media["schema"], error_ref]}
        return schema


api = HromadaAPI(
    renderer=Utf8JSONRenderer(),
    title="Hromada API",
    version="1",
    description=(
        "Needs, places and items of a community coordinating aid. Authenticate with a "
        "personal token (`Authorization: Bearer hmd_…`, created under Account → API tokens) "
        "or the browser session. Every create accepts an `Idempotency-Key` header."
    ),
    auth=signed_in,
    urls_namespace="api",
)

# Pydantic's messages are English only; these are the ones a caller meets, in their language.
PYDANTIC_MESSAGES = {
    "missing": lambda e: _("This field is required."),
    "extra_forbidden": lambda e: _("This field is not accepted here."),
    "string_too_long": lambda e: (
        _("At most %(n)s characters.") % {"n": e.get("ctx", {}).get("max_length")}
    ),
    "string_too_short": lambda e: (
        _("At least %(n)s characters.") % {"n": e.get("ctx", {}).get("min_length")}
    ),
    "greater_than": lambda e: _("Must be greater than %(n)s.") % {"n": e.get("ctx", {}).get("gt")},
    "greater_than_equal": lambda e: (
        _("Must be at least %(n)s.") % {"n": e.get("ctx", {}).get("ge")}
    ),
    "less_than_equal": lambda e: _("Must be at most %(n)s.") % {"n": e.get("ctx", {}).get("le")},
    "decimal_parsing": lambda e: _("Enter a number."),
    "decimal_type": lambda e: _("Enter a number."),
    "decimal_max_digits": lambda e: _("The number is too large."),
    "decimal_max_places": lambda e: _("Too many decimal places."),
    "decimal_whole_digits": lambda e: _("The number is too large."),
    "finite_number": lambda e: _("Enter a number."),
    "int_parsing": lambda e: _("Enter a whole number."),
    "int_type": lambda e: _("Enter a whole number."),
    "date_parsing": lambda e: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda e: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda e: _("Enter a date as YYYY-MM-DD."),
    "enum": lambda e: (
        _("Choose one of: %(values)s.") % {"values": e.get("ctx", {}).get("expected", "")}
    ),
    "literal_error": lambda e: (
        _("Choose one of: %(values)s.") % {"values": e.get("ctx", {}).get("expected", "")}
    ),
    "string_type": lambda e: _("Enter text."),
    "bool_parsing": lambda e: _("Enter true or false."),
    "json_invalid": lambda e: _("The request body is not valid JSON."),
    "model_attributes_type": lambda e: _("Send a JSON object."),
    "dict_type": lambda e: _("Send a JSON object."),
}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "quantity") -> "quantity"; ("query", "limit") -> "limit"."""
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    if len(names) > 1 and names[0] == "payload":
        names = names[1:]
    return ".".join(names) or "__all__"


def errors_response(
    request: HttpRequest, errors: dict[str, list[str]], status: int = 422
) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Some fields need attention."), "errors": errors}, status=status
    )


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = PYDANTIC_MESSAGES.get(error.get("type", ""), lambda e: _("Enter a valid value."))(
            error
        )
        errors.setdefault(_field_of(error.get("loc", ())), []).append(message)
    return errors_response(request, errors)


@api.exception_handler(DjangoValidationError)
def _rule_broken(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {
            field: [str(m) for m in DjangoValidationError(e).messages]
            for field, e in exc.error_dict.items()
        }
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return errors_response(request, errors)


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": " ".join(str(m) for m in exc.messages), "errors": {"__all__": exc.messages}},
        status=409,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or _("You may not do this.")}, status=403
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = (
        exc.message
        if exc.message != "Unauthorized"
        else _("Sign in, or send a personal token: Authorization: Bearer hmd_…")
    )
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="hromada"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(KeyReused)
def _key_reused(request: HttpRequest, exc: KeyReused) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("This idempotency key was already used for another request.")},
        status=409,
    )


@api.exception_handler(RateLimited)
def _too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": _("The request is too large.")}, status=413)


@api.exception_handler(Exception)
def _crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        {"detail": _("Something went wrong on our side. Try again in a minute.")},
        status=500,
    )


api.add_router("", core_router)
api.add_router("", aid_router)
api.add_router("", volunteers_router)
api.add_router("", reports_router)
api.add_router("", alerts_router)
api.add_router("", tracing_router)
api.add_router("", funds_router)
