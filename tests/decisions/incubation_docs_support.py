"""Projects for the incubation-document tests, reached through the real services where they exist
(World: funding, start, agreement issue and signature; incubation.services.money: releases). The
mid-term check, acceptance and settlement rows are created directly: their services are written
in parallel, and the documents read only the rows."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from incubation.enums import AcceptanceOutcome, MidtermOutcome, SettlementKind
from incubation.models import Acceptance, FinancingRound, Kpi, MidtermCheck, Settlement, Tranche
from incubation.services.money import release_tranche
from tests.factories import UserFactory
from tests.helpers import World

RARE_NAME = "王喆堃昇珺玥"  # none of 喆 堃 昇 珺 玥 is in GB2312
KPI_NAME = "光电转换效率"


class DocsWorld(World):
    def project(self, *, language="zh-hans", instrument="grant", amount=Decimal("200000.00"), title=None):
        applicant = UserFactory(role=Role.RESEARCHER, full_name=RARE_NAME)
        kwargs = {"applicant": applicant, "language": language}
        if title:
            kwargs["title"] = title
        project = self.incubating(amount=amount, instrument=instrument, **kwargs)
        Kpi.objects.create(project=project, name=KPI_NAME, unit="%", target=Decimal("25.50"),
                           due_date=timezone.localdate() + dt.timedelta(days=300))
        return project

    def tranches(self, project):
        return list(Tranche.objects.filter(agreement__project=project).order_by("order"))

    def release(self, tranche, reference):
        return release_tranche(tranche=tranche, actor=self.fund_manager, reference=reference)[0]

    def midterm_passed(self, project):
        return MidtermCheck.objects.create(project=project, outcome=MidtermOutcome.CONTINUE, findings="进展良好",
                                           decided_by=self.incubator)

    def acceptance(self, project, *, outcome, round=1, findings="各项指标均已完成。"):
        return Acceptance.objects.create(project=project, round=round, outcome=outcome, findings=findings,
                                         decided_by=self.incubator,
                                         rectification_deadline=(timezone.localdate() + dt.timedelta(days=30)
                                                                 if outcome == AcceptanceOutcome.RECTIFY else None))

    def conversion(self, project, *, converted=Decimal("1000000.00"), pre_money=Decimal("20000000.00"),
                   round_amount=Decimal("5000000.00"), concession=Decimal("20"), stake=Decimal("3.076923")):
        financing = FinancingRound.objects.create(
            project=project, name="天使轮", closed_on=dt.date(2026, 6, 30), amount=round_amount,
            investors="某某创投", pre_money_valuation=pre_money, recorded_by=self.incubator)
        return Settlement.objects.create(
            project=project, kind=SettlementKind.CONVERTED, amount=converted, financing_round=financing,
            pre_money_valuation=pre_money, round_amount=round_amount, concession_pct=concession, stake_pct=stake,
            method="post-money-v1", decided_by=self.fund_manager)
