from django import forms
from django.utils.translation import gettext_lazy as _

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
