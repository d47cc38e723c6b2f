"""Every write goes through the doors, the admin included: a walk over every ModelAdmin and inline proves
that append-only and money records, scores, answers and documents are read-only, that no status is
editable, and that a fund's size changes only through the service that refuses shrinking below what
is committed."""

import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_fsm import FSMFieldMixin

from accounts.models import User
from core.models import AppendOnly
from decisions.models import Document
from incubation.models import Agreement, Tranche
from proposals.models import Answer, AuditEntry, ScreeningResult
from reviews.enums import ReviewStatus
from reviews.models import Review, RoadshowScore, RoadshowSheet, Score
from tests.factories import FundFactory, LedgerEntryFactory, UserFactory

pytestmark = pytest.mark.django_db

# records that change only through a service: every append-only model, and these
THROUGH_SERVICES = {Document, Score, Review, RoadshowScore, RoadshowSheet, Answer, ScreeningResult, Agreement, Tranche}


OWN_ACTIONS = {AccessAttempt: {"cleanup_expired_attempts"}, User: {"reset_two_factor"}}


def read_only_models():
    return {m for m in apps.get_models() if issubclass(m, AppendOnly)} | THROUGH_SERVICES


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return request


def test_every_append_only_or_service_owned_model_is_read_only_in_the_admin_inlines_included(superuser_request):
    protected = read_only_models()
    assert len(protected) >= 25
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model in protected:
            checked.append(model)
            assert not model_admin.has_add_permission(superuser_request), model
            assert not model_admin.has_change_permission(superuser_request), model
            assert not model_admin.has_delete_permission(superuser_request), model
        for inline in model_admin.get_inline_instances(superuser_request):
            if inline.model in protected:
                assert not inline.has_add_permission(superuser_request, None), (model, inline.model)
                assert not inline.has_change_permission(superuser_request), (model, inline.model)
                assert not inline.has_delete_permission(superuser_request), (model, inline.model)
    assert {AuditEntry, Score, Review, Document} <= set(checked)


def test_no_admin_form_offers_a_status_and_no_admin_has_its_own_actions(superuser_request):
    for model, model_admin in admin.site._registry.items():
        statuses = {f.name for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin)}
        if model_admin.has_change_permission(superuser_request) or model_admin.has_add_permission(superuser_request):
            form_fields = set(model_admin.get_form(superuser_request).base_fields)
            assert not statuses & form_fields, (model, statuses & form_fields)
        for inline in model_admin.get_inline_instances(superuser_request):
            inline_statuses = {f.name for f in inline.model._meta.concrete_fields if isinstance(f, FSMFieldMixin)}
            if inline.has_change_permission(superuser_request) or inline.has_add_permission(superuser_request, None):
                fields = set(inline.get_formset(superuser_request).form.base_fields)
                assert not inline_statuses & fields, (model, inline.model)
        # the only bulk action Django offers is deleting, and only where deleting is allowed; besides it, only
        # actions that touch no status: django-axes' clean-up of expired lockouts, the two-factor reset
        allowed = {"delete_selected"} | OWN_ACTIONS.get(model, set())
        assert set(model_admin.get_actions(superuser_request)) <= allowed, model


@pytest.fixture
def staff_client(client):
    superuser = UserFactory(is_staff=True, is_superuser=True, language="en")
    client.force_login(superuser)
    return client


def test_a_superuser_cannot_rewrite_a_submitted_expert_score(staff_client, world):
    proposal = world.assigned()
    review = world.reviews[0]
    world.score(review, values=(Decimal("8"), Decimal("4")))
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    score = review.scores.order_by("criterion__order", "pk").first()
    audit_before = AuditEntry.objects.count()

    url = reverse("admin:reviews_score_change", args=[score.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and 'name="value"' not in page.content.decode()
    response = staff_client.post(url, {"review": review.pk, "criterion": score.criterion_id, "value": "1.00"})
    assert response.status_code == 403
    review_response = staff_client.post(reverse("admin:reviews_review_change", args=[review.pk]),
                                        {"status": "draft", "scores-0-value": "1.00"})
    assert review_response.status_code == 403
    score.refresh_from_db()
    assert score.value == Decimal("8.00") and AuditEntry.objects.count() == audit_before
    assert proposal.reviews.get(pk=review.pk).status == ReviewStatus.SUBMITTED


def fund_form(fund, **changes):
    """The admin's change form for `fund` as it is, with `changes`."""
    return {"name_zh": fund.name_zh, "name_en": fund.name_en, "size": str(fund.size), "currency": fund.currency,
            "starts_on": fund.starts_on.isoformat(), "ends_on": "", "instruments": json.dumps(fund.instruments),
            "four_eyes_threshold": "" if fund.four_eyes_threshold is None else str(fund.four_eyes_threshold),
            "ledger-TOTAL_FORMS": "0", "ledger-INITIAL_FORMS": "0", "ledger-MIN_NUM_FORMS": "0",
            "ledger-MAX_NUM_FORMS": "1000", **changes}


def test_the_admin_cannot_shrink_a_fund_below_what_it_committed(staff_client):
    fund = FundFactory(size=Decimal("1000000.00"))
    LedgerEntryFactory(fund=fund, amount=Decimal("700000.00"))
    url = reverse("admin:funding_fund_change", args=[fund.pk])

    refused = staff_client.post(url, fund_form(fund, size="300000.00"), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "cannot be smaller than what it has committed: 700,000.00" in refused.content.decode()
    fund.refresh_from_db()
    assert fund.size == Decimal("1000000.00")
    assert not AuditEntry.objects.filter(action="fund.terms_changed").exists()

    currency = staff_client.post(url, fund_form(fund, currency="USD"), HTTP_ACCEPT_LANGUAGE="en")
    assert currency.status_code == 200 and "currency cannot change" in currency.content.decode()

    accepted = staff_client.post(url, fund_form(fund, size="800000.00"), HTTP_ACCEPT_LANGUAGE="en")
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    fund.refresh_from_db()
    assert fund.size == Decimal("800000.00")
    entry = AuditEntry.objects.get(action="fund.terms_changed")
    assert entry.data == {"fund": fund.pk, "before": {"size": "1000000.00", "currency": fund.currency},
                          "after": {"size": "800000.00", "currency": fund.currency}}
