from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.listing import build_listing
from core.views import render_domain_error, require_own, require_perm
from forms.builder import build_answer_form
from proposals.enums import EDITABLE_STATES, WITHDRAWABLE_STATES, ProposalStatus
from proposals.filters import CallFilter, MyProposalFilter, StaffProposalFilter
from proposals.forms import ProposalForm, WithdrawForm, avoid_formset, avoid_rows
from proposals.models import Call, Proposal
from proposals.rules import is_staff
from proposals.selectors import (
    all_calls,
    answer_files,
    answers_of,
    attachment_metadata,
    attachment_names,
    documents_being_prepared,
    file_for_download,
    history,
    open_calls,
    proposals_for_editing,
    proposals_for_pages,
    proposals_of,
    readable_answers,
    staff_proposals,
)
from proposals.services.answers import answers_by_question, save_answers
from proposals.services.submission import create_proposal, set_avoid_requests, submission_problems, update_proposal


def calls(request):
    show_all = is_staff(request.user)
    listing = build_listing(request, filterset_class=CallFilter, queryset=all_calls() if show_all else open_calls())
    return render(request, "proposals/calls.html", {"listing": listing, "calls": listing.rows, "show_all": show_all})


def mine(request):
    require_perm(request.user, "proposals.create_proposal")
    listing = build_listing(request, filterset_class=MyProposalFilter, queryset=proposals_of(applicant=request.user))
    return render(request, "proposals/mine.html", {"listing": listing, "proposals": listing.rows,
                                                   "open_calls": open_calls()})


def all_proposals(request):
    require_perm(request.user, "proposals.list_all_proposals")
    listing = build_listing(request, filterset_class=StaffProposalFilter, queryset=staff_proposals())
    return render(request, "proposals/all.html", {"listing": listing, "proposals": listing.rows})


def error_summary(*forms, formset=None) -> dict:
    """The context of `_error_summary.html`: every form with errors (a formset's forms too), at the top of the page."""
    all_forms = [f for f in forms if f is not None]
    errors = []
    if formset is not None and formset.is_bound:
        all_forms += list(formset.forms)
        errors = list(formset.non_form_errors())
    shown = [f for f in all_forms if f.is_bound and f.errors]
    return {"forms": shown, "formset_errors": errors, "has_errors": bool(shown or errors)}


def edit_context(proposal, core, extra, **more) -> dict:
    """What proposals/edit.html shows: the forms, the error summary at the top, and `more`."""
    return {"proposal": proposal, "form": core, "answers_form": extra,
            "errors": error_summary(core, extra, formset=core.avoid_formset), **more}


def _edit_forms(request, proposal, *, require=False):
    post = request.method == "POST"
    core = ProposalForm(request.POST if post else None, instance=proposal, call=proposal.call)
    questions = list(proposal.call.form.questions.all()) if proposal.call.form_id else []
    answers = answers_by_question(proposal=proposal) if proposal.pk else {}
    extra = build_answer_form(
        questions=questions, data=request.POST if post else None, files=request.FILES if post else None,
        answers=answers, require=require,
    )
    core.avoid_formset = avoid_formset(proposal, data=request.POST if post else None)  # experts to avoid (回避)
    return core, extra


def save_edit(request, proposal, *, require=False):
    """Save what the researcher typed: valid uploads and fields are kept even if others fail."""
    core, extra = _edit_forms(request, proposal, require=require)
    core_ok = core.is_valid()
    extra_ok = extra.is_valid()
    avoid = core.avoid_formset if core.avoid_formset is not None and core.avoid_formset.is_bound else None
    avoid_ok = avoid is None or avoid.is_valid()
    with transaction.atomic():
        if core_ok:
            update_proposal(proposal=proposal, actor=request.user, data=core.cleaned_data)
        if avoid is not None and avoid_ok:
            set_avoid_requests(proposal=proposal, actor=request.user, rows=avoid_rows(avoid))
        # also records newly stored files in extra.stored_files, so a re-rendered form shows them kept
        save_answers(proposal=proposal, form=extra, actor=request.user)
    return core, extra, core_ok and extra_ok and avoid_ok


