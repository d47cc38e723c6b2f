"""Forms of the outcomes page, the technology managers' assignment and the 先投后股 settlement.
They only check shapes; the services (incubation.services.outcomes, conversion, commissions) decide."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from funding.enums import DeadlineAction, Stage
from incubation.enums import ContractKind, PatentKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _money(label, *, required=True, help_text=""):
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, min_value=Decimal("0.01"),
                              required=required, help_text=help_text)


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    founded_on = forms.DateField(label=_("Founded on"), widget=DateInput())
    registered_capital = _money(_("Registered capital"))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False,
                                  help_text=_("18 characters, for example 91110108MA01XXXXXX; optional."))


class FinancingRoundForm(forms.Form):
    name = forms.CharField(label=_("Round"), max_length=100, help_text=_("For example: angel, pre-A, A."))
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput())
    amount = _money(_("Amount raised"))
    investors = forms.CharField(label=_("Investors"), widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One per line."))
    pre_money_valuation = forms.DecimalField(
        label=_("Pre-money valuation"), max_digits=18, decimal_places=2, min_value=Decimal("0.01"), required=False,
        help_text=_("Required when the round converts invest-first (先投后股) money."))
    is_market_round = forms.BooleanField(
        label=_("Market financing round"), required=False, initial=True,
        help_text=_("A round priced by outside investors; the first one converts 先投后股 money."))


class PatentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=PatentKind.choices)
    number = forms.CharField(label=_("Application number"), max_length=60)
    filed_on = forms.DateField(label=_("Filed on"), widget=DateInput())
    granted_on = forms.DateField(label=_("Granted on"), widget=DateInput(), required=False,
                                 help_text=_("Leave empty while the application is pending."))


class GrantPatentForm(forms.Form):
    granted_on = forms.DateField(label=_("Granted on"), widget=DateInput())


class ContractForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    counterparty = forms.CharField(label=_("Counterparty"), max_length=200)
    amount = _money(_("Contract amount"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    registration_number = forms.CharField(label=_("Registration number (技术合同登记号)"), max_length=60)
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("signed_on") and data.get("registered_on") and data["registered_on"] < data["signed_on"]:
            self.add_error("registered_on", _("A contract cannot be registered before it was signed."))
        return data


class AnnualFigureForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    revenue = forms.DecimalField(label=_("Revenue"), max_digits=16, decimal_places=2, min_value=Decimal("0"))
    jobs = forms.IntegerField(label=_("Jobs"), min_value=0)


class AssignTechManagerForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("Technology manager"), queryset=None)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = (get_user_model().objects.filter(groups__name=Role.TECHNOLOGY_MANAGER.value)
                                           .order_by("full_name", "pk").distinct())
        self.fields["manager"].label_from_instance = lambda user: user.display_name


class SettleForm(forms.Form):
    action = forms.ChoiceField(label=_("Settlement"), choices=DeadlineAction.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text=_("Required when you depart from the action the agreement sets."))
