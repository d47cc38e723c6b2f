"""Forms of expert assignment: by hand (choose, replace, record a conflict) and automatic (propose a plan)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reviews.services.auto_assign import MAX_EXPERTS_PER_PROPOSAL


class ProposeAssignmentForm(forms.Form):
    """How many experts each proposal should get; the call's composition rules apply on top."""

    experts_per_proposal = forms.IntegerField(
        label=_("Experts per proposal (k)"), min_value=1, max_value=MAX_EXPERTS_PER_PROPOSAL,
        help_text=_("Each proposal waiting for experts gets exactly this many."),
    )

    def __init__(self, *args, call, **kwargs):
        kwargs.setdefault("initial", {"experts_per_proposal": call.experts_per_proposal})
        super().__init__(*args, **kwargs)


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
