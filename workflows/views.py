"""Task pages: each binds a form, makes one orchestration call, maps refusals to a status."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from viewflow.workflow.models import Task

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from funding.enums import ApprovalDecision
from funding.forms.decisions import FundingDecisionForm
from funding.forms.eligibility import EligibilityFactsForm
from funding.models import FundingApproval
from funding.rules import can_record_eligibility_facts
from funding.selectors import facts_of, fund_balance, pending_approval
from funding.services.eligibility import decision_eligibility, record_eligibility_facts
from proposals.enums import EDITABLE_STATES
from proposals.forms import ScreeningForm, WithdrawForm
from proposals.selectors import (
    answers_of,
    attachment_metadata,
    attachment_names,
    open_calls,
    proposals_for_pages,
    proposals_of,
    readable_answers,
)
from proposals.services.submission import submission_problems
from proposals.views import edit_context, save_edit
from reviews.enums import OPEN_REVIEW_STATES, ReviewStatus, described_methods
from reviews.forms.assignment import AssignExpertsForm, CandidateFilterForm, ConflictForm, ReplaceExpertForm
from reviews.forms.panel import PanelDecisionForm
from reviews.forms.scoring import DeclineForm, ScoreForm
from reviews.models import Review
from reviews.selectors.assignment import assignment_candidates, eligible_experts
from reviews.selectors.scoring import expert_reviews, peer_reviews, proposal_summary, reviews_for_scoring, rubric
from reviews.services.aggregation import weighted_total
from reviews.services.assignment import record_conflict
from reviews.services.deadlines import suggest_replacement
from reviews.services.results import METHODS
from reviews.services.scoring import check_review_submission
from reviews.services.snapshot import stored_proposal_result
from reviews.views.assignment import PERM as ASSIGN_PERM, run_context, run_or_404
from workflows import assignment, dashboard, services
from workflows.flows import ProposalFlow
from workflows.redirect import task_url
from workflows.selectors import inbox, queue


def _proposal(pk):
    return get_object_or_404(proposals_for_pages(), pk=pk)


def home(request):
    """工作台: what waits for the viewer, role by role (counts, deadlines, links), then the lists."""
    user = request.user
    context = {"inbox": inbox(user=user), "queue": queue(user=user)}
    if user.has_perm("proposals.create_proposal"):
        context["my_proposals"] = proposals_of(applicant=user)[:10]
        context["open_calls"] = open_calls()
    if user.has_perm("reviews.expert_area"):
        context["my_reviews"] = list(expert_reviews(expert=user))
    context["tiles"] = dashboard.tiles_for(user, inbox=context["inbox"], queue=context["queue"],
                                           my_reviews=context.get("my_reviews"))
    return render(request, "workflows/home.html", context)


@require_POST
def claim(request, task_pk):
    task = get_object_or_404(Task, pk=task_pk)
    proposal = task.process.coerced.proposal
    try:
        if task.flow_task == ProposalFlow.screen:
            services.claim_screening(proposal=proposal, officer=request.user)
        else:
            services.claim(task=task, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    messages.success(request, _("The task is now yours."))
    return redirect(task_url(task))


# researcher

@require_http_methods(["GET", "POST"])
def submit(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "proposals.edit_proposal", proposal)
    if request.method == "GET":  # a reload after a failed submit, or a bookmarked address: back to the form
        return redirect("proposals:edit" if proposal.status in EDITABLE_STATES else "proposals:detail", pk=pk)
    core, extra, ok = save_edit(request, proposal, require=True)
    if not ok:
        messages.error(request, _("The proposal was saved but not submitted: some answers need attention."))
        return render(request, "proposals/edit.html", edit_context(proposal, core, extra), status=400)
    try:
        services.submit_proposal(proposal=proposal, actor=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, "proposals/edit.html", edit_context(
            proposal, core, extra, problems=submission_problems(proposal=proposal)))
    messages.success(request, _("Your proposal was submitted. Its reference is %(ref)s.") % {"ref": proposal.reference})
    return redirect("proposals:detail", pk=pk)


@require_POST
def withdraw(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "proposals.edit_proposal", proposal)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_proposal(proposal=proposal, actor=request.user, note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("proposals:detail", pk=pk) if exc.status != 409 else render(
            request, "workflows/refused.html", {"proposal": proposal}, status=409)
    messages.success(request, _("The proposal was withdrawn."))
    return redirect("proposals:detail", pk=pk)


# program officers

@require_http_methods(["GET", "POST"])
def screen(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "proposals.screen")
    items = proposal.call.checklist_items.all()
    form = ScreeningForm(request.POST or None, checklist_items=items)
    task = services.open_task(proposal=proposal, node=ProposalFlow.screen)
    context = {"proposal": proposal, "form": form, "task": task, **_application(request.user, proposal)}
    if request.method == "POST" and form.is_valid():
        try:
            services.screen_proposal(proposal=proposal, officer=request.user, outcome=form.cleaned_data["outcome"],
                                     checklist=form.checklist(), message=form.cleaned_data["message"])
        except DomainError as exc:
            return render_domain_error(request, exc, "workflows/screen.html", context)
        messages.success(request, _("Screening recorded."))
        return redirect("proposals:detail", pk=pk)
    return render(request, "workflows/screen.html", context, status=400 if form.is_bound else 200)


def _application(user, proposal) -> dict:
    """The application as the proposal page shows it to staff: every answer in the form's order (files with
    their PDF metadata to those who may see original files) and the form's questions left unanswered."""
    answers = list(answers_of(proposal=proposal))
    if user.has_perm("proposals.see_original_files", proposal):
        metadata = attachment_metadata(answers=answers)
        for answer in answers:
            answer.pdf_metadata = metadata.get(answer.pk)
    answered = {a.question_id for a in answers}
    questions = proposal.call.form.questions.all() if proposal.call.form_id else []
    return {"answers": answers, "unanswered": [q for q in questions if q.pk not in answered]}


