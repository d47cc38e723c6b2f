"""`{% call_eligibility_rules call as rules %}`: a call's funding eligibility rules in words."""

from django import template

from funding.services.eligibility import described_rules

register = template.Library()


@register.simple_tag
def call_eligibility_rules(call):
    return described_rules(call)
