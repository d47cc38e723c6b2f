from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from proposals.models import Call
from reviews.models import ExpertProfile, ExpertRelation, ExpertUnavailability
from reviews.services.pool import OWN_PROFILE_FIELDS, PERIOD_FIELDS, PROFILE_FIELDS, RELATION_FIELDS


class NewExpertForm(forms.Form):
    email = forms.EmailField(label=_("Email"), help_text=_("An existing account with this email is linked; otherwise one is created."))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False,
                                help_text=_("Required when no account has this email yet."))


class ExpertNameForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)


class ExpertProfileForm(forms.ModelForm):
    """Everything the program office keeps about an expert."""

    class Meta:
        model = ExpertProfile
        fields = PROFILE_FIELDS
        widgets = {"bio": forms.Textarea(attrs={"rows": 4}), "fields_zh": forms.Textarea(attrs={"rows": 2}),
                   "fields_en": forms.Textarea(attrs={"rows": 2}), "keywords_zh": forms.Textarea(attrs={"rows": 2}),
                   "keywords_en": forms.Textarea(attrs={"rows": 2})}


class OwnProfileForm(ExpertProfileForm):
    """What an expert keeps up to date themselves; type, load cap and pool membership are the office's."""

    class Meta(ExpertProfileForm.Meta):
        fields = OWN_PROFILE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


UnavailabilityFormSet = inlineformset_factory(
    ExpertProfile, ExpertUnavailability, fields=PERIOD_FIELDS, extra=2, can_delete=True,
    widgets={"starts_on": DateInput(), "ends_on": DateInput()},
)
RelationFormSet = inlineformset_factory(ExpertProfile, ExpertRelation, fields=RELATION_FIELDS, extra=3, can_delete=True)


def formset_rows(formset, fields) -> list[dict]:
    """The kept rows of a valid inline formset as plain dicts (deleted and empty rows left out)."""
    return [
        {k: f.cleaned_data.get(k) for k in fields}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or GBK) or Excel .xlsx, at most 5 MB and 5,000 rows."))


class DetectForCallForm(forms.Form):
    call = forms.ModelChoiceField(label=_("Call"), queryset=Call.objects.all())


class DeclareConflictForm(forms.Form):
    reason = forms.CharField(label=_("Conflict of interest"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("What connects you to this proposal or its team. Your review will no longer count."))