def _with_suggestions(declined):
    """Each declined review gets `suggested`: the solver's alternate offered first as its replacement."""
    for review in declined:
        review.suggested = suggest_replacement(review=review)
    return declined


@require_http_methods(["GET", "POST"])
def assign_experts(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "reviews.assign_experts")
    candidates = eligible_experts(proposal=proposal)
    posted = request.POST if request.method == "POST" else None  # unbound on GET: no "required" error on arrival
    action = request.POST.get("action", "assign")
    form = AssignExpertsForm(posted if action == "assign" else None, queryset=candidates)
    replace_form = ReplaceExpertForm(posted if action == "replace" else None, queryset=candidates)
    conflict_form = ConflictForm(posted if action == "conflict" else None, queryset=candidates)
    filter_form = CandidateFilterForm(request.GET)
    reviews = proposal.reviews.select_related("expert", "replaced_by__expert").order_by("pk")
    context = {
        "proposal": proposal, "form": form, "replace_form": replace_form, "conflict_form": conflict_form,
        "filter_form": filter_form,
        "chosen": {str(v) for v in request.POST.getlist("experts")} if action == "assign" else set(),
        "filtered": bool(request.GET), "query": request.GET.urlencode(),
        "reviews": reviews, "conflicts": proposal.conflicts.select_related("expert", "recorded_by"),
        "task": services.open_task(proposal=proposal, node=ProposalFlow.assign_experts),
        "needs_replacement": _with_suggestions([r for r in reviews if r.status == ReviewStatus.DECLINED and not r.replaced_by_id]),
    }

    def with_pool():  # the pool and its affinities are computed only for a page that shows them
        context["pool"] = assignment_candidates(proposal=proposal, **filter_form.filters())
        return context

    if request.method == "POST":
        back = _assign_url(pk, request.GET)
        try:
            if action == "assign" and form.is_valid():
                services.assign_experts(proposal=proposal, officer=request.user, experts=form.cleaned_data["experts"])
                messages.success(request, _("Experts assigned; each has a scoring task in their inbox."))
                return redirect(back)
            if action == "replace" and replace_form.is_valid():
                review = get_object_or_404(Review, pk=replace_form.cleaned_data["review"], proposal=proposal)
                services.replace_expert(review=review, new_expert=replace_form.cleaned_data["expert"], officer=request.user)
                messages.success(request, _("Replacement expert assigned."))
                return redirect(back)
            if action == "conflict" and conflict_form.is_valid():
                record_conflict(proposal=proposal, expert=conflict_form.cleaned_data["expert"],
                                reason=conflict_form.cleaned_data["reason"], recorded_by=request.user)
                messages.success(request, _("Conflict of interest recorded."))
                return redirect(back)
        except DomainError as exc:
            return render_domain_error(request, exc, "workflows/assign_experts.html", with_pool())
        return render(request, "workflows/assign_experts.html", with_pool(), status=400)
    return render(request, "workflows/assign_experts.html", with_pool())


