"""Incubation, in Chinese, each in a real browser: the incubation manager accepts the team's quarterly
report, then the first tranche is released from the disbursement queue (money moves by a fund manager's
hand: incubation.rules) and the proposal's history names every state in Chinese."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from incubation.enums import ReportStatus, TrancheStatus
from incubation.models import ProgressReport
from incubation.services.reports import request_due_reports, save_report
from tests.browser.conftest import field, zh
from tests.helpers import World


def test_a_report_is_accepted_and_a_tranche_released_in_chinese(open_browser):
    # arrange: a signed project whose first quarterly report the team has submitted
    world = World()
    project = world.incubating(amount=Decimal("200000.00"))
    agreement = world.signed(project)
    request_due_reports(today=timezone.localdate().replace(month=1, day=2) + dt.timedelta(days=366))
    report = ProgressReport.objects.filter(project=project).order_by("period_start").first()
    save_report(report=report, actor=project.proposal.applicant, summary="完成样机设计。", problems="供货周期长。",
                next_steps="开展中试。", spent=Decimal("80000.00"), submit=True)
    first = agreement.tranches.order_by("order").first()

    # the incubation manager accepts the report
    manager = open_browser("incubation-manager")
    manager.log_in(world.incubator)
    manager.goto(reverse("incubation:report", args=[report.pk]), "report")
    manager.page.get_by_role("radio", name=zh("Accept the report")).check()
    manager.submit(manager.page.get_by_role("button", name=zh("Record the decision")))
    manager.check("report-accepted")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    # the first tranche is released from the queue with the bank voucher's number
    funder = open_browser("fund-manager")
    funder.log_in(world.fund_manager)
    funder.goto(reverse("incubation:disbursements"), "queue")
    row = funder.page.get_by_role("row").filter(has=funder.page.get_by_role("link", name=str(project.proposal)))
    field(row, "Payment reference").fill("BOC-0001")
    funder.submit(row.get_by_role("button", name=zh("Release"), exact=True))
    funder.check("released")
    first.refresh_from_db()
    assert first.status == TrancheStatus.RELEASED

    # the history shows the report's and the tranche's states in Chinese
    manager.goto(reverse("proposals:detail", args=[project.proposal.pk]), "history")
