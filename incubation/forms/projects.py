"""The project page's two manager forms: a progress note and closing the project."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incubation.enums import MilestoneStatus, ProjectStatus
from incubation.selectors.projects import milestones_of


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=None, required=False,
                                       empty_label=_("No particular milestone"))
    milestone_status = forms.ChoiceField(
        label=_("New status of the milestone"), required=False,
        # accepting a milestone is a separate, audited act on the agreement page (it meets a tranche gate)
        choices=[("", _("Unchanged"))] + [c for c in MilestoneStatus.choices if c[0] != MilestoneStatus.ACCEPTED],
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones_of(project=project)

    def clean(self):
        data = super().clean()
        if data.get("milestone_status") and not data.get("milestone"):
            self.add_error("milestone", _("Choose the milestone whose status changes."))
        return data


class CloseProjectForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), widget=forms.RadioSelect,
        choices=[(ProjectStatus.GRADUATED, ProjectStatus.GRADUATED.label),
                 (ProjectStatus.TERMINATED, ProjectStatus.TERMINATED.label)],
    )
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 4}))
