"""A call's page and its builder: they show and edit what proposals owns (the call, its checklist, its
application questions) together with what reviews owns (the rubric and the panel composition rules), so
they live here, above both; their URLs keep the proposals namespace.

The builder is one page per step (basics, application form, rubric, review settings, funding), each saved on
its own, then a preview of the applicant's form where a complete draft is opened to applicants."""

import copy
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.views import require_perm
from forms.builder import build_answer_form
from proposals.forms import ProposalForm
from proposals.models import Call, Proposal
from proposals.selectors import all_calls
from reviews.forms.calls import CALL_STEPS, STEPS_BY_KEY, call_step_forms
from reviews.selectors.scoring import rubric
from reviews.services.calls import call_problems, open_call, save_call_step

PERM = "proposals.manage_calls"
NEXT = "next"  # the value of the "save and continue" button


def call_detail(request, pk):
    call = get_object_or_404(all_calls(), pk=pk)
    if not call.is_open():
        require_perm(request.user, PERM)
    return render(request, "proposals/call_detail.html", {
        "call": call, "criteria": rubric(call=call), "checklist": call.checklist_items.all(),
        "composition_rules": call.composition_rules.all(),
        "questions": call.form.questions.all() if call.form_id else [],
    })


@require_http_methods(["GET", "POST"])
def call_edit(request, pk=None):
    """The builder's first step (basics); for a new call, saving it creates the call as a draft."""
    return _step(request, pk, CALL_STEPS[0])


@require_http_methods(["GET", "POST"])
def call_step(request, pk, step):
    if step not in STEPS_BY_KEY:
        raise Http404
    return _step(request, pk, STEPS_BY_KEY[step])


def _step_url(call, step):
    if step is CALL_STEPS[0]:
        return reverse("proposals:call_edit", args=[call.pk])
    return reverse("proposals:call_step", args=[call.pk, step.key])


def _steps(call, current):
    """The step indicator: each step with its URL (none before the call exists) and whether it is current."""
    return [{"key": s.key, "title": s.title, "url": _step_url(call, s) if call.pk else None, "current": s is current}
            for s in CALL_STEPS]


def _error_summary(form, formsets) -> list[dict]:
    """Every error of the step, each with the anchor of its field (or of its section), for the summary on top."""
    found = []

    def of_form(f, section):
        for name, errors in f.errors.items():
            anchor = f"#{f[name].id_for_label}" if name in f.fields else f"#{section}"
            label = f.fields[name].label if name in f.fields else ""
            found.extend({"href": anchor, "label": label, "message": e} for e in errors)

    if form is not None:
        of_form(form, "step-form")
    for prefix, formset in formsets.items():
        found.extend({"href": f"#section-{prefix}", "label": "", "message": e} for e in formset.non_form_errors())
        for f in formset.forms:
            if not formset.can_delete or not formset._should_delete_form(f):
                of_form(f, f"section-{prefix}")
    return found


def _step(request, pk, step):
    require_perm(request.user, PERM)
    call = get_object_or_404(all_calls(), pk=pk) if pk else Call(created_by=request.user, draft=True)
    if not call.pk and step is not CALL_STEPS[0]:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form, formsets = call_step_forms(step, call=call, data=data)
    parts = [p for p in (form, *formsets.values()) if p is not None]
    if data is not None and all(p.is_valid() for p in parts):
        call = save_call_step(call_form=form, formsets=formsets, call=call)
        messages.success(request, _("“%(step)s” was saved.") % {"step": step.title})
        if request.POST.get("go") == NEXT:
            index = CALL_STEPS.index(step)
            if index + 1 < len(CALL_STEPS):
                return redirect(_step_url(call, CALL_STEPS[index + 1]))
            return redirect("proposals:call_preview", pk=call.pk)
        return redirect(_step_url(call, step))
    errors = _error_summary(form, formsets) if data is not None else []
    return render(request, "proposals/call_form.html", {
        "call": call, "step": step, "steps": _steps(call, step), "last": step is CALL_STEPS[-1],
        "form": form, "formsets": formsets, "errors": errors, "next": NEXT,
        **formsets,  # "questions", "checklist", "criteria", "composition" by name, as the sections use them
    }, status=400 if data is not None else 200)


def _preview_context(call):
    """The applicant's form exactly as it will be built for them, to be shown read-only."""
    shown = call
    if call.max_request is None:  # a draft: the form states its maximum, which the funding step sets
        shown = copy.copy(call)
        shown.max_request = Decimal(0)
    proposal_form = ProposalForm(call=shown, instance=Proposal(call=shown))
    if call.max_request is None:
        proposal_form.fields["requested_amount"].help_text = _("The maximum amount is set on the step “Funding”.")
    questions = list(call.form.questions.all()) if call.form_id else []
    return {"call": call, "proposal_form": proposal_form, "answers_form": build_answer_form(questions=questions),
            "problems": call_problems(call), "steps": _steps(call, None)}


def call_preview(request, pk):
    require_perm(request.user, PERM)
    call = get_object_or_404(all_calls(), pk=pk)
    return render(request, "proposals/call_preview.html", _preview_context(call))


@require_POST
def call_open(request, pk):
    require_perm(request.user, PERM)
    call = get_object_or_404(all_calls(), pk=pk)
    try:
        open_call(call=call, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return render(request, "proposals/call_preview.html", _preview_context(call), status=exc.status)
    messages.success(request, _("The call is open to applicants from its opening time."))
    return redirect("proposals:call", pk=call.pk)
