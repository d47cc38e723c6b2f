"""The project's outcomes page (转化成果) and card, technology managers, and 先投后股 settlement pages.

Every view checks one named predicate, binds one form, makes one service call and maps a
refusal to a message and its HTTP status; a refused form is shown again with what was typed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from funding.selectors import proposal_position
from incubation.forms.outcomes import (
    AnnualFigureForm,
    AssignTechManagerForm,
    CompanyForm,
    ContractForm,
    FinancingRoundForm,
    GrantPatentForm,
    PatentForm,
    SettleForm,
)
from incubation.models import Patent
from incubation.rules import can_assign_tech_managers, can_record_outcomes
from incubation.selectors.outcomes import (
    assignment_with_project,
    assignments_of,
    commission_balances,
    company_of,
    invest_first_projects,
    outcome_records,
    outcome_totals,
    projects_of_manager,
    settlement_of,
)
from incubation.selectors.projects import project_with_details
from incubation.services import commissions, conversion, outcomes

PAGE = "incubation/outcomes/page.html"
SETTLE = "incubation/outcomes/settle.html"
CONVERSIONS = "incubation/outcomes/conversions.html"
TECH_HOME = "incubation/outcomes/tech_home.html"

FORMS = {  # prefix: form class
    "company": CompanyForm, "round": FinancingRoundForm, "patent": PatentForm, "contract": ContractForm,
    "figure": AnnualFigureForm, "assign": AssignTechManagerForm,
}


def _project(pk):
    return get_object_or_404(project_with_details(), pk=pk)


def _settlement_context(project):
    agreement = conversion.invest_first_agreement(project)
    settlement = settlement_of(project) if agreement else None
    return agreement, settlement


def card_context(request, project) -> dict:
    """Context for incubation/_outcomes_card.html on the project page (keys prefixed `outcomes_`)."""
    if not request.user.has_perm("incubation.view_project", project):
        return {}
    agreement, settlement = _settlement_context(project)
    return {
        "outcomes_totals": outcome_totals(project=project),
        "outcomes_invest_first": agreement,
        "outcomes_settlement": settlement,
        "outcomes_tech_managers": list(assignments_of(project=project)),
    }


def _page_context(request, project, **bound) -> dict:
    user = request.user
    forms = {prefix: bound.get(prefix) or form_class(prefix=prefix) for prefix, form_class in FORMS.items()}
    if "company" not in bound:
        company = company_of(project=project)
        if company is not None:
            forms["company"] = CompanyForm(prefix="company", initial={
                "name": company.name, "founded_on": company.founded_on,
                "registered_capital": company.registered_capital, "credit_code": company.credit_code})
    agreement, settlement = _settlement_context(project)
    return {
        "project": project,
        "can_record": can_record_outcomes(user, project),
        "can_assign": can_assign_tech_managers(user, project),
        "can_settle": user.has_perm("incubation.settle_investment", project),
        "forms": forms,
        "grant_form": bound.get("grant") or GrantPatentForm(prefix="grant"),
        "totals": outcome_totals(project=project),
        **outcome_records(project=project),
        "assignments": list(assignments_of(project=project)),
        "invest_first": agreement,
        "settlement": settlement,
        "converts_next": agreement is not None and settlement is None,
        "today": timezone.localdate(),
    }


def outcomes_page(request, pk):
    project = _project(pk)
    require_perm(request.user, "incubation.view_project", project)
    return render(request, PAGE, _page_context(request, project))


def _record(request, pk, prefix, perm, call, success):
    """Bind the form `prefix`, call the service with its cleaned data, redirect or re-render (400/409/403)."""
    project = _project(pk)
    require_perm(request.user, perm, project)
    form = FORMS[prefix](request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(request, PAGE, _page_context(request, project, **{prefix: form}), status=400)
    try:
        result = call(project, form.cleaned_data)
    except DomainError as exc:
        return render_domain_error(request, exc, PAGE, _page_context(request, project, **{prefix: form}))
    messages.success(request, success(result) if callable(success) else success)
    return redirect("incubation:outcomes", pk=project.pk)


@require_POST
def record_company(request, pk):
    return _record(request, pk, "company", "incubation.record_outcome",
                   lambda project, d: outcomes.record_company(project=project, actor=request.user, **d),
                   _("The company was recorded."))


def _round_message(result):
    _round, settlement = result
    if settlement is not None:
        return _("The financing round was recorded and the invest-first money converted: a stake of %(stake)s %%.") % {
            "stake": f"{settlement.stake_pct}"}
    return _("The financing round was recorded.")


@require_POST
def record_round(request, pk):
    return _record(request, pk, "round", "incubation.record_outcome",
                   lambda project, d: outcomes.record_financing_round(project=project, actor=request.user, **d),
                   _round_message)


@require_POST
def record_patent(request, pk):
    return _record(request, pk, "patent", "incubation.record_outcome",
                   lambda project, d: outcomes.record_patent(project=project, actor=request.user, **d),
                   _("The patent was recorded."))


@require_POST
def record_contract(request, pk):
    return _record(request, pk, "contract", "incubation.record_outcome",
                   lambda project, d: outcomes.record_contract(project=project, actor=request.user, **d),
                   _("The technology contract was recorded."))


@require_POST
def record_figure(request, pk):
    return _record(request, pk, "figure", "incubation.record_outcome",
                   lambda project, d: outcomes.record_annual_figure(project=project, actor=request.user, **d),
                   _("The annual figures were recorded."))


@require_POST
def assign_tech_manager(request, pk):
    return _record(request, pk, "assign", "incubation.assign_tech_manager",
                   lambda project, d: commissions.assign_tech_manager(project=project, actor=request.user, **d),
                   _("The technology manager was assigned."))


@require_POST
def grant_patent(request, pk, patent_pk):
    project = _project(pk)
    require_perm(request.user, "incubation.record_outcome", project)
    patent = get_object_or_404(Patent, pk=patent_pk, project=project)
    form = GrantPatentForm(request.POST, prefix="grant")
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(request, PAGE, _page_context(request, project, grant=form), status=400)
    try:
        outcomes.grant_patent(patent=patent, actor=request.user, granted_on=form.cleaned_data["granted_on"])
    except DomainError as exc:
        return render_domain_error(request, exc, PAGE, _page_context(request, project, grant=form))
    messages.success(request, _("The patent was recorded as granted."))
    return redirect("incubation:outcomes", pk=project.pk)


@require_POST
def remove_tech_manager(request, pk, assignment_pk):
    project = _project(pk)
    require_perm(request.user, "incubation.assign_tech_manager", project)
    assignment = get_object_or_404(assignment_with_project(), pk=assignment_pk, project=project)
    try:
        commissions.remove_tech_manager(assignment=assignment, actor=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, PAGE, _page_context(request, project))
    messages.success(request, _("The assignment was removed; commissions already accrued stay in the ledger."))
    return redirect("incubation:outcomes", pk=project.pk)


# 先投后股: the settlement at the deadline and the fund managers' list


def _settle_context(project, form):
    agreement, settlement = _settlement_context(project)
    return {"project": project, "agreement": agreement, "settlement": settlement, "form": form,
            "paid": proposal_position(proposal=project.proposal)["paid"], "today": timezone.localdate()}


def settle(request, pk):
    project = _project(pk)
    require_perm(request.user, "incubation.settle_investment", project)
    if conversion.invest_first_agreement(project) is None:
        raise Http404  # a grant or equity project has nothing to settle
    if request.method != "POST":
        agreement = conversion.invest_first_agreement(project)
        form = SettleForm(initial={"action": agreement.deadline_action})
        return render(request, SETTLE, _settle_context(project, form))
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return render(request, SETTLE, _settle_context(project, form), status=400)
    try:
        settlement = conversion.settle_investment(project=project, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        return render_domain_error(request, exc, SETTLE, _settle_context(project, form))
    messages.success(request, _("The invest-first money was settled: %(outcome)s.") % {
        "outcome": settlement.get_kind_display()})
    return redirect("incubation:conversions")


def conversions(request):
    require_perm(request.user, "incubation.settle_investment")
    today = timezone.localdate()
    rows = []
    for project in invest_first_projects():
        rows.append({"project": project, "agreement": project.agreement, "paid": project.paid_amount,
                     "settlement": settlement_of(project),
                     "state": conversion.conversion_state(project, today)})
    return render(request, CONVERSIONS, {
        "overdue": [row for row in rows if row["state"] == "overdue"], "rows": rows, "today": today})


# the technology manager's own page


def tech_home(request):
    require_perm(request.user, "incubation.tech_manager_home")
    user = request.user
    return render(request, TECH_HOME, {
        "assignments": list(projects_of_manager(manager=user)),
        "balances": commission_balances(manager=user),
        "totals": commissions.commission_balance(manager=user),
        "entries": list(commissions.ledger_entries(manager=user)),
    })
