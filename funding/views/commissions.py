"""Commission rules of a fund and the technology managers' commission ledger (fund managers).

Every view checks one named predicate, binds its form, makes one service call
(funding.services.commissions) and maps a refusal to a message and its HTTP status."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from funding.forms.commissions import CommissionPaymentForm, CommissionRuleForm, tier_formset
from funding.models import Fund
from funding.selectors import commission_ledger_rows, commission_rules, ledger_entries
from funding.services import commission_formulas as commission, commissions as service

RULES = "funding/commission/rules.html"
RULE = "funding/commission/rule.html"
LEDGER = "funding/commission/ledger.html"


def _rules_context(fund, form=None, tiers=None):
    rules = list(commission_rules(fund=fund))
    for rule in rules:
        rule.formula = commission.describe(rule) if not commission.rule_problems(rule) else "—"
    tiers = tiers or tier_formset()
    return {"fund": fund, "rules": rules, "tiers": tiers, "form": form or CommissionRuleForm(prefix="rule", tiers=tiers)}


def commissions(request, pk):
    require_perm(request.user, "funding.manage_commissions")
    fund = get_object_or_404(Fund, pk=pk)
    if request.method != "POST":
        return render(request, RULES, _rules_context(fund))
    tiers = tier_formset(request.POST)
    form = CommissionRuleForm(request.POST, prefix="rule", tiers=tiers)
    if not (form.is_valid() and tiers.is_valid()):
        messages.error(request, _("Please correct the errors below."))
        return render(request, RULES, _rules_context(fund, form, tiers), status=400)
    try:
        rule = service.save_commission_rule(fund=fund, actor=request.user, data=form.rule_data())
    except DomainError as exc:
        return render_domain_error(request, exc, RULES, _rules_context(fund, form, tiers))
    messages.success(request, _("The commission rule “%(name)s” was created.") % {"name": rule.name})
    return redirect("funding:commissions", pk=fund.pk)


def commission_rule(request, pk, rule_pk):
    require_perm(request.user, "funding.manage_commissions")
    rule = get_object_or_404(commission_rules(), pk=rule_pk, fund_id=pk)
    if request.method != "POST":
        tiers = tier_formset(rule=rule)
        form = CommissionRuleForm(prefix="rule", tiers=tiers, editing=True, initial=CommissionRuleForm.initial_for(rule))
        return render(request, RULE, {"fund": rule.fund, "rule": rule, "form": form, "tiers": tiers})
    tiers = tier_formset(request.POST)
    form = CommissionRuleForm(request.POST, prefix="rule", tiers=tiers, editing=True)
    context = {"fund": rule.fund, "rule": rule, "form": form, "tiers": tiers}
    if not (form.is_valid() and tiers.is_valid()):
        messages.error(request, _("Please correct the errors below."))
        return render(request, RULE, context, status=400)
    try:
        service.save_commission_rule(fund=rule.fund, actor=request.user, data=form.rule_data(), rule=rule)
    except DomainError as exc:
        return render_domain_error(request, exc, RULE, context)
    messages.success(request, _("The commission rule was saved; past commissions keep the rule they were computed with."))
    return redirect("funding:commissions", pk=rule.fund_id)


@require_POST
def deactivate_rule(request, pk, rule_pk):
    require_perm(request.user, "funding.manage_commissions")
    rule = get_object_or_404(commission_rules(), pk=rule_pk, fund_id=pk)
    try:
        service.deactivate_commission_rule(rule=rule, actor=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, RULES, _rules_context(rule.fund))
    messages.success(request, _("The commission rule “%(name)s” was deactivated.") % {"name": rule.name})
    return redirect("funding:commissions", pk=rule.fund_id)


def _ledger_context(form=None):
    return {"rows": commission_ledger_rows(), "entries": list(ledger_entries()), "form": form or CommissionPaymentForm()}


def commission_ledger(request):
    require_perm(request.user, "funding.manage_commissions")
    return render(request, LEDGER, _ledger_context())


@require_POST
def pay_commission(request):
    require_perm(request.user, "funding.pay_commission")
    form = CommissionPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(request, LEDGER, _ledger_context(form), status=400)
    data = form.cleaned_data
    try:
        entry, created = service.record_commission_payment(
            manager=data["manager"], fund=data["fund"], amount=data["amount"], reference=data["reference"],
            actor=request.user, key=form.idempotency_key())
    except DomainError as exc:
        return render_domain_error(request, exc, LEDGER, _ledger_context(form))
    if created:
        messages.success(request, _("Payment of %(amount)s %(currency)s to %(manager)s recorded.") % {
            "amount": f"{entry.amount:,.2f}", "currency": entry.fund.currency, "manager": entry.manager.display_name})
    else:
        messages.info(request, _("This payment had already been recorded; nothing was paid twice."))
    return redirect("funding:commission_ledger")
