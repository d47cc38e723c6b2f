"""Panel chair pages (ranked results, a proposal's reviews, recommendation, reordering) and the
roadshow (路演) pages for staff and judges. Each view binds a form, makes one service call and
maps refusals to a message and an HTTP status."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from proposals.models import Call, Proposal
from reviews.enums import described_methods
from reviews.forms.panel import (
    PAGE_SIZE,
    PanelTableForm,
    RecommendationForm,
    ReorderForm,
    RoadshowCriterionForm,
    RoadshowJudgeForm,
    RoadshowSheetForm,
    RoadshowSlotForm,
)
from reviews.selectors import panel as selectors, snapshot as snapshots
from reviews.selectors.conflicts import conflicted_proposal_ids
from reviews.services import panel as panel_services, roadshow as roadshow_services, snapshot as snapshot_services
from reviews.services.results import METHODS, tie_break_rules


def _call_tz(call):
    try:
        return ZoneInfo(call.time_zone)
    except Exception:  # an unknown zone name: fall back to the site's
        return timezone.get_current_timezone()


# panel chair ---------------------------------------------------------------------------------

def calls(request):
    """Calls with proposals in expert review or later."""
    require_perm(request.user, "reviews.chair_panel")
    return render(request, "reviews/panel/calls.html", {"calls": selectors.calls_for_panel()})


# the ranked table's columns: (sort key, label, numeric); the criteria's verdicts and the flags follow
def _columns(call):
    columns = [("rank", _("Rank"), True), ("title", _("Proposal"), False), ("final_score", _("Final score"), True),
               ("mean", _("Mean"), True), ("calibrated", _("Calibrated"), True),
               ("trimmed_mean", _("Trimmed mean"), True), ("median", _("Median"), True)]
    if call.roadshow_enabled:
        columns.append(("roadshow", _("Roadshow score"), True))
    columns.append(("review_count", _("Reviews"), True))
    return columns


def _sort_links(request, call, params):
    """Each column header's link: sort by it (a second click reverses the order), the filters kept."""
    links = []
    for key, label, numeric in _columns(call):
        current = params["sort"] == key
        default = "asc" if key in ("rank", "title") else "desc"
        order = ("desc" if params["order"] == "asc" else "asc") if current else default
        query = request.GET.copy()
        query["sort"], query["order"] = key, order
        links.append({
            "key": key, "label": label, "numeric": numeric, "href": "?" + query.urlencode(),
            "aria_sort": ("ascending" if params["order"] == "asc" else "descending") if current else "",
        })
    return links


def _call_context(request, call, *, table_form, reorder_form=None):
    """The ranked table from the stored snapshot: never computed on a request."""
    params = table_form.params()
    snapshot = snapshots.snapshot_of(call)
    if snapshot is None:  # a call whose reviews predate the snapshot: the outbox builds it once
        snapshot_services.owe_panel_snapshot(call=call)
        snapshot = snapshots.snapshot_of(call)  # built already when the outbox runs inline (no broker)
    context = {
        "call": call, "params": params, "table_form": table_form, "reorder_form": reorder_form, "pending": snapshot is None,
        "columns": _sort_links(request, call, params), "tie_break_rules": tie_break_rules(),
        "methods": described_methods(snapshot.header["methods"] if snapshot else METHODS),
    }
    if snapshot is None:
        return context
    conflicted = conflicted_proposal_ids(user=request.user, call=call)
    counts = snapshots.count_rows(snapshot, hidden_ids=conflicted, query=params["q"], flag=params["flag"])
    names = snapshots.criterion_names(call)
    limit = None if params["all"] else PAGE_SIZE
    table = {"hidden_ids": conflicted, "sort": params["sort"], "descending": params["order"] == "desc",
             "query": params["q"], "flag": params["flag"], "limit": limit, "roadshow": call.roadshow_enabled,
             "href": reverse("panel:proposal", args=[4242]).replace("4242", "%d")}
    complete = snapshots.table_rows(snapshot, complete=True, **table)
    incomplete = snapshots.table_rows(snapshot, complete=False, **table)
    show_all = request.GET.copy()
    show_all["all"] = "1"
    context.update({
        "snapshot": snapshot, "counts": counts, "hidden": counts["hidden"],
        "criteria": snapshots.header_criteria(snapshot, names),
        "complete_rows": complete, "incomplete_rows": incomplete,
        "truncated": limit is not None and (counts["complete"] > limit or counts["incomplete"] > limit),
        "show_all_href": "?" + show_all.urlencode(),
        "adjusted": snapshot.header["adjusted"], "required_reviews": snapshot.header["required_reviews"],
        "ranked": str(counts["ranked"]), "can_reorder": counts["ranked"] > 1,
        "filtered": bool(params["q"] or params["flag"]),
    })
    return context


