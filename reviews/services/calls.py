"""Setting up a call, step by step: the call itself, its application questions and checklist, its scoring
criteria, its panel composition rules and its funding are each saved on their own step; a draft may be
incomplete, and only a complete draft can be opened to applicants."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import IllegalTransition, InvalidInput, NotPermitted
from forms.models import FormDefinition
from proposals.models import Call
from proposals.rules import can_manage_calls
from proposals.services.audit import record_audit
from reviews.services.snapshot import refresh_existing_snapshot


def save_call_step(*, call_form, formsets, call=None) -> Call:
    """Save one valid step of the call builder (its call form, if any, and its valid formsets) in one
    transaction. A call without an application form gets a new, empty one named after it."""
    with transaction.atomic():
        call = call_form.save(commit=False) if call_form is not None else call
        if not call.form_id:
            call.form = FormDefinition.objects.create(name=call.title_zh)
        call.save()
        for prefix, formset in formsets.items():
            formset.instance = call.form if prefix == "questions" else call
            formset.save()
        refresh_existing_snapshot(call=call)  # the ranking basis, thresholds or rubric may have changed
    return call


def call_problems(call) -> list[str]:
    """What the call still lacks before applicants can be let in (empty when it is complete)."""
    problems = []
    questions = call.form.questions.all() if call.form_id else []
    if not questions:
        problems.append(_("The application form has no question yet (step “Application form”)."))
    if not call.checklist_items.exists():
        problems.append(_("The formal screening checklist is empty (step “Application form”)."))
    criteria = list(call.criteria.all())
    if not criteria:
        problems.append(_("The rubric has no criterion yet (step “Rubric”)."))
    elif sum(c.weight for c in criteria) <= 0:
        problems.append(_("The rubric's weights add up to nothing (step “Rubric”)."))
    minimums = sum(rule.min_count for rule in call.composition_rules.all())
    if minimums > call.experts_per_proposal:
        problems.append(_("The panel composition minimums exceed the experts per proposal (step “Review settings”)."))
    if call.fund_id is None:
        problems.append(_("No fund pays this call yet (step “Funding”)."))
    if call.max_request is None:
        problems.append(_("The maximum amount per proposal is not set (step “Funding”)."))
    return problems


def open_call(*, call, actor) -> Call:
    """Let applicants in: a complete draft stops being a draft and opens at its opening time."""
    if not can_manage_calls(actor):
        raise NotPermitted()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if not call.draft:
            raise IllegalTransition(_("This call is already open to applicants."))
        problems = call_problems(call)
        if problems:
            raise InvalidInput(" ".join(problems))
        call.draft = False
        call.save(update_fields=["draft"])
        record_audit(action="call.opened", actor=actor, data={"call": call.pk})
    return call
