"""The call set-up formsets reviews owns: the scoring criteria and the panel composition rules."""

from django import forms
from django.db.models import Max
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext, gettext_lazy as _

from core.numbers import plain
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
