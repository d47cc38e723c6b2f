"""The funding namespace: funds, a call's eligibility rules, commission rules and the commission ledger."""

from django.urls import path

from funding.views import commissions, eligibility, funds

app_name = "funding"
urlpatterns = [
    path("", funds.funds, name="funds"),
    path("<int:pk>/", funds.fund, name="fund"),
    path("calls/<int:pk>/eligibility/", eligibility.eligibility_rules, name="eligibility_rules"),
    path("<int:pk>/commissions/", commissions.commissions, name="commissions"),
    path("<int:pk>/commissions/<int:rule_pk>/", commissions.commission_rule, name="commission_rule"),
    path("<int:pk>/commissions/<int:rule_pk>/deactivate/", commissions.deactivate_rule,
         name="deactivate_commission_rule"),
    path("commissions/ledger/", commissions.commission_ledger, name="commission_ledger"),
    path("commissions/ledger/pay/", commissions.pay_commission, name="pay_commission"),
]
