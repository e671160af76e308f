"""Phone numbers in one form (E.164, "+380501234567"), so that the same person is one row.

People type numbers as they say them: "050 123 45 67", "(050) 123-45-67", "+38 050 …",
"380501234567". Ukrainian national numbers (ten digits starting with 0) get the country code.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_phone(raw: str) -> str:
    """The number in E.164 form, or "" for an empty input; ValidationError when it is not one.

    >>> normalize_phone("050 123-45-67")
    '+380501234567'
    >>> normalize_phone("+48 601 234 567")
    '+48601234567'
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("0") and len(text) == 10 and text.isdigit():
        text = "+38" + text
    elif text.startswith("380") and len(text) == 12 and text.isdigit():
        text = "+" + text
    if not _E164.match(text):
        raise ValidationError(
            _("Enter a phone number with its country code, e.g. +380 50 123 4567."),
            code="phone",
        )
    return text


def display_phone(phone: str) -> str:
    """A Ukrainian number grouped as people read it aloud; other numbers as stored.

    >>> display_phone("+380501234567")
    '+380 50 123 4567'
    """
    if phone.startswith("+380") and len(phone) == 13:
        return f"{phone[:4]} {phone[4:6]} {phone[6:9]} {phone[9:]}"
    return phone
