"""The fund manager's decision in the funding task."""

from django import forms
from django.utils.translation import gettext_lazy

from funding.enums import FundingChoice, Instrument


class FundingDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect, choices=FundingChoice.choices)
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), choices=Instrument.choices, initial=Instrument.GRANT)
    amount = forms.DecimalField(label=gettext_lazy("Amount"), max_digits=16, decimal_places=2, min_value=0, required=False)
    reasons = forms.CharField(label=gettext_lazy("Reasons / conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def decision_data(self) -> dict:
        """The keyword arguments of funding.services.approvals.take_funding_decision (but the actors)."""
        data = self.cleaned_data
        return {"choice": data["decision"], "amount": data["amount"], "instrument": data["instrument"],
                "reasons": data["reasons"]}
