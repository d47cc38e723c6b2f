from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from proposals.enums import ScreeningOutcome
from proposals.models import Call, ExpertAvoidance, Proposal, ScreeningChecklistItem


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ("title", "language", "abstract", "keywords", "field", "trl", "ip_status", "institution",
                  "team", "application_scenario", "requested_amount")
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6}), "team": forms.Textarea(attrs={"rows": 4}),
                   "application_scenario": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call or self.instance.call
        self.fields["requested_amount"].help_text = _("At most %(max)s %(currency)s.") % {
            "max": f"{self.call.max_request:,.2f}", "currency": self.call.currency}

    def clean_requested_amount(self):
        amount = self.cleaned_data.get("requested_amount")
        if amount is not None and amount > self.call.max_request:
            raise forms.ValidationError(_("The call allows at most %(max)s %(currency)s.") % {
                "max": f"{self.call.max_request:,.2f}", "currency": self.call.currency})
        return amount


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallForm(forms.ModelForm):
    """The call and its review settings, shown in fieldsets (see `fieldsets()`)."""

    FIELDSETS = [
        (_("The call"), ("title_zh", "title_en", "description_zh", "description_en", "opens_at", "closes_at", "time_zone")),
        (_("Funding"), ("fund", "max_request", "currency")),
        (_("Expert review"), ("experts_per_proposal", "review_days", "reminder_days", "max_avoid_requests")),
        (_("Blind review and veto"), ("blind_identity", "peer_scores", "veto_enabled")),
        (_("Aggregation and flags"), ("ranking_basis", "disagreement_threshold", "group_divergence_threshold")),
        (_("Roadshow (路演)"), ("roadshow_enabled", "roadshow_weight", "pitch_minutes", "qa_minutes")),
        (_("Public notice (公示)"), ("notice_days",)),
    ]

    class Meta:
        model = Call
        fields = ("title_zh", "title_en", "description_zh", "description_en", "opens_at", "closes_at", "time_zone",
                  "fund", "max_request", "currency", "experts_per_proposal", "review_days", "reminder_days",
                  "max_avoid_requests", "blind_identity", "peer_scores", "veto_enabled", "ranking_basis",
                  "disagreement_threshold", "group_divergence_threshold", "roadshow_enabled", "roadshow_weight",
                  "pitch_minutes", "qa_minutes", "notice_days")
        widgets = {"opens_at": DateTimeInput(), "closes_at": DateTimeInput(), "peer_scores": forms.RadioSelect,
                   "ranking_basis": forms.RadioSelect}
        help_texts = {
            "experts_per_proposal": _("How many experts score each proposal (typically 3–7)."),
            "review_days": _("Each expert's deadline is this many days after they are assigned."),
            "max_avoid_requests": _("Applicants may name up to this many experts they ask not to be reviewed by, with reasons; 0 turns it off."),
            "blind_identity": _("Experts never see the applicant's name, institution, team or organisation; staff still do."),
            "peer_scores": _("When shown, the other experts' scores are anonymised (Expert 1, Expert 2, …), never with names or confidential notes."),
            "veto_enabled": _("An expert may veto a proposal (for example for out-of-scope work); a reason is mandatory."),
            "ranking_basis": _("The figure the panel's ranked list is sorted by; the others are shown beside it."),
            "roadshow_enabled": _("A timed pitch scored by judges and invited investors on a separate sheet."),
            "pitch_minutes": _("For example 8 minutes of pitch …"),
            "qa_minutes": _("… and 7 minutes of questions."),
        }

    def fieldsets(self):
        """(legend, [bound fields]) in display order; a form built with fewer fields (one step of the call
        builder) shows only the fieldsets it has."""
        sets = [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.FIELDSETS]
        return [(legend, fields) for legend, fields in sets if fields]


ChecklistFormSet = inlineformset_factory(
    Call, ScreeningChecklistItem, fields=("order", "text_zh", "text_en"), extra=2, can_delete=True
)


class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ScreeningOutcome.choices, widget=forms.RadioSelect)
    message = forms.CharField(label=_("Message to the team"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text=_("Required when the proposal is returned or ineligible."))

    def __init__(self, *args, checklist_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist_items = list(checklist_items)
        for item in self.checklist_items:
            self.fields[f"check_{item.pk}"] = forms.BooleanField(label=item.text, required=False)

    def checklist(self):
        return {str(item.pk): bool(self.cleaned_data.get(f"check_{item.pk}")) for item in self.checklist_items}


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExpertAvoidanceForm(forms.ModelForm):
    """One expert the applicant asks not to be reviewed by (回避申请)."""

    class Meta:
        model = ExpertAvoidance
        fields = ("name", "institution", "reason")
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


AVOID_PREFIX = "avoid"


def avoid_formset(proposal, data=None):
    """The "experts to avoid" rows, at most the call's limit; None when the call allows none. A POST
    without this formset's management form leaves the list alone (the formset stays unbound)."""
    limit = proposal.call.max_avoid_requests
    if not limit or proposal.pk is None:
        return None
    if data is not None and f"{AVOID_PREFIX}-TOTAL_FORMS" not in data:
        data = None
    formset_class = inlineformset_factory(
        Proposal, ExpertAvoidance, form=ExpertAvoidanceForm, extra=limit, max_num=limit, validate_max=True, can_delete=True,
    )
    return formset_class(data, instance=proposal, prefix=AVOID_PREFIX, error_messages={
        "too_many_forms": _("This call lets you name at most %(num)s experts to avoid.")})


def avoid_rows(formset) -> list[dict]:
    """The kept rows of a valid "experts to avoid" formset (deleted and empty rows left out)."""
    return [{k: f.cleaned_data[k] for k in ("name", "institution", "reason")}
            for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
