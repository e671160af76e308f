"""Who may see and change situation reports.

- Analysts (the ``analyst`` role in any organisation) keep the shared record: sources,
  documents, claims, incidents, media items and verifications. Nobody else sees sources,
  documents, raw claims or media: an eyewitness, a reporter's contact and an uploader
  identify people.
- Everybody, signed in or not, sees published incidents (with blurred coordinates, without
  the reporter or the exact place) and published sitreps, and may report an incident.
- A sitrep belongs to an organisation: its analysts draft and review it; the approver is
  somebody other than its author. Drafts are hidden from everybody else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from hromada.core import permissions
from hromada.core.models import Organization, Role
from hromada.reports.models import (
    Claim,
    Document,
    Incident,
    IncidentAlias,
    MediaItem,
    Sitrep,
    Source,
    Verification,
)


def is_analyst(user: Any) -> bool:
    return permissions.has_any_role(user, Role.ANALYST)


def analyst_organizations(user: Any) -> QuerySet[Organization]:
    if permissions.is_superuser(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=permissions.orgs_with_role(user, Role.ANALYST))


def require_analyst(user: Any) -> None:
    if not is_analyst(user):
        raise PermissionDenied


def _get(model: Any, pk: Any, related: tuple[str, ...] = ()) -> Any:
    try:
        return model.objects.select_related(*related).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# The analysts' record: invisible (404) to everybody else --------------------------------


def access_source(user: Any, pk: Any) -> Source:
    if not is_analyst(user):
        raise Http404
    return _get(Source, pk, ("party",))  # type: ignore[no-any-return]


def access_document(user: Any, pk: Any) -> Document:
    if not is_analyst(user):
        raise Http404
    return _get(Document, pk, ("source", "origin", "cites_source", "cites_document"))  # type: ignore[no-any-return]


def access_claim(user: Any, pk: Any) -> Claim:
    if not is_analyst(user):
        raise Http404
    return _get(Claim, pk, ("source", "document", "area", "incident", "party"))  # type: ignore[no-any-return]


def access_media(user: Any, pk: Any) -> MediaItem:
    if not is_analyst(user):
        raise Http404
    return _get(MediaItem, pk, ("recycled_of",))  # type: ignore[no-any-return]


def access_verification(user: Any, pk: Any) -> Verification:
    if not is_analyst(user):
        raise Http404
    return _get(Verification, pk, ("media",))  # type: ignore[no-any-return]


# Incidents ------------------------------------------------------------------------------


def visible_incidents(user: Any) -> QuerySet[Incident]:
    """Analysts see every incident but merged ones; everybody else the published ones."""
    if is_analyst(user):
        return Incident.objects.exclude(status=Incident.Status.MERGED)
    return Incident.objects.filter(status=Incident.Status.PUBLISHED)


def may_see_incident(user: Any, incident: Incident) -> bool:
    return incident.is_public or (is_analyst(user) and incident.status != Incident.Status.MERGED)


def find_incident(code: str) -> Incident:
    """The incident with this code, following merges and old codes."""
    code = str(code).strip().upper()
    incident = Incident.objects.select_related("area", "merged_into").filter(code=code).first()
    if incident is None:
        alias = IncidentAlias.objects.select_related("incident").filter(code=code).first()
        if alias is None:
            raise Http404
        incident = alias.incident
    seen = set()
    while incident.merged_into_id is not None and incident.pk not in seen:
        seen.add(incident.pk)
        incident = Incident.objects.select_related("area", "merged_into").get(
            pk=incident.merged_into_id
        )
    return incident


def access_incident(user: Any, code: str, *, manage: bool = False) -> Incident:
    incident = find_incident(code)
    if not may_see_incident(user, incident):
        raise Http404
    if manage and not is_analyst(user):
        raise PermissionDenied
    return incident


# Sitreps --------------------------------------------------------------------------------


def visible_sitreps(user: Any) -> QuerySet[Sitrep]:
    public = Q(status__in=Sitrep.PUBLIC)
    if permissions.is_superuser(user):
        return Sitrep.objects.all()
    mine = permissions.orgs_with_role(user, Role.ANALYST)
    if mine:
        return Sitrep.objects.filter(public | Q(organization__in=mine))
    return Sitrep.objects.filter(public)


def may_manage_sitrep(user: Any, sitrep: Sitrep) -> bool:
    return permissions.has_role(user, sitrep.organization_id, Role.ANALYST)


def access_sitrep(user: Any, pk: Any, *, manage: bool = False) -> Sitrep:
    sitrep: Sitrep = _get(Sitrep, pk, ("area", "organization", "created_by", "approved_by"))
    if not sitrep.is_public and not may_manage_sitrep(user, sitrep):
        raise Http404
    if manage and not may_manage_sitrep(user, sitrep):
        raise PermissionDenied
    return sitrep
