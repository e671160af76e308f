"""Who may see tracing data: caseworkers (of any organisation in the tracing network) and
superusers. Everyone else, signed in or not, may only file an inquiry.

A record or inquiry is answered with 404 to anyone else: whether a person is on a list is
itself what must not leak.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from hromada.core import permissions
from hromada.core.models import Role
from hromada.tracing.models import ImportJob, Inquiry, Match, PersonRecord, Transfer


def is_caseworker(user: Any) -> bool:
    return permissions.has_any_role(user, Role.CASEWORKER)


def require_caseworker(user: Any) -> None:
    """For lists and forms: PermissionDenied for a signed-in user who is not a caseworker."""
    if not is_caseworker(user):
        raise PermissionDenied


def visible_records(user: Any) -> QuerySet[PersonRecord]:
    if not is_caseworker(user):
        return PersonRecord.objects.none()
    return PersonRecord.objects.all()


def visible_inquiries(user: Any) -> QuerySet[Inquiry]:
    if not is_caseworker(user):
        return Inquiry.objects.none()
    return Inquiry.objects.all()


def visible_matches(user: Any) -> QuerySet[Match]:
    if not is_caseworker(user):
        return Match.objects.none()
    return Match.objects.all()


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_record(user: Any, pk: Any) -> PersonRecord:
    return _get(visible_records(user).select_related("source_organization"), pk)  # type: ignore[no-any-return]


def access_inquiry(user: Any, pk: Any) -> Inquiry:
    return _get(visible_inquiries(user).select_related("sought", "found"), pk)  # type: ignore[no-any-return]


def access_match(user: Any, pk: Any) -> Match:
    return _get(visible_matches(user).select_related("left", "right", "inquiry"), pk)  # type: ignore[no-any-return]


def access_import(user: Any, pk: Any) -> ImportJob:
    """An import job: its own author (or a superuser) follows it."""
    job: ImportJob = _get(ImportJob.objects.all(), pk)
    if not is_caseworker(user) or not (
        job.created_by_id == user.pk or permissions.is_superuser(user)
    ):
        raise Http404
    return job


def access_transfer(user: Any, pk: Any) -> Transfer:
    return _get(Transfer.objects.all() if is_caseworker(user) else Transfer.objects.none(), pk)  # type: ignore[no-any-return]