def _reorder_data(post):
    """The reorder form's data: the row's button names the proposal, its number input `to-<id>` the position
    (a plain `position` field is taken as well). Enter in a row's input submits with the first row's button,
    so when the named row's input is empty and exactly one row's input is filled, that row is the one meant."""
    data = {"proposal": post.get("proposal", ""), "reason": post.get("reason", ""), "position": post.get("position", "")}
    if data["position"]:
        return data
    filled = [(key[3:], value) for key, value in post.items() if key.startswith("to-") and value.strip()]
    if data["proposal"] and post.get(f"to-{data['proposal']}", "").strip():
        data["position"] = post[f"to-{data['proposal']}"]
    elif len(filled) == 1:
        data["proposal"], data["position"] = filled[0]
    return data


@require_http_methods(["GET", "POST"])
def call(request, pk):
    """The call's ranked results (sortable, filterable, the first rows or all); POST moves a proposal."""
    require_perm(request.user, "reviews.chair_panel")
    call = get_object_or_404(Call, pk=pk)
    table_form = PanelTableForm(request.GET)
    if request.method == "POST":
        form = ReorderForm(_reorder_data(request.POST))
        if not form.is_valid():
            messages.error(request, _("Check the form: choose a proposal, a position and give a reason."))
            return render(request, "reviews/panel/call.html",
                          _call_context(request, call, table_form=table_form, reorder_form=form), status=400)
        proposal = get_object_or_404(Proposal, pk=form.cleaned_data["proposal"], call=call)
        try:
            panel_services.reorder_ranking(call=call, proposal=proposal, position=form.cleaned_data["position"],
                                           reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/panel/call.html",
                                       _call_context(request, call, table_form=table_form, reorder_form=form))
        messages.success(request, _("The ranked list was reordered."))
        return redirect("panel:call", pk=call.pk)
    context = _call_context(request, call, table_form=table_form)
    context["table_form"] = table_form
    if request.GET and not table_form.is_valid():
        messages.error(request, _("Check the filter: the table is shown sorted by rank instead."))
        return render(request, "reviews/panel/call.html", context, status=400)
    return render(request, "reviews/panel/call.html", context)


@require_http_methods(["GET", "POST"])
def proposal(request, pk):
    """All reviews of one proposal with names, scores, opinions and notes; the chair's recommendation."""
    proposal = get_object_or_404(selectors.proposals_for_panel(), pk=pk)
    require_perm(request.user, "reviews.chair_panel")
    require_perm(request.user, "reviews.see_proposal_results", proposal)
    form = RecommendationForm(request.POST or None)
    context = {
        "proposal": proposal, "call": proposal.call, "form": form,
        "result": snapshot_services.stored_proposal_result(proposal=proposal),
        "methods": described_methods(METHODS),
        "recommendations": selectors.recommendations_of(proposal=proposal),
        "can_recommend": proposal.status in panel_services.RECOMMENDABLE_STATES,
    }
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Check the form: the recommendation and its rationale are required."))
            return render(request, "reviews/panel/proposal.html", context, status=400)
        try:
            panel_services.record_panel_recommendation(
                proposal=proposal, chair=request.user, recommendation=form.cleaned_data["recommendation"],
                rationale=form.cleaned_data["rationale"], conditions=form.cleaned_data["conditions"],
            )
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/panel/proposal.html", context)
        messages.success(request, _("The panel's recommendation was recorded."))
        return redirect("panel:proposal", pk=proposal.pk)
    return render(request, "reviews/panel/proposal.html", context)


# roadshow: staff -----------------------------------------------------------------------------

def _roadshow_context(call, **forms):
    return {
        "call": call, "tz": call.time_zone,
        "criteria": selectors.roadshow_criteria(call=call),
        "judges": selectors.roadshow_judges(call=call),
        "slots": selectors.roadshow_slots(call=call),
        "criterion_form": forms.get("criterion_form") or RoadshowCriterionForm(),
        "judge_form": forms.get("judge_form") or RoadshowJudgeForm(call=call),
        "slot_form": forms.get("slot_form") or RoadshowSlotForm(call=call),
    }


def _roadshow_call(request, pk):
    require_perm(request.user, "reviews.manage_roadshow")
    return get_object_or_404(Call, pk=pk)


def roadshow(request, pk):
    call = _roadshow_call(request, pk)
    with timezone.override(_call_tz(call)):
        return render(request, "reviews/panel/roadshow.html", _roadshow_context(call))


def _roadshow_post(request, call, form_name, form, act, done):
    """Shared shape of the roadshow staff POSTs: validate, one service call, redirect or re-render."""
    with timezone.override(_call_tz(call)):
        if not form.is_valid():
            messages.error(request, _("Check the form."))
            return render(request, "reviews/panel/roadshow.html", _roadshow_context(call, **{form_name: form}), status=400)
        try:
            act(form.cleaned_data)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/panel/roadshow.html", _roadshow_context(call, **{form_name: form}))
    messages.success(request, done)
    return redirect("panel:roadshow", pk=call.pk)


