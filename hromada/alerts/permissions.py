"""Who may see and do what with alerts, displays and deliveries.

- Published public alerts are for anyone; published restricted ones for members of any
  organisation. Drafts, pending, returned and rejected alerts only for the alert staff
  (authors and approvers) of the organisation that issues them.
- Authors of an organisation draft and change its alerts until they are submitted;
  approvers of the organisation approve or return them, never one they wrote.
- Displays and the delivery log belong to the organisation's alert staff and admins.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from hromada.alerts.models import Alert, AlertQuerySet, Display, Scope
from hromada.core import permissions
from hromada.core.models import Organization, Role

AUTHORS = (Role.ALERT_AUTHOR,)
APPROVERS = (Role.ALERT_APPROVER,)
STAFF = (Role.ALERT_AUTHOR, Role.ALERT_APPROVER)
DISPLAY_MANAGERS = (Role.ALERT_AUTHOR, Role.ALERT_APPROVER, Role.ORG_ADMIN)


def is_alert_staff(user: Any) -> bool:
    return permissions.has_any_role(user, *STAFF)


def author_organizations(user: Any) -> QuerySet[Organization]:
    """Organisations this user may draft alerts for."""
    if permissions.is_superuser(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=permissions.orgs_with_role(user, *AUTHORS))


def visible_alerts(user: Any) -> AlertQuerySet:
    if permissions.is_superuser(user):
        return Alert.objects.all()
    allowed = Q(state=Alert.State.PUBLISHED, scope=Scope.PUBLIC)
    if permissions.is_member(user):
        allowed |= Q(state=Alert.State.PUBLISHED)
    staff_orgs = permissions.orgs_with_role(user, *STAFF)
    if staff_orgs:
        allowed |= Q(organization__in=staff_orgs)
    return Alert.objects.filter(allowed)


def may_view_alert(user: Any, alert: Alert) -> bool:
    if alert.is_published and alert.scope == Scope.PUBLIC:
        return True
    if alert.is_published and permissions.is_member(user):
        return True
    return permissions.has_role(user, alert.organization_id, *STAFF)


def may_author(user: Any, alert: Alert) -> bool:
    """May write for this alert's organisation (draft it, change it, follow it up)."""
    return permissions.has_role(user, alert.organization_id, *AUTHORS)


def may_edit_alert(user: Any, alert: Alert) -> bool:
    return alert.is_editable and not alert.is_incoming and may_author(user, alert)


def may_review_alert(user: Any, alert: Alert) -> bool:
    """An approver of the organisation, while the alert waits. (The service also refuses
    the alert's own writers, with a message that says why.)"""
    return alert.state == Alert.State.PENDING and permissions.has_role(
        user, alert.organization_id, *APPROVERS
    )


def may_follow_up(user: Any, alert: Alert) -> bool:
    """May start an Update or a Cancel of this alert."""
    return alert.is_current() and may_author(user, alert)


def access_alert(user: Any, pk: Any, *, edit: bool = False, review: bool = False) -> Alert:
    """The alert, or 404 when this user may not know of it, or 403 when they may see it but
    not do what they asked."""
    try:
        alert = Alert.objects.select_related("organization", "feed", "created_by").get(pk=pk)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_view_alert(user, alert):
        raise Http404
    if edit and not may_author(user, alert):
        raise PermissionDenied
    if review and not permissions.has_role(user, alert.organization_id, *APPROVERS):
        raise PermissionDenied
    return alert


def may_see_deliveries(user: Any, alert: Alert) -> bool:
    return permissions.has_role(user, alert.organization_id, *STAFF)


# Displays ---------------------------------------------------------------------------------


def display_organizations(user: Any) -> QuerySet[Organization]:
    if permissions.is_superuser(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=permissions.orgs_with_role(user, *DISPLAY_MANAGERS))


def may_manage_displays(user: Any) -> bool:
    return permissions.has_any_role(user, *DISPLAY_MANAGERS)


def managed_displays(user: Any) -> QuerySet[Display]:
    displays = Display.objects.select_related("organization", "area")
    if permissions.is_superuser(user):
        return displays
    return displays.filter(organization__in=permissions.orgs_with_role(user, *DISPLAY_MANAGERS))


def access_display(user: Any, pk: Any) -> Display:
    """A display this user manages; 404 for everyone else (its URL is a secret)."""
    display = managed_displays(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if display is None:
        raise Http404
    return display


def display_for_token(token: str) -> Display:
    """The active display behind a secret URL, or 404."""
    display = (
        Display.objects.select_related("area").filter(token=token, is_active=True).first()
        if token
        else None
    )
    if display is None:
        raise Http404
    return display
