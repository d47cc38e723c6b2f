"""Forms of expert assignment: by hand (choose, replace, record a conflict) and automatic (propose a plan)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reviews.enums import ExpertType
from reviews.selectors.assignment import LOAD_FULL, LOAD_ROOM, SORT_AFFINITY, SORT_LOAD, SORT_NAME
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


class CandidateFilterForm(forms.Form):
    """The GET filter of the hand-assignment page: type, field, load and order of the expert list."""

    expert_type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *ExpertType.choices])
    field = forms.CharField(label=_("Field or keyword"), required=False, max_length=100)
    load = forms.ChoiceField(label=_("Load"), required=False, choices=[
        ("", _("Any load")), (LOAD_ROOM, _("Below their cap")), (LOAD_FULL, _("At or over their cap"))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        (SORT_AFFINITY, _("Match, best first")), (SORT_LOAD, _("Load, lightest first")), (SORT_NAME, _("Name"))])

    def filters(self) -> dict:
        """Keyword arguments for `assignment_candidates`; an invalid filter is ignored, never an error page."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"expert_type": data.get("expert_type") or None, "field": (data.get("field") or "").strip() or None,
                "load": data.get("load") or None, "sort": data.get("sort") or SORT_AFFINITY}
