"""The staff page of an overdue review: extend the deadline or replace the expert."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.views import render_domain_error, require_perm
from core.zones import zone_label
from reviews.models import Review
from reviews.services.deadlines import format_deadline, replacement_choices
from workflows import escalation


def expert_label(user, suggested=False):
    profile = getattr(user, "expert_profile", None)
    parts = [user.display_name]
    if profile is not None:
        parts.append(profile.get_expert_type_display())
        if profile.institution:
            parts.append(profile.institution)
    label = " · ".join(str(p) for p in parts)
    return _("%(expert)s — suggested alternate") % {"expert": label} if suggested else label


class ExtendDeadlineForm(forms.Form):
    deadline = forms.DateTimeField(
        label=gettext_lazy("New deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("In the call's time zone."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason for the extension"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplaceOverdueForm(forms.Form):
    expert = forms.TypedChoiceField(label=gettext_lazy("Replacement expert"), coerce=int)

    def __init__(self, *args, experts, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.experts = {e.pk: e for e in experts}
        self.fields["expert"].choices = [
            (e.pk, expert_label(e, suggested=suggested is not None and e.pk == suggested.pk)) for e in experts
        ]
        if suggested is not None:
            self.fields["expert"].initial = suggested.pk

    def clean_expert(self):
        return self.experts[self.cleaned_data["expert"]]


@require_http_methods(["GET", "POST"])
def escalate(request, pk):
    review = get_object_or_404(Review.objects.select_related(
        "proposal", "proposal__call", "proposal__applicant", "expert", "assigned_by", "replaced_by__expert"), pk=pk)
    require_perm(request.user, "reviews.assign_experts")
    proposal = review.proposal
    call = proposal.call
    task = escalation.escalation_task(review=review)
    suggested, experts = replacement_choices(review=review) if task is not None else (None, [])
    action = request.POST.get("action")
    with timezone.override(ZoneInfo(call.time_zone)):
        extend_form = ExtendDeadlineForm(request.POST if action == "extend" else None)
        replace_form = ReplaceOverdueForm(request.POST if action == "replace" else None, experts=experts, suggested=suggested)
        context = {
            "proposal": proposal, "review": review, "task": task, "extend_form": extend_form, "replace_form": replace_form,
            "deadline": format_deadline(review.deadline, call) if review.deadline else "",
            "reminders": review.reminders.filter(deadline=review.deadline).count() if review.deadline else 0,
            "time_zone": zone_label(call.time_zone),
        }
        if request.method == "POST":
            try:
                if action == "extend" and extend_form.is_valid():
                    escalation.extend_review(review=review, officer=request.user, reason=extend_form.cleaned_data["reason"],
                                             deadline=extend_form.cleaned_data["deadline"])
                    messages.success(request, _("Deadline extended; the expert has the task again."))
                    return redirect("workflows:assign_experts", pk=proposal.pk)
                if action == "replace" and replace_form.is_valid():
                    new = escalation.replace_overdue_expert(review=review, new_expert=replace_form.cleaned_data["expert"],
                                                            officer=request.user)
                    messages.success(request, _("%(name)s replaces the overdue expert.") % {"name": new.expert.display_name})
                    return redirect("workflows:assign_experts", pk=proposal.pk)
            except DomainError as exc:
                return render_domain_error(request, exc, "workflows/escalate.html", context)
            messages.error(request, _("Check the form: nothing was changed."))
            return render(request, "workflows/escalate.html", context, status=400)
        return render(request, "workflows/escalate.html", context)

