"""May this user do this to this object? Every page, API operation and task asks here.

Rules:
- A user's roles come from their memberships and hold in that organisation only.
- Sensitivity: ``public`` is for anyone; ``members`` for any user with a membership in
  some organisation; ``restricted`` for members of the owning organisation only.
- A superuser may do everything.

Access helpers return the object or raise ``Http404`` (not yours to know about) or
``PermissionDenied`` (yours to see, not to change).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from hromada.core.models import Membership, Place, Role, Sensitivity

_CACHE_ATTR = "_hromada_roles_by_org"


def roles_by_org(user: Any) -> dict[int, frozenset[str]]:
    """The user's roles per organisation id, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {
            org_id: frozenset(roles)
            for org_id, roles in Membership.objects.filter(user=user).values_list(
                "organization_id", "roles"
            )
        }
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles (after a membership changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def is_member(user: Any) -> bool:
    """Belongs to at least one organisation (or is a superuser)."""
    return is_superuser(user) or bool(roles_by_org(user))


def has_role(user: Any, organization_id: int | None, *roles: str) -> bool:
    if is_superuser(user):
        return True
    if organization_id is None:
        return False
    return bool(roles_by_org(user).get(organization_id, frozenset()) & set(roles))


def orgs_with_role(user: Any, *roles: str) -> set[int]:
    return {org for org, held in roles_by_org(user).items() if held & set(roles)}


def has_any_role(user: Any, *roles: str) -> bool:
    return is_superuser(user) or bool(orgs_with_role(user, *roles))


def visibility_q(user: Any, *, sensitivity: str, organization: str) -> Q:
    """A filter for rows whose ``sensitivity`` field the user may see.

    ``organization`` names the field (path) holding the owning organisation's id.
    """
    if is_superuser(user):
        return Q()
    allowed = Q(**{sensitivity: Sensitivity.PUBLIC})
    my_orgs = list(roles_by_org(user))
    if my_orgs:
        allowed |= Q(**{sensitivity: Sensitivity.MEMBERS})
        allowed |= Q(**{sensitivity: Sensitivity.RESTRICTED, f"{organization}__in": my_orgs})
    return allowed


def may_see(user: Any, sensitivity: str, organization_id: int) -> bool:
    """The same rule as ``visibility_q``, for one object already in memory."""
    if sensitivity == Sensitivity.PUBLIC or is_superuser(user):
        return True
    mine = roles_by_org(user)
    if sensitivity == Sensitivity.MEMBERS:
        return bool(mine)
    return organization_id in mine


# Places -------------------------------------------------------------------------------

PLACE_MANAGERS = (Role.COORDINATOR, Role.ORG_ADMIN)


def visible_places(user: Any) -> QuerySet[Place]:
    return Place.objects.filter(
        visibility_q(user, sensitivity="sensitivity", organization="organization"), is_active=True
    )


def may_view_place(user: Any, place: Place) -> bool:
    return place.is_active and may_see(user, place.sensitivity, place.organization_id)


def may_coordinate_place(user: Any, place: Place) -> bool:
    """Coordinators and admins of the place's organisation run its needs and stock."""
    return has_role(user, place.organization_id, *PLACE_MANAGERS)


def coordinated_places(user: Any) -> QuerySet[Place]:
    qs = Place.objects.filter(is_active=True).select_related("organization", "area")
    if is_superuser(user):
        return qs
    return qs.filter(organization__in=orgs_with_role(user, *PLACE_MANAGERS))


def access_place(user: Any, pk: Any, *, coordinate: bool = False) -> Place:
    try:
        place = Place.objects.select_related("organization", "area").get(pk=pk)
    except (Place.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_view_place(user, place):
        raise Http404
    if coordinate and not may_coordinate_place(user, place):
        raise PermissionDenied
    return place
