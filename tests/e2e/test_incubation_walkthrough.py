"""A funded project's whole life through the web pages: agreement, signature, tranches gated by
the mid-term check and acceptance, a quarterly report from the sweep, outcomes with a
technology manager's commission, the documents and the statistics. Each role at its own browser."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from decisions.enums import DocumentKind
from decisions.models import Document
from funding.enums import CommissionEntryKind, LedgerKind
from funding.models import CommissionEntry, CommissionRule, LedgerEntry
from funding.selectors import fund_balance
from incubation.enums import AgreementStatus, ProjectStatus, ReportStatus, TrancheStatus
from incubation.models import Agreement, ProgressReport, Tranche
from tests.e2e.html import page_form
from tests.factories import UserFactory
from tests.forms.samples import PDF
from tests.helpers import World
from workflows.tasks import sweep

pytestmark = pytest.mark.django_db


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def post_form(client, page_url, action, **values):
    """GET the page, take the form that posts to `action`, type `values` in and submit it."""
    page = client.get(page_url)
    assert page.status_code == 200
    form = page_form(page, action=action)
    return client.post(action, form.data(**values))


def test_a_funded_project_goes_from_agreement_to_graduation_through_the_web_pages(django_capture_on_commit_callbacks):
    w = World()
    project = w.incubating(amount=Decimal("200000.00"))
    fund = project.proposal.call.fund
    available_after_commitment = fund_balance(fund)["available"]
    team = browser(project.proposal.applicant)
    incubator = browser(w.incubator)
    funder = browser(w.fund_manager)
    agreement_url = reverse("incubation:agreement", args=[project.pk])

    # the incubation manager completes the budget and keeps the default 60/30/10 schedule
    response = post_form(incubator, agreement_url, reverse("incubation:agreement_budget", args=[project.pk]),
                         **{"budget-0-amount": "150000.00", "budget-1-amount": "50000.00"})
    assert response.status_code == 302
    # a schedule that does not add up is refused and changes nothing
    response = post_form(incubator, agreement_url, reverse("incubation:agreement_tranches", args=[project.pk]),
                         **{"tr-2-percent": "5"})
    assert response.status_code == 400
    assert sorted(Tranche.objects.filter(agreement__project=project).values_list("percent", flat=True)) == [
        Decimal("10.00"), Decimal("30.00"), Decimal("60.00")]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(incubator, agreement_url, reverse("incubation:agreement_issue", args=[project.pk]))
    assert response.status_code == 302
    assert Document.objects.filter(proposal=project.proposal, kind=DocumentKind.FUNDING_AGREEMENT).count() == 1

    # the team uploads the signed copy
    page = team.get(agreement_url)
    action = reverse("incubation:agreement_upload_signed", args=[project.pk])
    form = page_form(page, action=action)
    response = team.post(action, {**form.data(), "signed-file": SimpleUploadedFile("任务书-签署.pdf", PDF)})
    assert response.status_code == 302
    agreement = Agreement.objects.get(project=project)
    assert agreement.status == AgreementStatus.SIGNED
    first, second, retained = agreement.tranches.order_by("order")

    # the fund manager pays the first tranche from the queue; a double click pays once
    queue_url = reverse("incubation:disbursements")
    release_first = reverse("incubation:release_tranche", args=[first.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert post_form(funder, queue_url, release_first, **{f"release-{first.pk}-reference": "BOC-0001"}).status_code == 302
        assert funder.post(release_first, {f"release-{first.pk}-reference": "BOC-0001",
                                           f"release-{first.pk}-back": "queue"}).status_code in (200, 302)
    releases = LedgerEntry.objects.filter(proposal=project.proposal, kind=LedgerKind.RELEASE)
    assert list(releases.values_list("amount", "reference")) == [(Decimal("120000.00"), "BOC-0001")]
    # the second tranche waits for the mid-term check
    response = funder.post(reverse("incubation:release_tranche", args=[second.pk]),
                           {f"release-{second.pk}-reference": "BOC-0002"})
    assert response.status_code == 400
    assert releases.count() == 1

    # the sweep asks for the quarter's report; the team submits it and the manager accepts it
    quarter_over = timezone.make_aware(dt.datetime(timezone.localdate().year + 1, 1, 2, 9))
    outbox_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep(now=quarter_over)
    assert counts["reports_requested"] == 1
    assert len(mail.outbox) > outbox_before
    report = ProgressReport.objects.get(project=project)
    report_url = reverse("incubation:report", args=[report.pk])
    form = page_form(team.get(report_url), action=reverse("incubation:report_save", args=[report.pk]))
    response = team.post(form.action, {**form.data(**{"report-summary": "完成样机设计与关键部件试制。",
                                                      "report-problems": "关键材料供货周期长。",
                                                      "report-next_steps": "开展中试验证。",
                                                      "report-spent": "80000.00"}), "submit": "1"})
    assert response.status_code == 302
    review = page_form(incubator.get(report_url), action=reverse("incubation:report_review", args=[report.pk]))
    decision = next(value for value in review.options["review-decision"] if value.startswith("accept"))
    assert incubator.post(review.action, review.data(**{"review-decision": decision})).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    # the mid-term check lets the second tranche go
    midterm_url = reverse("incubation:midterm", args=[project.pk])
    form = page_form(incubator.get(midterm_url), action="")
    response = incubator.post(midterm_url, form.data(**{"midterm-outcome": "continue", "midterm-findings": "按计划推进。"}))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert post_form(funder, queue_url, reverse("incubation:release_tranche", args=[second.pk]),
                         **{f"release-{second.pk}-reference": "BOC-0002"}).status_code == 302

    # a technology manager is assigned; a registered licence accrues the commission
    CommissionRule.objects.create(fund=fund, name="固定比例 5%", kind="flat", basis="contracts", rate_pct=Decimal("5"))
    tech = UserFactory(role=Role.TECHNOLOGY_MANAGER)
    outcomes_url = reverse("incubation:outcomes", args=[project.pk])
    assert post_form(incubator, outcomes_url, reverse("incubation:assign_tech_manager", args=[project.pk]),
                     **{"assign-manager": str(tech.pk), "assign-stage": "transfer"}).status_code == 302
    today = timezone.localdate()
    assert post_form(incubator, outcomes_url, reverse("incubation:record_contract", args=[project.pk]), **{
        "contract-kind": "licence", "contract-counterparty": "苏州某医疗器械有限公司", "contract-amount": "300000.00",
        "contract-signed_on": today.isoformat(), "contract-registration_number": "2026320500001234",
        "contract-registered_on": today.isoformat()}).status_code == 302
    accrual = CommissionEntry.objects.get(manager=tech, kind=CommissionEntryKind.ACCRUAL)
    assert (accrual.basis_amount, accrual.amount) == (Decimal("300000.00"), Decimal("15000.00"))
    assert browser(tech).get(reverse("incubation:tech_home")).status_code == 200

    # final acceptance passes: the project graduates and the retained 10 % is paid
    acceptance_url = reverse("incubation:acceptance", args=[project.pk])
    form = page_form(incubator.get(acceptance_url), action="")
    with django_capture_on_commit_callbacks(execute=True):
        response = incubator.post(acceptance_url, form.data(**{"acceptance-outcome": "pass",
                                                               "acceptance-findings": "各项考核指标均已完成。"}))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.GRADUATED
    with django_capture_on_commit_callbacks(execute=True):
        assert post_form(funder, queue_url, reverse("incubation:release_tranche", args=[retained.pk]),
                         **{f"release-{retained.pk}-reference": "BOC-0003"}).status_code == 302
    assert set(Tranche.objects.filter(agreement=agreement).values_list("status", flat=True)) == {TrancheStatus.RELEASED}
    balance = fund_balance(fund)
    assert (balance["paid"], balance["available"]) == (Decimal("200000.00"), available_after_commitment)

    # every step left its document; the team can download them and anyone can verify one
    kinds = list(Document.objects.filter(proposal=project.proposal).values_list("kind", flat=True))
    assert kinds.count(DocumentKind.TRANCHE_NOTICE) == 3
    assert kinds.count(DocumentKind.ACCEPTANCE_CERTIFICATE) == 1
    certificate = Document.objects.get(proposal=project.proposal, kind=DocumentKind.ACCEPTANCE_CERTIFICATE)
    assert team.get(reverse("decisions:download", args=[certificate.pk])).status_code == 200
    data = certificate.file.open("rb").read()
    anonymous = Client()
    verified = anonymous.post(reverse("decisions:verify"), {"file": SimpleUploadedFile("certificate.pdf", data)})
    assert verified.context["document"] == certificate
    altered = anonymous.post(reverse("decisions:verify"),
                             {"file": SimpleUploadedFile("certificate.pdf", data[:-10] + b"0" + data[-9:])})
    assert altered.context["checked"] and altered.context["document"] is None

    # the statistics count the project and its money
    stats = incubator.get(reverse("statistics:funnel"))
    assert stats.status_code == 200
    total = stats.context["funnel"].total
    assert total.funded == 1 and total.graduated == 1
    assert total.paid == Decimal("200000.00") and total.contracts == Decimal("300000.00")
