"""Small helpers for the reports templates."""

from __future__ import annotations

from typing import Any

from django import template

from hromada.reports import permissions, presenters

register = template.Library()


@register.simple_tag
def is_analyst(user: Any) -> bool:
    return permissions.is_analyst(user)


@register.filter
def number(value: Any) -> str:
    """A whole number with the reader's thousands separator (28 · 4 300 · 500,000)."""
    if value is None or value == "":
        return ""
    return presenters.number(int(value))


@register.filter
def figure(claim: Any) -> str:
    """A claim's figure as ≥ 240, ~200, 20–30 or 28."""
    return presenters.figure_text(claim.qualifier, claim.low, claim.best, claim.high)
