"""Automatic expert assignment pages: pick a call, propose a plan, review it, apply or discard it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from reviews.enums import AssignmentRunStatus, ExpertType
from reviews.forms.assignment import ProposeAssignmentForm
from reviews.models import AssignmentRun
from reviews.selectors import assignment as selectors
from reviews.services.auto_assign import discard_run, propose_assignment

PERM = "reviews.assign_experts"
PER_PAGE = 50


def calls(request):
    require_perm(request.user, PERM)
    return render(request, "reviews/assignment/calls.html", {"calls": selectors.calls_for_assignment()})


@require_http_methods(["GET", "POST"])
def call(request, pk):
    require_perm(request.user, PERM)
    the_call = get_object_or_404(selectors.calls_for_assignment(), pk=pk)
    form = ProposeAssignmentForm(request.POST or None, call=the_call)
    context = {
        "call": the_call, "form": form, "runs": selectors.runs_of(call=the_call),
        "rules": _rules_display(selectors.rules_of(call=the_call)),
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "reviews/assignment/call.html", context, status=400)
        try:
            run = propose_assignment(call=the_call, experts_per_proposal=form.cleaned_data["experts_per_proposal"],
                                     requested_by=request.user)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/assignment/call.html", context)
        if run.status == AssignmentRunStatus.INFEASIBLE:
            messages.error(request, _("No assignment meets every constraint. The best partial plan and what to relax are shown below."))
        else:
            messages.success(request, _("Assignment proposed. Review it, then apply it to create the experts' tasks."))
        return redirect("assignment:run", pk=run.pk)
    return render(request, "reviews/assignment/call.html", context)


def run_context(request, run):
    diagnostics = run.diagnostics or {}
    proposal_ids = diagnostics.get("proposals", [])
    page = Paginator(proposal_ids, PER_PAGE).get_page(request.GET.get("page"))
    items = diagnostics.get("items", [])
    stats = diagnostics.get("stats") or {}
    return {
        "run": run, "call": run.call, "page": page,
        "rows": selectors.plan_rows(run=run, proposal_ids=list(page.object_list)),
        "sentences": diagnostic_sentences(items, selectors.proposal_labels(items)),
        "mean_affinity": diagnostics.get("mean_affinity"),
        "plan_pairs": stats.get("assigned", 0) + stats.get("kept", 0), "proposal_count": len(proposal_ids),
        "rules": [(_type_label(t), lo, hi) for t, (lo, hi) in sorted((diagnostics.get("rules") or {}).items())],
        "can_apply": run.status == AssignmentRunStatus.PROPOSED,
        "can_discard": run.status in (AssignmentRunStatus.PROPOSED, AssignmentRunStatus.INFEASIBLE),
    }


def run_or_404(pk):
    try:
        return selectors.run_detail(pk)
    except AssignmentRun.DoesNotExist:
        raise Http404 from None


def run(request, pk):
    require_perm(request.user, PERM)
    return render(request, "reviews/assignment/run.html", run_context(request, run_or_404(pk)))


@require_POST
def discard(request, pk):
    require_perm(request.user, PERM)
    the_run = run_or_404(pk)
    try:
        discard_run(run=the_run, actor=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, "reviews/assignment/run.html", run_context(request, run_or_404(pk)))
    messages.success(request, _("Assignment discarded. Nothing was assigned from it."))
    return redirect("assignment:call", pk=the_run.call_id)


def _rules_display(rules):
    return [(r.get_expert_type_display(), r.min_count, r.max_count) for r in rules]


# diagnostics → sentences

def _type_label(value):
    return ExpertType(value).label if value in ExpertType.values else value


def _proposal_list(ids, labels):
    shown = [_("“%(name)s”") % {"name": labels.get(pk, pk)} for pk in ids[: selectors.SHOWN_PER_ITEM]]
    text = _(", ").join(shown)
    more = len(ids) - len(shown)
    if more > 0:
        text = _("%(list)s and %(more)s more") % {"list": text, "more": more}
    return text


def diagnostic_sentences(items, labels) -> list[str]:
    """Each diagnostic item as a sentence that says which constraint to relax and by how much."""
    out = []
    for item in items:
        kind = item.get("kind")
        params = {k: v for k, v in item.items() if k not in ("kind", "proposals", "types")}
        params["proposals"] = _proposal_list(item.get("proposals", []), labels)
        params["count"] = len(item.get("proposals", []))
        if "type" in item:
            params["type"] = _type_label(item["type"])
        if kind == "rules_exceed_k":
            text = _("The composition rules need %(required)s experts per proposal but k is %(k)s: raise k to %(required)s or lower the rules.")
        elif kind == "few_eligible":
            text = _("%(proposals)s: only %(eligible)s eligible experts for k=%(k)s. Lower k to %(eligible)s or add %(add)s experts without a conflict of interest to the pool.")
        elif kind == "max_rules_limit":
            params["types"] = _(", ").join(str(_type_label(t)) for t in item.get("types", []))
            text = _("%(proposals)s: the “at most” rules (%(types)s) leave fewer usable experts than k. Raise those limits or lower k.")
        elif kind == "capacity":
            text = _("Total load capacity is %(short)s short: the plan needs %(demand)s reviews and the experts have %(capacity)s free places. Raise the experts' load caps by %(short)s in total or lower k to %(max_k)s.")
        elif kind == "type_capacity":
            text = _("The rule “at least %(min)s %(type)s” cannot be met for %(unmet)s proposals: %(type)s experts have %(free)s free places for %(required)s required. Raise their load caps by %(short)s in total or lower the rule to %(max_min)s.")
        elif kind == "type_few_eligible":
            text = _("%(proposals)s: only %(eligible)s eligible %(type)s experts for the rule “at least %(min)s”. Add %(type)s experts without a conflict of interest or lower the rule.")
        elif kind == "unfilled":
            text = _("The best plan leaves %(missing)s places empty in %(count)s proposals: %(proposals)s.")
        elif kind == "rule_unmet":
            text = _("In the best plan the rule “at least %(min)s %(type)s” is not met for %(count)s proposals (%(missing)s experts missing): %(proposals)s.")
        else:
            continue
        out.append(text % params)
    return out
