"""Forms for a call's eligibility rules and for the facts the fund manager records."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.enums import THRESHOLD_KINDS, EligibilityKind, Instrument

MAX_RULES = len(EligibilityKind.choices)


class EligibilityRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rule"), choices=[("", _("Choose a rule")), *EligibilityKind.choices], required=False)
    threshold = forms.DecimalField(label=_("Threshold"), max_digits=12, decimal_places=2, required=False,
                                   help_text=_("Years for the company age, percent for the paid-in cash; "
                                               "empty for “a company must already exist”."))
    instruments = forms.MultipleChoiceField(label=_("Applies to"), choices=Instrument.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text=_("Tick none for every instrument."))

    def clean(self):
        data = super().clean()
        kind, threshold = data.get("kind"), data.get("threshold")
        if not kind:
            if threshold is not None or data.get("instruments"):
                self.add_error("kind", _("Choose the rule."))
            return data
        if kind in THRESHOLD_KINDS and threshold is None and "threshold" not in self.errors:
            self.add_error("threshold", _("Enter the threshold for this rule."))
        elif kind == EligibilityKind.COMPANY_AGE_MAX_YEARS and threshold is not None and threshold <= 0:
            self.add_error("threshold", _("The age limit must be a positive number of years."))
        elif kind == EligibilityKind.FOUNDERS_PAID_IN_MIN_PCT and threshold is not None and not (
                Decimal("0") < threshold <= Decimal("100")):
            self.add_error("threshold", _("The percentage must be above 0 and at most 100."))
        elif kind == EligibilityKind.COMPANY_REQUIRED and threshold is not None:
            self.add_error("threshold", _("This rule takes no threshold; leave it empty."))
        return data


class BaseEligibilityRuleFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            kind = form.cleaned_data.get("kind")
            if not kind:
                continue
            if kind in seen:
                raise forms.ValidationError(
                    _("Each rule may appear only once per call; “%(rule)s” is listed twice.")
                    % {"rule": EligibilityKind(kind).label})
            seen.add(kind)

    def rules(self) -> list[dict]:
        """The kept rules in the order of the rows."""
        return [
            {"kind": form.cleaned_data["kind"], "threshold": form.cleaned_data.get("threshold"),
             "instruments": form.cleaned_data.get("instruments") or []}
            for form in self.forms
            if form.cleaned_data.get("kind") and not (self.can_delete and self._should_delete_form(form))
        ]


EligibilityRuleFormSet = forms.formset_factory(
    EligibilityRuleForm, formset=BaseEligibilityRuleFormSet, extra=1, max_num=MAX_RULES, validate_max=True,
    can_delete=True,
)


def rule_formset(data=None, *, rules=()):
    initial = [{"kind": rule.kind, "threshold": rule.threshold, "instruments": list(rule.instruments or [])}
               for rule in rules]
    formset = EligibilityRuleFormSet(data, initial=initial, prefix="rules")
    if len(initial) >= MAX_RULES:
        formset.extra = 0
    return formset


class EligibilityFactsForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False,
                                   help_text=_("Leave the name and the date empty if no company exists yet."))
    company_founded_on = forms.DateField(label=_("Company founded on"), required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))
    project_budget = forms.DecimalField(label=_("Total project budget"), max_digits=16, decimal_places=2,
                                        required=False, min_value=Decimal("0.01"))
    founders_paid_in = forms.DecimalField(label=_("Founders' paid-in cash"), max_digits=16, decimal_places=2,
                                          required=False, min_value=Decimal("0"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "facts")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_facts(cls, data=None, *, facts=None):
        initial = {}
        if facts is not None:
            initial = {"company_name": facts.company_name, "company_founded_on": facts.company_founded_on,
                       "project_budget": facts.project_budget, "founders_paid_in": facts.founders_paid_in}
        return cls(data, initial=initial)

    def clean(self):
        data = super().clean()
        name, founded = (data.get("company_name") or "").strip(), data.get("company_founded_on")
        if name and founded is None and "company_founded_on" not in self.errors:
            self.add_error("company_founded_on", _("Enter the date the company was founded."))
        if founded is not None and not name:
            self.add_error("company_name", _("Enter the company's name."))
        if founded is not None and founded > timezone.localdate():
            self.add_error("company_founded_on", _("The founding date cannot be in the future."))
        return data
