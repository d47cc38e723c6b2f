"""Forms of the commission rules page and the commission ledger. The rule's arithmetic and its
checks live in funding.services.commission_formulas; the form only gathers the fields its kind uses."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from accounts.enums import Role
from funding.enums import CommissionBasis, CommissionKind, Stage
from funding.models import Fund
from funding.services import commission_formulas as commission

TIER_ROWS = 4


def _rate(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=6, decimal_places=3, min_value=Decimal("0"),
                              max_value=Decimal("100"), required=False, **kwargs)


def _amount(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, min_value=Decimal("0"), required=False,
                              **kwargs)


class TierForm(forms.Form):
    up_to = _amount(_("Up to"), help_text=_("Leave empty on the last, open-ended tier."))
    rate_pct = _rate(_("Rate (%)"))

    def clean(self):
        data = super().clean()
        if data.get("up_to") is not None and data.get("rate_pct") is None:
            self.add_error("rate_pct", _("Enter the rate of this tier."))
        return data

    def is_blank(self):
        data = getattr(self, "cleaned_data", {}) or {}
        return data.get("up_to") is None and data.get("rate_pct") is None


TierFormSet = forms.formset_factory(TierForm, extra=TIER_ROWS, max_num=12)


def tier_formset(data=None, rule=None):
    initial = None
    if data is None and rule is not None and rule.tiers:
        initial = [{"up_to": row.get("up_to"), "rate_pct": row.get("rate_pct")} for row in rule.tiers]
    formset = TierFormSet(data, prefix="tier", initial=initial)
    if initial:
        formset.extra = max(TIER_ROWS - len(initial), 1)
    return formset


class CommissionRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CommissionKind.choices)
    basis = forms.ChoiceField(label=_("Computed on"), choices=CommissionBasis.choices, initial=CommissionBasis.BOTH)
    rate_pct = _rate(_("Rate (%)"), help_text=_("Flat percentage, and the total rate of a rule split across stages."))
    base_amount = _amount(_("Base amount"), help_text=_("Base plus excess: the fixed part."))
    threshold = _amount(_("Threshold"), help_text=_("Base plus excess: the excess rate applies above this amount."))
    excess_rate_pct = _rate(_("Rate above the threshold (%)"))
    share_scouting = _rate(Stage.SCOUTING.label, help_text=_("Split across stages: share of this stage (%)."))
    share_incubation = _rate(Stage.INCUBATION.label, help_text=_("Split across stages: share of this stage (%)."))
    share_transfer = _rate(Stage.TRANSFER.label, help_text=_("Split across stages: share of this stage (%)."))
    active = forms.BooleanField(label=pgettext_lazy("commission rule", "Active"), required=False, initial=True)

    def __init__(self, *args, tiers=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = tiers
        if not editing:
            del self.fields["active"]

    @classmethod
    def initial_for(cls, rule) -> dict:
        initial = {name: getattr(rule, name) for name in ("name", "kind", "basis", "rate_pct", "base_amount",
                                                         "threshold", "excess_rate_pct", "active")}
        for stage in Stage.values:
            initial[f"share_{stage}"] = (rule.stages or {}).get(stage)
        return initial

    def rule_data(self) -> dict:
        data = self.cleaned_data
        tiers = []
        if self.tiers is not None:
            tiers = [{"up_to": form.cleaned_data.get("up_to"), "rate_pct": form.cleaned_data.get("rate_pct")}
                     for form in self.tiers.forms if hasattr(form, "cleaned_data") and not form.is_blank()]
        result = {
            "name": data.get("name"), "kind": data.get("kind"), "basis": data.get("basis"),
            "rate_pct": data.get("rate_pct"), "base_amount": data.get("base_amount"), "threshold": data.get("threshold"),
            "excess_rate_pct": data.get("excess_rate_pct"), "tiers": tiers,
            "stages": {stage: data.get(f"share_{stage}") for stage in Stage.values
                       if data.get(f"share_{stage}") is not None},
        }
        if "active" in self.fields:
            result["active"] = data.get("active", False)
        return result

    def clean(self):
        data = super().clean()
        if self.errors or (self.tiers is not None and not self.tiers.is_valid()):
            return data
        for problem in commission.rule_problems(self.rule_data()):
            self.add_error(None, problem)
        return data


class CommissionPaymentForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("Technology manager"), queryset=None)
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=None)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("Payment reference"), max_length=100,
                                help_text=_("For example the bank voucher number."))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = (get_user_model().objects.filter(groups__name=Role.TECHNOLOGY_MANAGER.value)
                                           .order_by("full_name", "pk").distinct())
        self.fields["manager"].label_from_instance = lambda user: user.display_name
        self.fields["fund"].queryset = Fund.objects.order_by("name_zh", "pk")

    def idempotency_key(self) -> str | None:
        token = self.cleaned_data.get("token") or ""
        return f"commission-payment:{token}" if re.fullmatch(r"[0-9a-f]{32}", token) else None
