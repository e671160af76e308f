from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from hromada.core import permissions
from hromada.core.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu offers this user: computed once from their memberships."""
    # An error page for a request refused before the user is known (a Host we do not
    # serve) has no user: it is shown as to anyone.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "tile_url": settings.TILE_URL,
        "tile_attribution": settings.TILE_ATTRIBUTION,
        "nav": {
            "can_post_needs": permissions.has_any_role(user, *permissions.PLACE_MANAGERS),
            "is_member": permissions.is_member(user),
            "is_staff": user.is_authenticated and user.is_staff,
            "is_alert_staff": permissions.has_any_role(
                user, Role.ALERT_AUTHOR, Role.ALERT_APPROVER
            ),
            "is_caseworker": permissions.has_any_role(user, Role.CASEWORKER),
            "roles": sorted(
                {Role(r).label for roles in permissions.roles_by_org(user).values() for r in roles}
            ),
        },
    }