def _assign_url(pk, query) -> str:
    """The assignment page again, with the filter the officer had chosen."""
    url = reverse("workflows:assign_experts", args=[pk])
    return f"{url}?{query.urlencode()}" if query else url


@require_http_methods(["GET", "POST"])
def panel(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "reviews.see_scores")
    require_perm(request.user, "reviews.see_proposal_results", proposal)  # never with a conflict of interest
    form = PanelDecisionForm(request.POST or None)
    result = stored_proposal_result(proposal=proposal)  # from the panel snapshot: a GET computes nothing
    context = {"proposal": proposal, "form": form, "result": result, "methods": described_methods(METHODS),
               "call": proposal.call,
               "recommendation": result.chair_recommendation if result else None,
               "task": services.open_task(proposal=proposal, node=ProposalFlow.panel)}
    if request.method == "POST" and form.is_valid():
        require_perm(request.user, "proposals.decide")
        try:
            services.decide_panel(proposal=proposal, officer=request.user, outcome=form.cleaned_data["outcome"],
                                  feedback=form.cleaned_data["feedback"], conditions=form.cleaned_data["conditions"])
        except DomainError as exc:
            return render_domain_error(request, exc, "workflows/panel.html", context)
        messages.success(request, _("Panel decision recorded."))
        return redirect("proposals:detail", pk=pk)
    return render(request, "workflows/panel.html", context, status=400 if form.is_bound else 200)


# experts

def _neighbours(review) -> tuple:
    """(previous, next) among the expert's reviews still to score, by deadline: the evening's queue."""
    queue = [r for r in expert_reviews(expert=review.expert) if r.status in OPEN_REVIEW_STATES]
    ids = [r.pk for r in queue]
    if review.pk not in ids:
        return None, (queue[0] if queue else None)
    index = ids.index(review.pk)
    return (queue[index - 1] if index else None), (queue[index + 1] if index + 1 < len(queue) else None)


