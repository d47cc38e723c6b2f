"""A call's page and its set-up form: they show and edit what proposals owns (the call, its checklist,
its application questions) together with what reviews owns (the rubric and the panel composition
rules), so they live here, above both; their URLs keep the proposals namespace."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.views import require_perm
from forms.formsets import QuestionFormSet
from proposals.forms import CallForm, ChecklistFormSet
from proposals.models import Call
from proposals.selectors import all_calls
from reviews.forms.calls import CompositionRuleFormSet, CriterionFormSet
from reviews.selectors.scoring import rubric
from reviews.services.calls import save_call


def call_detail(request, pk):
    call = get_object_or_404(all_calls(), pk=pk)
    if not call.is_open():
        require_perm(request.user, "proposals.manage_calls")
    return render(request, "proposals/call_detail.html", {
        "call": call, "criteria": rubric(call=call), "checklist": call.checklist_items.all(),
        "composition_rules": call.composition_rules.all(),
        "questions": call.form.questions.all() if call.form_id else [],
    })


@require_http_methods(["GET", "POST"])
def call_edit(request, pk=None):
    require_perm(request.user, "proposals.manage_calls")
    call = get_object_or_404(all_calls(), pk=pk) if pk else Call(created_by=request.user)
    form = CallForm(request.POST or None, instance=call)
    checklist = ChecklistFormSet(request.POST or None, instance=call, prefix="checklist")
    criteria = CriterionFormSet(request.POST or None, instance=call, prefix="criteria")
    composition = CompositionRuleFormSet(request.POST or None, instance=call, prefix="composition")
    questions = QuestionFormSet(request.POST or None, instance=call.form if call.form_id else None, prefix="questions")
    if request.method == "POST":
        # the composition minimums must fit the panel size typed in the same form
        composition.experts_per_proposal = form.cleaned_data.get("experts_per_proposal") if form.is_valid() else None
    if request.method == "POST" and all(f.is_valid() for f in (form, checklist, criteria, composition, questions)):
        call = save_call(call_form=form, checklist=checklist, criteria=criteria, composition=composition,
                         questions=questions)
        messages.success(request, _("The call was saved."))
        return redirect("proposals:call", pk=call.pk)
    return render(request, "proposals/call_form.html", {
        "form": form, "checklist": checklist, "criteria": criteria, "composition": composition,
        "questions": questions, "call": call,
    }, status=400 if request.method == "POST" else 200)
