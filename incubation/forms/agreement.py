"""Forms of the agreement (任务书) page, its milestone and disbursement actions.

Each section of the page is one form or formset with its own prefix, so the page can show them
all and a failed section is re-rendered with what was typed. Choices of milestones are plain
lists (the page would otherwise query the milestones once per row)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.enums import DeadlineAction, Instrument
from funding.models import Fund
from incubation.enums import BudgetCategory, TrancheGate


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _money_field(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, **kwargs)


class TermsForm(forms.Form):
    """The period and the terms of the agreement's instrument (the other instruments' fields are removed)."""

    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    # 先投后股
    concession_pct = forms.DecimalField(label=_("Concession to the team (%)"), max_digits=5, decimal_places=2,
                                        min_value=Decimal("0"), max_value=Decimal("100"), required=False,
                                        help_text=_("Discount on the first market round's valuation when the money converts."))
    conversion_deadline = forms.DateField(label=_("Conversion deadline"), widget=DateInput(), required=False,
                                          help_text=_("If no market financing round has converted the money by then, the action below applies."))
    deadline_action = forms.ChoiceField(label=_("At the deadline"), required=False,
                                        choices=[("", "—")] + list(DeadlineAction.choices))
    buyback_rate_pct = forms.DecimalField(label=_("Buy-back interest (% a year, simple)"), max_digits=6, decimal_places=3,
                                          min_value=Decimal("0"), max_value=Decimal("100"), required=False)
    buyback_terms = forms.CharField(label=_("Buy-back terms"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # equity
    pre_money_valuation = forms.DecimalField(label=_("Pre-money valuation"), max_digits=18, decimal_places=2,
                                             min_value=Decimal("0.01"), required=False)

    INVEST_FIRST_FIELDS = ("concession_pct", "conversion_deadline", "deadline_action", "buyback_rate_pct", "buyback_terms")
    EQUITY_FIELDS = ("pre_money_valuation",)

    def __init__(self, *args, agreement, **kwargs):
        kwargs.setdefault("initial", {name: getattr(agreement, name) for name in
                                      ("starts_on", "ends_on", *self.INVEST_FIRST_FIELDS, *self.EQUITY_FIELDS)})
        super().__init__(*args, **kwargs)
        keep = {Instrument.INVEST_FIRST: self.INVEST_FIRST_FIELDS, Instrument.EQUITY: self.EQUITY_FIELDS}.get(
            agreement.instrument, ())
        for name in (*self.INVEST_FIRST_FIELDS, *self.EQUITY_FIELDS):
            if name not in keep:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        starts, ends, deadline = data.get("starts_on"), data.get("ends_on"), data.get("conversion_deadline")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The agreement cannot end before it starts."))
        if starts and deadline and deadline <= starts:
            self.add_error("conversion_deadline", _("The conversion deadline must come after the start of the agreement."))
        return data

    def terms(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class MilestoneRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Milestone"), max_length=200)
    description = forms.CharField(label=_("Deliverables"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())


class _MilestoneChoice(forms.TypedChoiceField):
    """A milestone of the project, chosen from a list built once for the whole formset."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)


class KpiRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=2)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    milestone = _MilestoneChoice(label=_("Milestone"))

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._milestones = {m.pk: m for m in milestones}
        self.fields["milestone"].choices = [("", _("None"))] + [(m.pk, m.title) for m in milestones]

    def clean_milestone(self):
        pk = self.cleaned_data.get("milestone")
        return self._milestones.get(pk) if pk is not None else None


class BudgetRowForm(forms.Form):
    category = forms.ChoiceField(choices=BudgetCategory.choices, widget=forms.HiddenInput)
    amount = _money_field(_("Amount"), min_value=Decimal("0"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def category_label(self):
        value = self.initial.get("category") or self.data.get(self.add_prefix("category"))
        return dict(BudgetCategory.choices).get(value, value)


class TrancheRowForm(forms.Form):
    percent = forms.DecimalField(label=_("Share (%)"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"),
                                 max_value=Decimal("100"))
    gate = forms.ChoiceField(label=_("Released when"), choices=TrancheGate.choices)
    milestone = _MilestoneChoice(label=_("Milestone"))

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._milestones = {m.pk: m for m in milestones}
        self.fields["milestone"].choices = [("", "—")] + [(m.pk, m.title) for m in milestones]

    def clean_milestone(self):
        pk = self.cleaned_data.get("milestone")
        return self._milestones.get(pk) if pk is not None else None


MilestoneFormSet = forms.formset_factory(MilestoneRowForm, extra=2, can_delete=True)
KpiFormSet = forms.formset_factory(KpiRowForm, extra=2, can_delete=True)
BudgetFormSet = forms.formset_factory(BudgetRowForm, extra=0)
TrancheFormSet = forms.formset_factory(TrancheRowForm, extra=2, can_delete=True)


def typed_amounts(formset) -> list:
    """The budget rows' amounts as typed (bound) or saved (unbound), for the running total."""
    return [form.cleaned_data.get("amount") if form.is_bound and hasattr(form, "cleaned_data")
            else form.initial.get("amount") for form in formset.forms]


def kept_rows(formset) -> list[dict]:
    """The rows of a valid formset that were filled in and not marked for removal, in order."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class SignedCopyForm(forms.Form):
    file = forms.FileField(label=_("Signed agreement (PDF)"))
    signed_on = forms.DateField(label=_("Date of signature"), widget=DateInput())


class AcceptMilestoneForm(forms.Form):
    note = forms.CharField(label=_("Acceptance note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deliverables_confirmed = forms.BooleanField(
        label=_("I checked the deliverables"), required=False,
        help_text=_("Needed to accept a milestone the team has not yet marked as done."))


class KpiActualsForm(forms.Form):
    """One field per indicator: the value reached so far."""

    def __init__(self, *args, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpis = list(kpis)
        for kpi in self.kpis:
            label = f"{kpi.name} ({kpi.unit})" if kpi.unit else kpi.name
            self.fields[f"kpi_{kpi.pk}"] = forms.DecimalField(label=label, max_digits=16, decimal_places=2,
                                                               required=False, initial=kpi.actual)

    def actuals(self) -> dict:
        return {kpi.pk: self.cleaned_data.get(f"kpi_{kpi.pk}") for kpi in self.kpis}


class ReleaseForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100,
                                help_text=_("For example the bank voucher number."))
    back = forms.ChoiceField(choices=[("agreement", "agreement"), ("queue", "queue")], required=False,
                             widget=forms.HiddenInput)


class QueueFilterForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.order_by("name_zh", "pk"), required=False,
                                  empty_label=_("All funds"))
