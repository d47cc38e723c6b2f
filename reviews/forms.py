from decimal import Decimal

from django import forms
from django.db.models import Max
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext, gettext_lazy as _

from accounts.models import User
from proposals.models import Call
from reviews.enums import Confidence, ExpertType, Recommendation
from reviews.models import CompositionRule, Criterion
from reviews.services.rubric import LETTERS
from core.numbers import plain


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


class CriterionBandsForm(forms.Form):
    """The four bands A–D of one criterion: from, to and a description in Chinese and English."""

    def __init__(self, *args, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        step = {"step": "0.01", "min": "0", "max": plain(criterion.max_score)}
        for letter in LETTERS:
            self.fields[f"{letter}_min_score"] = forms.DecimalField(
                label=_("Band %(band)s from") % {"band": letter}, decimal_places=2, max_digits=6, required=False,
                widget=forms.NumberInput(attrs=step))
            self.fields[f"{letter}_max_score"] = forms.DecimalField(
                label=_("Band %(band)s to") % {"band": letter}, decimal_places=2, max_digits=6, required=False,
                widget=forms.NumberInput(attrs=step))
            self.fields[f"{letter}_description_zh"] = forms.CharField(
                label=_("Band %(band)s description (Chinese)") % {"band": letter}, max_length=500, required=False)
            self.fields[f"{letter}_description_en"] = forms.CharField(
                label=_("Band %(band)s description (English)") % {"band": letter}, max_length=500, required=False)

    def rows(self):
        """(letter, from, to, Chinese, English) bound fields, top band first, for the template."""
        return [(letter, *(self[f"{letter}_{name}"] for name in ("min_score", "max_score", "description_zh", "description_en")))
                for letter in LETTERS]

    def bands(self) -> dict:
        """letter → values, leaving out bands with nothing typed."""
        out = {}
        for letter in LETTERS:
            values = {name: self.cleaned_data.get(f"{letter}_{name}")
                      for name in ("min_score", "max_score", "description_zh", "description_en")}
            if any(v not in (None, "") for v in values.values()):
                out[letter] = values
        return out

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            from reviews.services.rubric import band_problems

            for problem in band_problems(criterion=self.criterion, bands=self.bands()):
                self.add_error(None, problem)
        return cleaned


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        org = f" — {obj.organisation}" if obj.organisation_id else ""
        return f"{obj.display_name}{org}"


class AssignExpertsForm(forms.Form):
    experts = ExpertChoiceField(label=_("Experts"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = queryset


class ReplaceExpertForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput)
    expert = forms.ModelChoiceField(label=_("Replacement expert"), queryset=User.objects.none())

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = queryset


class ConflictForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = queryset


class ScoreForm(forms.Form):
    """The scoring form: per criterion a score (and N/A where allowed), the recommendation, the
    confidence, the veto when the call allows it, and the two opinions."""

    recommendation = forms.ChoiceField(label=_("Overall recommendation"), choices=Recommendation.choices,
                                       widget=forms.RadioSelect, required=False)
    confidence = forms.ChoiceField(label=_("Your confidence"), choices=Confidence.choices, widget=forms.RadioSelect,
                                   required=False)
    opinion = forms.CharField(label=_("Opinion for the applicant"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
                              help_text=_("The applicant reads this, without your name."))
    panel_note = forms.CharField(label=_("Confidential note for the panel"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 help_text=_("Only staff and the panel see this; the applicant never does."))

    def __init__(self, *args, criteria, veto_enabled=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=c.name, decimal_places=2, max_digits=6, required=False,
                widget=forms.NumberInput(attrs={"min": "0", "max": plain(c.max_score), "step": "0.01"}))
            if c.na_allowed:
                self.fields[f"na_{c.pk}"] = forms.BooleanField(label=_("N/A"), required=False)
        self.veto_enabled = veto_enabled
        if veto_enabled:
            self.fields["veto"] = forms.BooleanField(
                label=_("I cast a veto (一票否决)"), required=False,
                help_text=_("For work out of the call's scope or a fundamental flaw; the panel sees it beside the scores."))
            self.fields["veto_reason"] = forms.CharField(
                label=_("Reason for the veto"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        cleaned = super().clean()
        for c in self.criteria:
            value = cleaned.get(f"score_{c.pk}")
            if value is not None and not (Decimal(0) <= value <= c.max_score):
                self.add_error(f"score_{c.pk}", gettext("%(criterion)s: the score must be between 0 and %(max)s.") % {
                    "criterion": c.name, "max": plain(c.max_score)})
            elif value is not None and cleaned.get(f"na_{c.pk}"):
                self.add_error(f"score_{c.pk}", gettext("%(criterion)s: enter a score or tick N/A, not both.") % {
                    "criterion": c.name})
        return cleaned

    def rows(self):
        """(criterion, score field, N/A field or None) in rubric order, for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"na_{c.pk}"] if c.na_allowed else None) for c in self.criteria]

    def scores(self):
        """criterion id → Decimal, "na" or None (left empty)."""
        return {c.pk: "na" if self.cleaned_data.get(f"na_{c.pk}") else self.cleaned_data.get(f"score_{c.pk}")
                for c in self.criteria}

    def review_fields(self) -> dict:
        """The keyword arguments of `reviews.services.scoring.save_review`, except review, expert and submit."""
        data = self.cleaned_data
        return {
            "scores": self.scores(), "opinion": data.get("opinion", ""), "panel_note": data.get("panel_note", ""),
            "recommendation": data.get("recommendation", ""), "confidence": data.get("confidence", ""),
            "veto": bool(data.get("veto")), "veto_reason": data.get("veto_reason", ""),
        }

    @staticmethod
    def initial_for(review) -> dict:
        """The form's initial values from a saved review (scores must be prefetched or are fetched once)."""
        initial = {"opinion": review.opinion, "panel_note": review.panel_note, "recommendation": review.recommendation,
                   "confidence": review.confidence, "veto": review.veto, "veto_reason": review.veto_reason}
        for s in review.scores.all():
            if s.not_applicable:
                initial[f"na_{s.criterion_id}"] = True
            else:
                initial[f"score_{s.criterion_id}"] = s.value
        return initial


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Conflict of interest"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example: same institution, co-author in the last five years, former student."))
