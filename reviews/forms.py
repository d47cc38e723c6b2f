from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from proposals.models import Call
from reviews.enums import PanelOutcome
from reviews.models import Criterion


CriterionFormSet = inlineformset_factory(
    Call, Criterion, fields=("order", "name_zh", "name_en", "description_zh", "description_en", "weight", "max_score"),
    extra=2, can_delete=True,
)


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
    """One decimal field per criterion, bounded by its maximum, plus the two opinions."""

    opinion = forms.CharField(label=_("Opinion for the applicant"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    panel_note = forms.CharField(label=_("Confidential note for the panel"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 help_text=_("Only staff and the panel see this; the applicant never does."))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=f"{c.name} (0–{c.max_score.normalize()}, {_('weight')} {c.weight.normalize()})",
                min_value=0, max_value=c.max_score, decimal_places=2, required=False, help_text=c.description,
            )
        self.order_fields([f"score_{c.pk}" for c in self.criteria] + ["opinion", "panel_note"])

    def scores(self):
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Conflict of interest"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example: same institution, co-author in the last five years, former student."))


class PanelDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=PanelOutcome.choices, widget=forms.RadioSelect)
    feedback = forms.CharField(label=_("Feedback to the applicant"), widget=forms.Textarea(attrs={"rows": 5}))
