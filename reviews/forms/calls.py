"""The call set-up formsets reviews owns (the scoring criteria and the panel composition rules) and the steps of
the call builder, which compose them with the call form, its checklist and its application questions."""

from dataclasses import dataclass

from django import forms
from django.db.models import Max
from django.forms import BaseInlineFormSet, inlineformset_factory, modelform_factory
from django.utils.translation import gettext, gettext_lazy as _

from core.numbers import plain
from forms.formsets import QuestionFormSet
from proposals.forms import CallForm, ChecklistFormSet
from proposals.models import Call
from reviews.enums import ExpertType
from reviews.models import CompositionRule, Criterion


class BaseCriterionFormSet(BaseInlineFormSet):
    """A criterion that experts have scored cannot be deleted, nor its maximum lowered below a given score."""

    def clean(self):
        super().clean()
        undeletable = []
        for form in self.forms:
            instance = form.instance
            if not instance.pk or not hasattr(form, "cleaned_data"):
                continue
            if self._should_delete_form(form):
                # a deleted form's own errors are ignored by the formset: refuse for the whole formset
                if instance.scores.exists():
                    undeletable.append(gettext("%(criterion)s has been scored by experts and cannot be deleted.") % {
                        "criterion": instance.name})
                continue
            new_max = form.cleaned_data.get("max_score")
            highest = instance.scores.aggregate(m=Max("value"))["m"]
            if new_max is not None and highest is not None and new_max < highest:
                form.add_error("max_score", gettext(
                    "An expert has already given %(score)s on this criterion; the maximum cannot be lower.") % {
                    "score": plain(highest)})
                continue
            top_band = instance.bands.aggregate(m=Max("max_score"))["m"]
            if new_max is not None and top_band is not None and new_max < top_band:
                form.add_error("max_score", gettext(
                    "The rubric levels of this criterion reach %(score)s; change them first on the rubric levels page.") % {
                    "score": plain(top_band)})
        if undeletable:
            raise forms.ValidationError(undeletable)


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ("order", "name_zh", "name_en", "description_zh", "description_en", "weight", "max_score",
                  "na_allowed", "pass_mark")

    def clean_pass_mark(self):
        mark = self.cleaned_data.get("pass_mark")
        if mark is not None and mark < 0:
            raise forms.ValidationError(_("The pass mark cannot be negative."))
        return mark


CriterionFormSet = inlineformset_factory(
    Call, Criterion, form=CriterionForm, formset=BaseCriterionFormSet, extra=2, can_delete=True,
)


class BaseCompositionRuleFormSet(BaseInlineFormSet):
    """Panel composition rules: one per expert type; the minimums must fit the panel size.

    Set `experts_per_proposal` (the call form's cleaned value) before validating.
    """

    experts_per_proposal = None

    def clean(self):
        if any(self.errors):
            return
        seen, total = set(), 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form) or not data.get("expert_type"):
                continue
            kind = data["expert_type"]
            if kind in seen:
                raise forms.ValidationError(gettext("Give one rule per expert type: “%(type)s” appears twice.") % {
                    "type": ExpertType(kind).label})
            seen.add(kind)
            total += data.get("min_count") or 0
        limit = self.experts_per_proposal
        if limit is not None and total > limit:
            raise forms.ValidationError(gettext(
                "The minimums add up to %(total)s experts, but each proposal gets only %(limit)s.") % {
                "total": total, "limit": limit})
        super().clean()


CompositionRuleFormSet = inlineformset_factory(
    Call, CompositionRule, formset=BaseCompositionRuleFormSet, fields=("expert_type", "min_count", "max_count"),
    extra=2, can_delete=True,
)


# The call builder: one page per step, each saved on its own.

@dataclass(frozen=True)
class CallStep:
    key: str
    title: str
    fields: tuple[str, ...] = ()  # the call's own fields edited on this step (CallForm)
    formsets: tuple[str, ...] = ()  # the row sets edited on this step, by prefix


CALL_STEPS = (
    CallStep("basics", _("Basics"), fields=("title_zh", "title_en", "description_zh", "description_en", "opens_at",
                                            "closes_at", "time_zone")),
    CallStep("form", _("Application form"), formsets=("questions", "checklist")),
    CallStep("rubric", _("Rubric"), formsets=("criteria",)),
    CallStep("review", _("Review settings"), fields=(
        "experts_per_proposal", "review_days", "reminder_days", "max_avoid_requests", "blind_identity", "peer_scores",
        "veto_enabled", "ranking_basis", "disagreement_threshold", "group_divergence_threshold", "roadshow_enabled",
        "roadshow_weight", "pitch_minutes", "qa_minutes", "notice_days"), formsets=("composition",)),
    CallStep("funding", _("Funding"), fields=("fund", "max_request", "currency")),
)
STEPS_BY_KEY = {step.key: step for step in CALL_STEPS}


def call_step_forms(step: CallStep, *, call, data=None):
    """The step's call form (None when the step edits none of the call's own fields) and its formsets."""
    form = modelform_factory(Call, form=CallForm, fields=step.fields)(data, instance=call) if step.fields else None
    factories = {
        "questions": lambda: QuestionFormSet(data, instance=call.form if call.form_id else None, prefix="questions"),
        "checklist": lambda: ChecklistFormSet(data, instance=call, prefix="checklist"),
        "criteria": lambda: CriterionFormSet(data, instance=call, prefix="criteria"),
        "composition": lambda: CompositionRuleFormSet(data, instance=call, prefix="composition"),
    }
    formsets = {name: factories[name]() for name in step.formsets}
    if data is not None and "composition" in formsets:
        # the composition minimums must fit the panel size typed on the same step
        formsets["composition"].experts_per_proposal = (
            form.cleaned_data.get("experts_per_proposal") if form is not None and form.is_valid() else call.experts_per_proposal)
    return form, formsets
