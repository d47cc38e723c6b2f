"""Decimals as people write them: 10.00 → "10", 7.50 → "7.5" (never "1E+1").

`plain` is a function for services and forms and a template filter (registered as a builtin
in settings, so templates use `{{ value|plain }}` without loading anything)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    if value is None or value == "":
        return ""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def money(value: Decimal | None) -> str:
    """`1,234,567.80`: two decimals with thousands separators, whatever the language (the
    Chinese locale formats have none)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"
