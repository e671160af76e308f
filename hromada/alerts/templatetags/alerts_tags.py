"""Small helpers for alert templates."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def clock(value: datetime.datetime | None) -> str:
    """ "14:30" today, "3 March, 14:30" on another day (in the current time zone)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j E, H:i")
