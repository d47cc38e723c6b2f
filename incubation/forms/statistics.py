"""The statistics filter: grouping and the period of submission."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incubation.selectors.statistics import GROUPS


class StatisticsFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Group by"), choices=list(GROUPS.items()), required=False)
    date_from = forms.DateField(label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        data["group"] = data.get("group") or "call"
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> dict:
        """The funnel's arguments; the whole history grouped by call when the form is empty or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"group": data.get("group") or "call", "date_from": data.get("date_from"), "date_to": data.get("date_to")}
