"""Forms of the panel meeting, the staff panel decision and the roadshow (路演)."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.numbers import plain
from proposals.enums import ProposalStatus
from proposals.models import Proposal
from reviews.enums import JudgeKind, PanelOutcome

CONDITIONS_REQUIRED = _("Write the conditions of the approval.")


class _OutcomeForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get(self.outcome_field) == PanelOutcome.APPROVE_WITH_CONDITIONS and not (data.get("conditions") or "").strip():
            self.add_error("conditions", CONDITIONS_REQUIRED)
        return data


class PanelDecisionForm(_OutcomeForm):
    """The staff's panel decision (workflows panel task)."""

    outcome_field = "outcome"
    outcome = forms.ChoiceField(label=_("Decision"), choices=PanelOutcome.choices, widget=forms.RadioSelect)
    feedback = forms.CharField(label=_("Feedback to the applicant"), widget=forms.Textarea(attrs={"rows": 5}))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “approve with conditions”."),
    )


class RecommendationForm(_OutcomeForm):
    """The panel chair's recommendation on one proposal."""

    outcome_field = "recommendation"
    recommendation = forms.ChoiceField(label=_("The panel recommends"), choices=PanelOutcome.choices,
                                       widget=forms.RadioSelect)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 5}))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “approve with conditions”."),
    )


class ReorderForm(forms.Form):
    """Move one proposal to another position of the ranked list, with a reason (one small form per row)."""

    proposal = forms.IntegerField(label=_("Proposal"), min_value=1, widget=forms.HiddenInput)
    position = forms.IntegerField(label=_("New position"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


PAGE_SIZE = 50


class PanelTableForm(forms.Form):
    """The ranked table's GET parameters: sort column and direction, a text filter, a flag, all rows."""

    SORT_CHOICES = [
        ("rank", _("Rank")), ("title", _("Title")), ("reference", _("Reference")), ("final_score", _("Final score")),
        ("mean", _("Mean")), ("calibrated", _("Calibrated")), ("trimmed_mean", _("Trimmed mean")),
        ("median", _("Median")), ("roadshow", _("Roadshow score")), ("spread", _("Spread")),
        ("review_count", _("Reviews")),
    ]
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    order = forms.ChoiceField(label=_("Order"), choices=[("asc", _("Ascending")), ("desc", _("Descending"))],
                              required=False)
    q = forms.CharField(label=_("Reference or title contains"), max_length=100, required=False)
    flag = forms.ChoiceField(label=_("Only"), required=False, choices=[
        ("", _("All proposals")), ("veto", _("Vetoed")), ("disagreement", _("Flagged for disagreement")),
        ("moved", _("Moved by the chair"))])
    all = forms.BooleanField(label=_("Show all rows"), required=False, widget=forms.HiddenInput)

    def params(self) -> dict:
        """The validated parameters, defaults for anything missing or invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "rank"
        order = data.get("order") or ("asc" if sort in ("rank", "title", "reference") else "desc")
        return {"sort": sort, "order": order, "q": (data.get("q") or "").strip(), "flag": data.get("flag") or "",
                "all": bool(data.get("all"))}


class RoadshowCriterionForm(forms.Form):
    name_zh = forms.CharField(label=capfirst(_("name (Chinese)")), max_length=200)
    name_en = forms.CharField(label=capfirst(_("name (English)")), max_length=200, required=False)
    weight = forms.DecimalField(label=capfirst(_("weight")), max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    max_score = forms.DecimalField(label=capfirst(_("maximum score")), max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    order = forms.IntegerField(label=capfirst(_("order")), min_value=0, max_value=32767, required=False)


class RoadshowJudgeForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=JudgeKind.choices, initial=JudgeKind.JUDGE)

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(is_active=True).order_by("full_name", "username")
        if call is not None:
            qs = qs.exclude(roadshow_judgeships__call=call)
        self.fields["user"].queryset = qs
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"


class RoadshowSlotForm(forms.Form):
    proposal = forms.ModelChoiceField(label=_("Proposal"), queryset=None)
    starts_at = forms.DateTimeField(label=capfirst(_("starts at")), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    pitch_minutes = forms.IntegerField(label=capfirst(_("pitch (minutes)")), min_value=1, max_value=240, required=False)
    qa_minutes = forms.IntegerField(label=capfirst(_("questions (minutes)")), min_value=0, max_value=240, required=False)
    location = forms.CharField(label=capfirst(_("location")), max_length=200, required=False)

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = (
            Proposal.objects.filter(call=call, status=ProposalStatus.PANEL, roadshow_slot__isnull=True).order_by("reference", "pk")
        )
        if call is not None:
            self.fields["pitch_minutes"].widget.attrs["placeholder"] = call.pitch_minutes
            self.fields["qa_minutes"].widget.attrs["placeholder"] = call.qa_minutes
            self.fields["pitch_minutes"].help_text = _("Empty: the call's default.")
            self.fields["qa_minutes"].help_text = _("Empty: the call's default.")


class RoadshowSheetForm(forms.Form):
    """One field per roadshow criterion (0..max) and a comment."""

    comment = forms.CharField(label=capfirst(_("comment")), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        fields = {}
        for c in self.criteria:
            fields[f"score_{c.pk}"] = forms.DecimalField(
                label=f"{c.name} (0–{plain(c.max_score)})", required=False, min_value=Decimal(0),
                max_value=c.max_score, max_digits=6, decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
            )
        comment = self.fields.pop("comment")
        self.fields.update(fields)
        self.fields["comment"] = comment

    def scores(self):
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}
