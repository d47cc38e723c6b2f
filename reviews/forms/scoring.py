"""Forms of scoring: the rubric levels of a criterion, the expert's score sheet, declining a task."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from core.numbers import plain
from reviews.enums import Confidence, Recommendation
from reviews.services.rubric import LETTERS, band_problems


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
            for problem in band_problems(criterion=self.criterion, bands=self.bands()):
                self.add_error(None, problem)
        return cleaned


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
