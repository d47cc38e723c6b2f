"""A call's funding eligibility rules: program officers and fund managers edit them."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from funding.forms.eligibility import rule_formset
from funding.selectors import rules_of
from funding.services.eligibility import described_rules, replace_eligibility_rules
from proposals.models import Call


@require_http_methods(["GET", "POST"])
def eligibility_rules(request, pk):
    require_perm(request.user, "funding.manage_eligibility")
    call = get_object_or_404(Call, pk=pk)
    formset = rule_formset(request.POST or None, rules=list(rules_of(call)))
    context = {"call": call, "formset": formset, "saved_rules": described_rules(call)}
    if request.method == "POST":
        if not formset.is_valid():
            messages.error(request, _("Please correct the rules below."))
            return render(request, "funding/eligibility/rules.html", context, status=400)
        try:
            replace_eligibility_rules(call=call, rules=formset.rules(), actor=request.user)
        except DomainError as exc:
            return render_domain_error(request, exc, "funding/eligibility/rules.html", context)
        messages.success(request, _("The eligibility rules are saved."))
        return redirect("funding:eligibility_rules", pk=call.pk)
    return render(request, "funding/eligibility/rules.html", context)