@require_http_methods(["GET", "POST"])
def review(request, pk):
    """The expert's scoring page: compact criteria (bands on demand), a running weighted total and pass status,
    draft or "check and submit" (a confirmation step), the next proposal to score; read-only once submitted."""
    review = get_object_or_404(reviews_for_scoring(), pk=pk)
    require_perm(request.user, "reviews.open_review", review)
    proposal = review.proposal
    call = proposal.call
    criteria = list(rubric(call=call))
    task = services.review_task(review=review)
    task_open = task is not None and task.status in services.OPEN_STATUSES
    editable = review.status in OPEN_REVIEW_STATES and task_open
    form = ScoreForm(request.POST if request.method == "POST" else None, criteria=criteria,
                     veto_enabled=call.veto_enabled, initial=ScoreForm.initial_for(review))
    own_scores = {s.criterion_id: s for s in review.scores.all()}
    answers = readable_answers(answers=proposal.answers.select_related("question"),
                               see_hidden=request.user.has_perm("proposals.see_blind_hidden_answers", proposal))
    names = attachment_names(answers=answers, real=request.user.has_perm("proposals.see_file_names", proposal))
    previous, following = _neighbours(review)
    context = {
        "review": review, "proposal": proposal, "call": call, "form": form, "decline_form": DeclineForm(),
        "answers": [(answer, names.get(answer.pk)) for answer in answers], "editable": editable, "criteria": criteria,
        "submitted": review.status == ReviewStatus.SUBMITTED,
        "own_scores": [(c, own_scores.get(c.pk)) for c in criteria],
        "peers": peer_reviews(review=review, criteria=criteria)
        if request.user.has_perm("reviews.see_peer_scores", review) else None,
        "previous": previous, "next": following,
    }
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Some answers need attention; nothing was saved."))
            return render(request, "workflows/review.html", context, status=400)
        try:
            if "submit" in request.POST and "confirmed" not in request.POST:
                # check and submit: refused as the submission would be (nothing written), else the expert reads
                # what will be sent and confirms; going back saves it as a draft
                check_review_submission(review=review, expert=request.user, **form.review_fields())
                posted = [(key, value) for key in request.POST for value in request.POST.getlist(key)
                          if key not in ("csrfmiddlewaretoken", "submit", "draft", "confirmed")]
                return render(request, "workflows/review_confirm.html", {
                    **context, "posted": posted, "summary": confirmation_summary(form=form, criteria=criteria)})
            if "submit" in request.POST:
                services.submit_review(review=review, expert=request.user, **form.review_fields())
                messages.success(request, _("Your review was submitted. Thank you."))
                after = _neighbours(review)[1]
                return redirect("workflows:review", pk=after.pk) if after else redirect("reviews:mine")
            services.save_review_draft(review=review, expert=request.user, **form.review_fields())
            messages.success(request, _("Draft saved."))
            return redirect("workflows:review", pk=pk)
        except DomainError as exc:
            return render_domain_error(request, exc, "workflows/review.html", context)
    return render(request, "workflows/review.html", context)


def confirmation_summary(*, form, criteria) -> dict:
    """What the expert is about to submit, as the server will count it (reviews.services.aggregation)."""
    scores = form.scores()
    rows, items = [], []
    for c in criteria:
        value = scores.get(c.pk)
        number = None if value in (None, "na") else value
        rows.append({"criterion": c, "value": value, "passes": None if number is None or c.pass_mark is None
                     else number >= c.pass_mark})
        items.append((number, c.max_score, c.weight))
    return {"rows": rows, "total": weighted_total(items), "fields": form.review_fields(),
            "missing": [r["criterion"] for r in rows if r["value"] is None]}


