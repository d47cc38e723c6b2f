"""Forms of the project's lifecycle: progress reports, the mid-term check, change requests, acceptance.
They parse and type what was typed; the services decide what is allowed (one set of messages)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forms.uploads import accept_attribute
from incubation.enums import AcceptanceOutcome, BudgetCategory, ChangeKind, MidtermOutcome
from incubation.services.reports import ATTACHMENT_TYPES

TEXT = {"rows": 4}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    """The team's quarterly report; nothing is required for a draft, the service checks a submission."""

    summary = forms.CharField(label=_("Progress in the period"), required=False, widget=forms.Textarea(attrs=TEXT))
    problems = forms.CharField(label=_("Problems and risks"), required=False, widget=forms.Textarea(attrs=TEXT))
    next_steps = forms.CharField(label=_("Plan for the next period"), required=False,
                                 widget=forms.Textarea(attrs=TEXT))
    spent = forms.DecimalField(label=_("Amount spent in the period (CNY)"), required=False, min_value=0,
                               max_digits=16, decimal_places=2)
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False,
                                 help_text=_("PDF, Word (.docx) or Excel (.xlsx). A new file replaces the previous one."),
                                 widget=forms.ClearableFileInput(attrs={"accept": accept_attribute(ATTACHMENT_TYPES)}))

    @classmethod
    def for_report(cls, report, **kwargs):
        return cls(initial={"summary": report.summary, "problems": report.problems,
                            "next_steps": report.next_steps, "spent": report.spent}, **kwargs)


class ReportReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("accept", _("Accept the report")),
                                          ("return", _("Return it to the team for revision"))])
    note = forms.CharField(label=_("Note to the team"), required=False, widget=forms.Textarea(attrs=TEXT),
                           help_text=_("Required when the report is returned."))


class MidtermForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MidtermOutcome.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs=TEXT))
    adjustments = forms.CharField(label=_("Required adjustments"), required=False, widget=forms.Textarea(attrs=TEXT),
                                  help_text=_("Required when the project continues with adjustments."))


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Change"), choices=ChangeKind.choices, widget=forms.RadioSelect)
    from_category = forms.ChoiceField(label=_("Move money from"), required=False,
                                      choices=[("", "—")] + list(BudgetCategory.choices))
    to_category = forms.ChoiceField(label=_("Move money to"), required=False,
                                    choices=[("", "—")] + list(BudgetCategory.choices))
    amount = forms.DecimalField(label=_("Amount to move (CNY)"), required=False, min_value=0, max_digits=16,
                                decimal_places=2)
    new_end_date = forms.DateField(label=_("New end date"), required=False, widget=DATE,
                                   help_text=_("For an extension only."))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs=TEXT))


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXT),
                           help_text=_("Required when the request is refused."))


class AcceptanceForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AcceptanceOutcome.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs=TEXT))
    rectification_deadline = forms.DateField(label=_("Rectification deadline"), required=False, widget=DATE,
                                             help_text=_("Required for a pass after rectification."))

    def __init__(self, *args, outcomes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if outcomes is not None:
            self.fields["outcome"].choices = [(value, AcceptanceOutcome(value).label) for value in outcomes]
