"""The project's agreement (任务书) page, its sections, milestone acceptance and disbursements.

Every view checks one named predicate, binds one form, makes one service call and maps a
refusal to a message and its HTTP status; a refused form is shown again with what was typed."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.numbers import money
from core.views import render_domain_error, require_perm
from funding.selectors import proposal_position
from incubation.enums import AgreementStatus, BudgetCategory, MilestoneStatus, TrancheStatus
from incubation.forms.agreement import (
    AcceptMilestoneForm,
    BudgetFormSet,
    KpiActualsForm,
    KpiFormSet,
    MilestoneFormSet,
    QueueFilterForm,
    ReleaseForm,
    SignedCopyForm,
    TermsForm,
    TrancheFormSet,
    kept_rows,
    typed_amounts,
)
from incubation.models import Agreement, Milestone
from incubation.rules import (
    can_accept_milestones,
    can_edit_agreement,
    can_record_kpi_actuals,
    can_upload_signed_copy,
)
from incubation.selectors.agreement import (
    agreement_of,
    agreement_with_details,
    budget_balance,
    budget_of,
    gate_status,
    kpis_of,
    milestones_for_page,
    tranche_counts,
    tranche_queue,
    tranche_with_agreement,
    tranches_of,
)
from incubation.services import agreement as service
from incubation.services.money import release_tranche

PAGE = "incubation/agreement/page.html"
QUEUE = "incubation/agreement/queue.html"
ACCEPTABLE = (MilestoneStatus.DONE, MilestoneStatus.IN_PROGRESS)


def _agreement_of(pk) -> Agreement:
    return get_object_or_404(agreement_with_details(), project_id=pk)


def _money(value, currency="") -> str:
    """1234567.8 → "1,234,567.80 CNY": the house format, whatever the locale's grouping."""
    if value is None:
        return ""
    return f"{money(value)} {currency}".strip()


# forms of the page, fresh or bound

def _terms_form(agreement, data=None):
    return TermsForm(data, agreement=agreement, prefix="terms")


def _milestone_formsets(agreement, milestones, kpis, data=None):
    ms = MilestoneFormSet(data, prefix="ms", initial=None if data else [
        {"id": m.pk, "title": m.title, "description": m.description, "due_date": m.due_date} for m in milestones])
    kp = KpiFormSet(data, prefix="kpi", form_kwargs={"milestones": milestones}, initial=None if data else [
        {"id": k.pk, "name": k.name, "unit": k.unit, "target": k.target, "due_date": k.due_date,
         "milestone": k.milestone_id} for k in kpis])
    return ms, kp


def _budget_formset(agreement, lines, data=None):
    by_category = {line.category: line for line in lines}
    initial = [{"category": value, "amount": by_category[value].amount if value in by_category else None,
                "note": by_category[value].note if value in by_category else ""} for value in BudgetCategory.values]
    return BudgetFormSet(data, prefix="budget", initial=initial)


def _tranche_formset(tranches, milestones, data=None):
    return TrancheFormSet(data, prefix="tr", form_kwargs={"milestones": milestones}, initial=None if data else [
        {"percent": t.percent, "gate": t.gate, "milestone": t.milestone_id} for t in tranches])


def _page_context(request, agreement, **bound) -> dict:
    user = request.user
    project = agreement.project
    milestones = list(milestones_for_page(project=project))
    kpis = list(kpis_of(project=project))
    lines = list(budget_of(agreement=agreement))
    tranches = list(tranches_of(agreement=agreement))
    can_manage = user.has_perm("incubation.manage_project", project)
    can_release = user.has_perm("incubation.release_tranche", project)
    budget_forms = bound.get("budget") or _budget_formset(agreement, lines)
    balance = budget_balance(agreement=agreement, amounts=typed_amounts(budget_forms))
    rows = []
    for tranche in tranches:
        met, why = gate_status(tranche)
        release_form = None
        if can_release and tranche.status == TrancheStatus.PLANNED:
            release_form = bound.get(f"release-{tranche.pk}") or ReleaseForm(prefix=f"release-{tranche.pk}",
                                                                             initial={"back": "agreement"})
        rows.append({"tranche": tranche, "met": met, "why": why, "release_form": release_form,
                     "amount": _money(tranche.amount, agreement.currency),
                     "ledger_amount": _money(tranche.ledger_entry.amount) if tranche.ledger_entry else ""})
    for line in lines:
        line.money = _money(line.amount)
    ms_forms, kpi_forms = bound.get("milestones") or _milestone_formsets(agreement, milestones, kpis)
    accept_forms = {}
    if can_accept_milestones(user, project):
        accept_forms = {m.pk: bound.get(f"accept-{m.pk}") or AcceptMilestoneForm(prefix=f"accept-{m.pk}")
                        for m in milestones if m.status in ACCEPTABLE}
    return {
        "project": project,
        "agreement": agreement,
        "milestones": [(m, accept_forms.get(m.pk)) for m in milestones],
        "kpis": kpis,
        "budget_lines": lines,
        "tranche_rows": rows,
        "problems": service.agreement_problems(agreement) if agreement.status == AgreementStatus.DRAFT else [],
        "can_manage": can_manage,
        "can_edit": can_edit_agreement(user, agreement),
        "can_release": can_release,
        "can_upload": can_upload_signed_copy(user, agreement),
        "terms_form": bound.get("terms") or _terms_form(agreement),
        "milestone_forms": ms_forms,
        "kpi_forms": kpi_forms,
        "budget_forms": budget_forms,
        "budget_total": _money(balance.total),
        "budget_difference": _money(balance.difference),
        "budget_balanced": balance.balanced,
        "amount_text": _money(agreement.amount, agreement.currency),
        "valuation_text": _money(agreement.pre_money_valuation, agreement.currency),
        "tranche_forms": bound.get("tranches") or _tranche_formset(tranches, milestones),
        "signed_form": bound.get("signed") or SignedCopyForm(prefix="signed", initial={"signed_on": timezone.localdate()}),
        "kpi_actuals_form": (bound.get("actuals") or KpiActualsForm(kpis=kpis, prefix="actuals"))
        if kpis and can_record_kpi_actuals(user, project) else None,
    }