@require_POST
def decline(request, pk):
    review = get_object_or_404(Review.objects.select_related("proposal"), pk=pk)
    if review.expert_id != request.user.pk:
        raise PermissionDenied
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the conflict of interest."))
        return redirect("workflows:review", pk=pk)
    try:
        services.decline_review(review=review, expert=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("reviews:mine")
    messages.success(request, _("You have withdrawn from this review. The program office will assign a replacement."))
    return redirect("reviews:mine")


# fund and incubation managers

def _eligibility_context(request, *, proposal, form, facts_form, pending):
    instrument = form.data.get("instrument") if form.is_bound else None
    return {**decision_eligibility(proposal=proposal, instrument=instrument, pending=pending), "facts_form": facts_form,
            "can_record_facts": can_record_eligibility_facts.test(request.user, proposal)}


def _record_facts(request, proposal, context):
    require_perm(request.user, "funding.record_eligibility")
    facts_form = context["facts_form"]
    if not facts_form.is_valid():
        messages.error(request, _("Please correct the eligibility facts below."))
        return render(request, "workflows/funding.html", context, status=400)
    try:
        record_eligibility_facts(proposal=proposal, actor=request.user, **facts_form.cleaned_data)
    except DomainError as exc:
        return render_domain_error(request, exc, "workflows/funding.html", context)
    messages.success(request, _("The eligibility facts are recorded."))
    return redirect("workflows:funding", pk=proposal.pk)


@require_http_methods(["GET", "POST"])
def funding(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "proposals.approve")
    recording_facts = request.method == "POST" and "record_facts" in request.POST
    form = FundingDecisionForm(None if recording_facts else (request.POST or None),
                               initial={"amount": proposal.requested_amount})
    facts = facts_of(proposal)
    facts_form = EligibilityFactsForm.for_facts(request.POST if recording_facts else None, facts=facts)
    pending = pending_approval(proposal=proposal)
    context = {"proposal": proposal, "form": form, "summary": proposal_summary(proposal=proposal),
               "balance": fund_balance(proposal.call.fund) if proposal.call.fund_id else None,
               "pending": pending, "facts": facts,
               "panel_decision": proposal.panel_decisions.first(),
               "task": services.open_task(proposal=proposal, node=ProposalFlow.funding),
               **_eligibility_context(request, proposal=proposal, form=form, facts_form=facts_form, pending=pending)}
    if recording_facts:
        return _record_facts(request, proposal, context)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.take_funding_decision(proposal=proposal, manager=request.user, **form.decision_data())
        except DomainError as exc:
            return render_domain_error(request, exc, "workflows/funding.html", context)
        if isinstance(result, FundingApproval) and result.decision == ApprovalDecision.REFUSE:
            messages.success(request, _("The pending approval is refused; a new one can be proposed."))
            return redirect("workflows:funding", pk=pk)
        if isinstance(result, FundingApproval):
            messages.success(request, _("Your approval is recorded; a second fund manager must confirm it."))
            return redirect("workflows:funding", pk=pk)
        messages.success(request, _("Funding decision recorded."))
        return redirect("proposals:detail", pk=pk)
    return render(request, "workflows/funding.html", context, status=400 if form.is_bound else 200)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, min_num=1, validate_min=True)


@require_http_methods(["GET", "POST"])
def start_incubation(request, pk):
    proposal = _proposal(pk)
    require_perm(request.user, "proposals.incubate")
    formset = MilestoneFormSet(request.POST or None, prefix="m")
    project = getattr(proposal, "project", None)
    context = {"proposal": proposal, "formset": formset,
               "task": services.open_task(proposal=proposal, node=ProposalFlow.start_incubation),
               # a stale link (incubation already started): say so, and lead to the project if the viewer may open it
               "can_open_project": project is not None and request.user.has_perm("incubation.view_project", project)}
    if request.method == "POST" and formset.is_valid():
        milestones = [f.cleaned_data for f in formset.forms if f.cleaned_data]
        try:
            project = services.start_incubation(proposal=proposal, manager=request.user, milestones=milestones)
        except DomainError as exc:
            return render_domain_error(request, exc, "workflows/start_incubation.html", context)
        messages.success(request, _("Incubation started."))
        return redirect("incubation:project", pk=project.pk)
    return render(request, "workflows/start_incubation.html", context, status=400 if formset.is_bound else 200)


@require_POST
def apply_assignment(request, pk):
    """Apply a proposed run: lives in the flow layer because it performs workflow tasks."""
    require_perm(request.user, ASSIGN_PERM)
    the_run = run_or_404(pk)
    try:
        created = assignment.apply_assignment_run(run=the_run, user=request.user)
    except DomainError as exc:
        return render_domain_error(request, exc, "reviews/assignment/run.html", run_context(request, run_or_404(pk)))
    messages.success(request, _("Assignment applied: %(n)s reviews created; each expert has a scoring task in their inbox.")
                     % {"n": created})
    return redirect("assignment:run", pk=pk)
