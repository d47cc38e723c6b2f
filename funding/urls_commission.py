"""URLs of the commission rules and the technology managers' commission ledger (included by funding.urls)."""

from django.urls import path

from funding import views_commission as views

urlpatterns = [
    path("<int:pk>/commissions/", views.commissions, name="commissions"),
    path("<int:pk>/commissions/<int:rule_pk>/", views.commission_rule, name="commission_rule"),
    path("<int:pk>/commissions/<int:rule_pk>/deactivate/", views.deactivate_rule, name="deactivate_commission_rule"),
    path("commissions/ledger/", views.commission_ledger, name="commission_ledger"),
    path("commissions/ledger/pay/", views.pay_commission, name="pay_commission"),
]
