"""``{{ amount|money }}``: two decimals and a thin space between thousands, the same in every
language (a figure on a public page reads the same to a donor abroad and to the town)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from hromada.funds.services import money as format_money

register = template.Library()


@register.filter
def money(value: Any) -> str:
    if value is None or value == "":
        return ""
    return format_money(Decimal(value))


@register.filter
def quantity(value: Any) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ trails|get_item:expense.pk }}``: a dict's value in a template."""
    return mapping.get(key) if hasattr(mapping, "get") else None
