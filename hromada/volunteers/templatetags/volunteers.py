"""The section's own menu, computed once per page from the user's roles and profiles."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from hromada.core import permissions as core_permissions
from hromada.volunteers import permissions
from hromada.volunteers.phones import display_phone

register = template.Library()


@register.inclusion_tag("volunteers/_nav.html", takes_context=True)
def volunteers_nav(context: dict[str, Any], current: str = "") -> dict[str, Any]:
    request = context["request"]
    user = request.user
    links: list[tuple[str, str]] = []
    manager = permissions.is_volunteer_manager(user)
    if user.is_authenticated and permissions.own_profiles(user).exists():
        links.append(("volunteers:my-shifts", _("My shifts")))
    if core_permissions.is_member(user):
        links.append(("volunteers:shift-board", _("Shifts")))
    if manager:
        links += [
            ("volunteers:volunteer-list", _("People")),
            ("volunteers:team-list", _("Teams")),
            ("volunteers:custody-register", _("Equipment")),
            ("volunteers:hours", _("Hours")),
            ("volunteers:application-list", _("Applications")),
        ]
    elif user.is_authenticated and permissions.visible_teams(user).exists():
        links.append(("volunteers:team-list", _("Teams")))
    links.append(("volunteers:directory", _("Directory")))
    if user.is_authenticated and permissions.own_referrers(user).exists():
        links.append(("volunteers:referrals", _("My referrals")))
    if not user.is_authenticated:
        links = [
            ("volunteers:signup", _("Join")),
            ("volunteers:apply", _("Apply from abroad")),
            *links,
        ]
    return {"links": links, "current": current}


@register.filter
def phone(value: str) -> str:
    """+380501234567 as "+380 50 123 4567"."""
    return display_phone(value or "")