@require_POST
def roadshow_criterion_add(request, pk):
    call = _roadshow_call(request, pk)
    return _roadshow_post(
        request, call, "criterion_form", RoadshowCriterionForm(request.POST),
        lambda d: roadshow_services.add_roadshow_criterion(
            call=call, actor=request.user, name_zh=d["name_zh"], name_en=d["name_en"], weight=d["weight"],
            max_score=d["max_score"], order=d["order"] or 0),
        _("Roadshow criterion added."),
    )


@require_POST
def roadshow_judge_add(request, pk):
    call = _roadshow_call(request, pk)
    return _roadshow_post(
        request, call, "judge_form", RoadshowJudgeForm(request.POST, call=call),
        lambda d: roadshow_services.add_roadshow_judge(call=call, user=d["user"], kind=d["kind"], actor=request.user),
        _("Judge added."),
    )


@require_POST
def roadshow_slot_add(request, pk):
    call = _roadshow_call(request, pk)
    return _roadshow_post(
        request, call, "slot_form", RoadshowSlotForm(request.POST, call=call),
        lambda d: roadshow_services.schedule_roadshow_slot(
            call=call, proposal=d["proposal"], starts_at=d["starts_at"], actor=request.user, location=d["location"],
            pitch_minutes=d["pitch_minutes"], qa_minutes=d["qa_minutes"]),
        _("Roadshow slot scheduled."),
    )


def _remove(request, call, act, done):
    try:
        act()
    except DomainError as exc:
        with timezone.override(_call_tz(call)):
            return render_domain_error(request, exc, "reviews/panel/roadshow.html", _roadshow_context(call))
    messages.success(request, done)
    return redirect("panel:roadshow", pk=call.pk)


@require_POST
def roadshow_criterion_remove(request, pk):
    require_perm(request.user, "reviews.manage_roadshow")
    criterion = get_object_or_404(selectors.criteria_with_call(), pk=pk)
    return _remove(request, criterion.call,
                   lambda: roadshow_services.remove_roadshow_criterion(criterion=criterion, actor=request.user),
                   _("Roadshow criterion removed."))


@require_POST
def roadshow_judge_remove(request, pk):
    require_perm(request.user, "reviews.manage_roadshow")
    judge = get_object_or_404(selectors.judges_with_call(), pk=pk)
    return _remove(request, judge.call,
                   lambda: roadshow_services.remove_roadshow_judge(judge=judge, actor=request.user),
                   _("Judge removed."))


@require_POST
def roadshow_slot_cancel(request, pk):
    require_perm(request.user, "reviews.manage_roadshow")
    slot = get_object_or_404(selectors.slots_with_call(), pk=pk)
    return _remove(request, slot.call,
                   lambda: roadshow_services.cancel_roadshow_slot(slot=slot, actor=request.user),
                   _("Roadshow slot cancelled."))


# roadshow: judges ----------------------------------------------------------------------------

def my_slots(request):
    """A judge's roadshow slots (never those of a proposal they are conflicted with or applied for)."""
    rows = selectors.judge_slots(user=request.user)
    if rows is None:
        raise PermissionDenied
    return render(request, "reviews/panel/my_slots.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def sheet(request, pk):
    """A judge's score sheet for one slot: draft or submit; a submitted sheet is final."""
    slot = get_object_or_404(selectors.slots_with_call(), pk=pk)
    require_perm(request.user, "reviews.score_roadshow", slot)
    if slot.proposal.applicant_id == request.user.pk or not slot.call.roadshow_enabled:
        raise PermissionDenied
    criteria = list(selectors.roadshow_criteria(call=slot.call))
    existing = selectors.own_sheet(slot=slot, judge=request.user)
    initial = {}
    if existing is not None:
        initial = {f"score_{s.criterion_id}": s.value for s in existing.scores.all()}
        initial["comment"] = existing.comment
    form = RoadshowSheetForm(request.POST or None, criteria=criteria, initial=initial)
    context = {"slot": slot, "proposal": slot.proposal, "call": slot.call, "form": form, "sheet": existing,
               "criteria": criteria, "scores": {s.criterion_id: s.value for s in existing.scores.all()} if existing else {},
               "editable": existing is None or existing.submitted_at is None}
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Check the scores: each must lie within its criterion's range."))
            return render(request, "reviews/panel/sheet.html", context, status=400)
        submit = "submit" in request.POST
        try:
            roadshow_services.save_roadshow_sheet(slot=slot, judge=request.user, scores=form.scores(),
                                                  comment=form.cleaned_data["comment"], submit=submit)
        except DomainError as exc:
            return render_domain_error(request, exc, "reviews/panel/sheet.html", context)
        messages.success(request, _("Your score sheet was submitted.") if submit else _("Draft saved."))
        return redirect("panel:my_slots") if submit else redirect("panel:sheet", pk=slot.pk)
    return render(request, "reviews/panel/sheet.html", context)
