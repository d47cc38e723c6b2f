from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from proposals.enums import ProposalStatus, ScreeningOutcome
from proposals.models import Call, Proposal, ScreeningChecklistItem


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
    class Meta:
        model = Call
        fields = ("title_zh", "title_en", "description_zh", "description_en", "opens_at", "closes_at", "time_zone",
                  "fund", "max_request", "currency", "experts_per_proposal", "review_days")
        widgets = {"opens_at": DateTimeInput(), "closes_at": DateTimeInput()}


ChecklistFormSet = inlineformset_factory(
    Call, ScreeningChecklistItem, fields=("order", "text_zh", "text_en"), extra=2, can_delete=True
)


class ProposalFilterForm(forms.Form):
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))] + list(ProposalStatus.choices), required=False)
    q = forms.CharField(label=_("Search"), required=False)


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