def _refused(request, agreement, *, status=400, **bound):
    messages.error(request, _("Please correct the errors below."))
    return render(request, PAGE, _page_context(request, agreement, **bound), status=status)


def _domain_error(request, exc, agreement, **bound):
    return render_domain_error(request, exc, PAGE, _page_context(request, agreement, **bound))


def _back(agreement):
    return redirect("incubation:agreement", pk=agreement.project_id)


# the page

@require_GET
def agreement_page(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.view_project", agreement.project)
    return render(request, PAGE, _page_context(request, agreement))


@require_POST
def save_terms(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    form = _terms_form(agreement, request.POST)
    if not form.is_valid():
        return _refused(request, agreement, terms=form)
    try:
        service.update_terms(agreement=agreement, actor=request.user, **form.terms())
    except DomainError as exc:
        return _domain_error(request, exc, agreement, terms=form)
    messages.success(request, _("The period and the terms were saved."))
    return _back(agreement)


@require_POST
def save_milestones(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    milestones = list(milestones_for_page(project=agreement.project))
    formsets = _milestone_formsets(agreement, milestones, [], request.POST)
    if not all(f.is_valid() for f in formsets):
        return _refused(request, agreement, milestones=formsets)
    try:
        service.save_milestones(agreement=agreement, actor=request.user, milestones=kept_rows(formsets[0]),
                                kpis=kept_rows(formsets[1]))
    except DomainError as exc:
        return _domain_error(request, exc, agreement, milestones=formsets)
    messages.success(request, _("The milestones and indicators were saved."))
    return _back(agreement)


@require_POST
def save_budget(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    formset = _budget_formset(agreement, [], request.POST)
    if not formset.is_valid():
        return _refused(request, agreement, budget=formset)
    try:
        service.save_budget(agreement=agreement, actor=request.user, lines=kept_rows(formset))
    except DomainError as exc:
        return _domain_error(request, exc, agreement, budget=formset)
    messages.success(request, _("The budget was saved."))
    return _back(agreement)


@require_POST
def save_tranches(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    milestones = list(milestones_for_page(project=agreement.project))
    formset = _tranche_formset([], milestones, request.POST)
    if not formset.is_valid():
        return _refused(request, agreement, tranches=formset)
    try:
        service.save_tranches(agreement=agreement, actor=request.user, rows=kept_rows(formset))
    except DomainError as exc:
        return _domain_error(request, exc, agreement, tranches=formset)
    messages.success(request, _("The tranche schedule was saved."))
    return _back(agreement)


@require_POST
def issue(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    try:
        service.issue_agreement(agreement=agreement, actor=request.user)
    except DomainError as exc:
        return _domain_error(request, exc, agreement)
    messages.success(request, _("The agreement was issued for signature; its PDF is being generated."))
    return _back(agreement)


@require_POST
def upload_signed(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.upload_signed_agreement", agreement.project)
    form = SignedCopyForm(request.POST, request.FILES, prefix="signed")
    if not form.is_valid():
        return _refused(request, agreement, signed=form)
    try:
        service.record_signed_copy(agreement=agreement, actor=request.user, uploaded_file=form.cleaned_data["file"],
                                   signed_on=form.cleaned_data["signed_on"])
    except DomainError as exc:
        return _domain_error(request, exc, agreement, signed=form)
    messages.success(request, _("The signed agreement was recorded."))
    return _back(agreement)


@require_GET
def signed_copy(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.view_project", agreement.project)
    if not agreement.signed_file:
        raise Http404
    return FileResponse(agreement.signed_file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=agreement.signed_file_name or f"agreement-{agreement.pk}.pdf")


# milestones and KPIs during incubation

@require_POST
def accept_milestone(request, pk, milestone_pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project_id=agreement.project_id)
    form = AcceptMilestoneForm(request.POST, prefix=f"accept-{milestone.pk}")
    if not form.is_valid():
        return _refused(request, agreement, **{f"accept-{milestone.pk}": form})
    try:
        service.accept_milestone(milestone=milestone, actor=request.user, note=form.cleaned_data["note"],
                                 deliverables_confirmed=form.cleaned_data["deliverables_confirmed"])
    except DomainError as exc:
        return _domain_error(request, exc, agreement, **{f"accept-{milestone.pk}": form})
    messages.success(request, _("The milestone “%(milestone)s” was accepted.") % {"milestone": milestone.title})
    return _back(agreement)


@require_POST
def kpi_actuals(request, pk):
    agreement = _agreement_of(pk)
    require_perm(request.user, "incubation.manage_project", agreement.project)
    form = KpiActualsForm(request.POST, kpis=kpis_of(project=agreement.project), prefix="actuals")
    if not form.is_valid():
        return _refused(request, agreement, actuals=form)
    try:
        service.record_kpi_actuals(project=agreement.project, actor=request.user, actuals=form.actuals())
    except DomainError as exc:
        return _domain_error(request, exc, agreement, actuals=form)
    messages.success(request, _("The indicators' actual values were saved."))
    return _back(agreement)


# disbursements

def _queue_context(request, filters, **bound) -> dict:
    fund = filters.cleaned_data.get("fund") if filters.is_valid() else None
    ready, waiting = [], []
    for tranche in tranche_queue(fund=fund):
        met, why = gate_status(tranche)
        if met:
            form = bound.get(f"release-{tranche.pk}") or ReleaseForm(prefix=f"release-{tranche.pk}",
                                                                     initial={"back": "queue"})
            ready.append({"tranche": tranche, "release_form": form,
                          "amount": _money(tranche.amount, tranche.agreement.currency)})
        else:
            waiting.append({"tranche": tranche, "why": why, "amount": _money(tranche.amount, tranche.agreement.currency)})
    return {"filters": filters, "ready": ready, "waiting": waiting}


@require_GET
def disbursements(request):
    require_perm(request.user, "incubation.release_tranche")
    filters = QueueFilterForm(request.GET or None)
    return render(request, QUEUE, _queue_context(request, filters))


@require_POST
def release(request, tranche_pk):
    tranche = get_object_or_404(tranche_with_agreement(), pk=tranche_pk)
    agreement = _agreement_of(tranche.agreement.project_id)
    require_perm(request.user, "incubation.release_tranche", agreement.project)
    prefix = f"release-{tranche.pk}"
    form = ReleaseForm(request.POST, prefix=prefix)
    from_queue = request.POST.get(f"{prefix}-back") == "queue"

    def again(exc=None):
        if from_queue:
            context = _queue_context(request, QueueFilterForm(), **{prefix: form})
            if exc is not None:
                return render_domain_error(request, exc, QUEUE, context)
            messages.error(request, _("Please correct the errors below."))
            return render(request, QUEUE, context, status=400)
        if exc is not None:
            return _domain_error(request, exc, agreement, **{prefix: form})
        return _refused(request, agreement, **{prefix: form})

    if not form.is_valid():
        return again()
    try:
        tranche, released_now = release_tranche(tranche=tranche, actor=request.user,
                                                reference=form.cleaned_data["reference"])
    except DomainError as exc:
        return again(exc)
    when = formats.date_format(timezone.localtime(tranche.released_at), "SHORT_DATETIME_FORMAT")
    if released_now:
        messages.success(request, _("Tranche %(order)s of %(amount)s %(currency)s was released (reference %(reference)s).")
                         % {"order": tranche.order, "amount": _money(tranche.amount),
                            "currency": agreement.currency, "reference": tranche.payment_reference})
    else:
        messages.info(request, _("Tranche %(order)s was already released on %(when)s (reference %(reference)s); "
                                 "nothing was paid again.")
                      % {"order": tranche.order, "when": when, "reference": tranche.payment_reference})
    if from_queue:
        return redirect("incubation:disbursements")
    return _back(agreement)


# the card on the project page

def card_context(request, project) -> dict:
    """Context for incubation/_agreement_card.html on the project page (three queries)."""
    agreement = agreement_of(project=project)
    if agreement is None:
        return {"agreement_card": None}
    counts = tranche_counts(agreement=agreement)
    position = proposal_position(proposal=project.proposal)
    return {"agreement_card": {
        "agreement": agreement,
        "tranches_total": counts["total"],
        "tranches_released": counts["released"],
        "paid": position["paid"],
        "unpaid": position["outstanding"],
        "committed": position["committed"],
        "amount_text": _money(agreement.amount, agreement.currency),
        "paid_text": _money(position["paid"], agreement.currency),
        "unpaid_text": _money(position["outstanding"], agreement.currency),
        "valuation_text": _money(agreement.pre_money_valuation, agreement.currency),
        "can_release": request.user.has_perm("incubation.release_tranche", project),
    }}