@require_http_methods(["GET", "POST"])
def new(request, call_pk):
    """The whole application at once: the proposal's fields and every question of the call's form, before any
    save. Saving creates the draft and keeps every valid answer and upload (as the edit page does)."""
    require_perm(request.user, "proposals.create_proposal")
    call = get_object_or_404(Call, pk=call_pk, draft=False)  # a call being set up does not exist for applicants
    post = request.method == "POST"
    form = ProposalForm(request.POST or None, call=call, instance=Proposal(call=call, applicant=request.user))
    questions = list(call.form.questions.all()) if call.form_id else []
    extra = build_answer_form(questions=questions, data=request.POST if post else None,
                              files=request.FILES if post else None)
    context = {"form": form, "answers_form": extra, "call": call, "errors": error_summary(form, extra)}
    if post and form.is_valid():
        extra.is_valid()
        try:
            with transaction.atomic():
                proposal = create_proposal(call=call, applicant=request.user, data=form.cleaned_data)
                save_answers(proposal=proposal, form=extra, actor=request.user)
        except DomainError as exc:
            return render_domain_error(request, exc, "proposals/new.html", context)
        if extra.errors:
            messages.error(request, _("Draft saved. Some answers need attention; everything valid, including uploaded "
                                      "files, was kept."))
        else:
            messages.success(request, _("Draft saved. Complete the application form and submit before the deadline."))
        return redirect("proposals:edit", pk=proposal.pk)
    if post:
        context["errors"] = error_summary(form)
        messages.error(request, _("The draft was not saved yet: check the fields marked below. Files you chose must "
                                  "be chosen again."))
    return render(request, "proposals/new.html", context, status=400 if post else 200)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    proposal = get_object_or_404(proposals_for_editing(), pk=pk)
    require_own(request.user, "proposals.edit_proposal", proposal)
    if proposal.status not in EDITABLE_STATES:
        messages.error(request, _("A proposal can only be edited while it is a draft or returned for revision."))
        return redirect("proposals:detail", pk=pk)
    if request.method == "POST":
        core, extra, ok = save_edit(request, proposal)
        if ok:
            messages.success(request, _("Draft saved."))
            return redirect("proposals:edit", pk=pk)
        messages.error(request, _("Some answers need attention. Everything valid, including uploaded files, was saved."))
        status = 400
    else:
        core, extra = _edit_forms(request, proposal)
        status = 200
    return render(request, "proposals/edit.html",
                  edit_context(proposal, core, extra, problems=submission_problems(proposal=proposal)), status=status)


def detail(request, pk):
    proposal = get_object_or_404(proposals_for_pages(), pk=pk)
    require_perm(request.user, "proposals.view_audit", proposal)
    answers = list(answers_of(proposal=proposal))
    if request.user.has_perm("proposals.see_original_files", proposal):
        metadata = attachment_metadata(answers=answers)
        for answer in answers:
            answer.pdf_metadata = metadata.get(answer.pk)
    return render(request, "proposals/detail.html", {
        "proposal": proposal,
        "answers": answers,
        "avoid_requests": proposal.avoid_requests.all(),
        "history": history(proposal=proposal),
        # letters only: the review summary has its own card, which knows who may see which version
        "documents": proposal.documents.filter(kind__in=["approval_letter", "rejection_letter", "ineligibility_letter",
                                                       "funding_decline_letter"])
        .select_related("superseded_by"),
        "documents_being_prepared": documents_being_prepared(proposal=proposal),
        "can_reissue": request.user.has_perm("decisions.reissue_letter", proposal),
        "screenings": proposal.screenings.select_related("officer"),
        "panel_decisions": proposal.panel_decisions.all(),
        "funding_decisions": proposal.funding_decisions.all(),
        "is_applicant": proposal.applicant_id == request.user.pk,
        "editable": proposal.status in EDITABLE_STATES,
        "withdrawable": proposal.applicant_id == request.user.pk and proposal.status in WITHDRAWABLE_STATES,
        "withdraw_form": WithdrawForm(),
        # the project page is incubation's: offered only to whom its own rule lets in (never a dead link)
        "can_open_project": proposal.status == ProposalStatus.FUNDED and hasattr(proposal, "project")
        and request.user.has_perm("incubation.view_project", proposal.project),
    })


def answer_file(request, pk):
    answer = get_object_or_404(answer_files(), pk=pk)
    require_perm(request.user, "proposals.see_files", answer.proposal)
    see_hidden = request.user.has_perm("proposals.see_blind_hidden_answers", answer.proposal)
    if not answer.file or (answer.question.hide_in_blind_review and not see_hidden):
        raise Http404  # a hidden question's file does not exist for an expert of a blind call
    real = request.user.has_perm("proposals.see_file_names", answer.proposal)
    siblings = (readable_answers(answers=answer.proposal.answers.select_related("question"), see_hidden=see_hidden)
                if not real else [answer])
    filename = attachment_names(answers=siblings, real=real)[answer.pk]
    original = request.user.has_perm("proposals.see_original_files", answer.proposal)
    return FileResponse(file_for_download(answer=answer, original=original), as_attachment=True, filename=filename,
                        content_type=answer.content_type or "application/octet-stream")
