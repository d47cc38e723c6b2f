"""`{{ snapshot.formula|formula_name }}`: a commission formula's edition named in words."""

from django import template

from funding.services.commission_formulas import formula_name as _formula_name

register = template.Library()


@register.filter
def formula_name(version: str) -> str:
    return _formula_name(version)
