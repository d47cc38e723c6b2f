"""Reach proposal states through the real services (never by setting status=)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from incubation.models import Agreement, BudgetLine
from incubation.services.agreement import issue_agreement, record_signed_copy
from proposals.enums import ScreeningOutcome
from reviews.services.notice import close_due_notices, publish_notice
from tests.factories import CallFactory, ChecklistItemFactory, CriterionFactory, ProposalFactory, UserFactory
from tests.forms.samples import PDF, upload
from workflows import services


class BaseWorld:
    """What every world shares: `call`, its `checklist` and an `officer` (set by the subclass),
    and the way to a screened proposal through the real services."""

    def proposal(self, **kwargs):
        return ProposalFactory(call=self.call, **kwargs)

    def submitted(self, **kwargs):
        p = ProposalFactory(call=self.call, **kwargs)  # not self.proposal(): tests may set w.proposal
        services.submit_proposal(proposal=p, actor=p.applicant)
        p.refresh_from_db()
        return p

    def screened(self, **kwargs):
        p = self.submitted(**kwargs)
        services.screen_proposal(proposal=p, officer=self.officer, outcome=ScreeningOutcome.PASS,
                                 checklist={str(i.pk): True for i in self.checklist})
        p.refresh_from_db()
        return p


class World(BaseWorld):
    """A call with a two-criterion rubric, staff of every role and three experts."""

    def __init__(self, *, experts=3, call=None):
        self.call = call or CallFactory()
        self.criteria = [CriterionFactory(call=self.call, weight=Decimal("60"), max_score=Decimal("10")),
                         CriterionFactory(call=self.call, weight=Decimal("40"), max_score=Decimal("5"))]
        self.checklist = [ChecklistItemFactory(call=self.call)]
        self.officer = UserFactory(role=Role.PROGRAM_OFFICER)
        self.fund_manager = UserFactory(role=Role.FUND_MANAGER)
        self.incubator = UserFactory(role=Role.INCUBATION_MANAGER)
        self.experts = [UserFactory(role=Role.EXPERT) for _ in range(experts)]

    def assigned(self, **kwargs):
        p = self.screened(**kwargs)
        self.reviews = services.assign_experts(proposal=p, officer=self.officer, experts=self.experts)
        p.refresh_from_db()
        return p

    def score(self, review, values=(Decimal("8"), Decimal("4")), *, recommendation="support", confidence="high",
              veto=False, veto_reason=""):
        """Submit the review through the flow; a value may be "na" for N/A where the criterion allows it."""
        return services.submit_review(review=review, expert=review.expert,
                                      scores={c.pk: v for c, v in zip(self.criteria, values)},
                                      opinion=f"意见 {review.pk}", panel_note=f"机密 {review.pk}",
                                      recommendation=recommendation, confidence=confidence, veto=veto,
                                      veto_reason=veto_reason)

    def in_panel(self, values=(Decimal("8"), Decimal("4")), **kwargs):
        """Every assigned expert submitted `values`."""
        p = self.assigned(**kwargs)
        for review in self.reviews:
            self.score(review, values)
        p.refresh_from_db()
        return p

    def approved(self, values=(Decimal("8"), Decimal("4")), **kwargs):
        """Approved by the panel; with a notice period (the call's default) it waits for the public notice."""
        p = self.in_panel(values, **kwargs)
        services.decide_panel(proposal=p, officer=self.officer, outcome="approve", feedback="同意立项")
        p.refresh_from_db()
        return p

    def publish(self, **kwargs):
        """Publish the call's public notice (公示) of the proposals approved so far."""
        kwargs.setdefault("title_zh", "关于拟立项项目的公示")
        return publish_notice(call=self.call, published_by=self.officer, **kwargs)

    def notice_closed(self, proposal):
        """Publish the call's public notice and let its period end with no objection: the approval is final."""
        notice = publish_notice(call=self.call, published_by=self.officer, title_zh="拟立项项目公示")
        close_due_notices(now=notice.ends_at)
        proposal.refresh_from_db()
        return notice

    def in_funding(self, **kwargs):
        p = self.approved(**kwargs)
        if self.call.notice_days:
            self.notice_closed(p)
        p.refresh_from_db()
        return p

    def funded(self, amount=Decimal("200000.00"), **kwargs):
        p = self.in_funding(**kwargs)
        services.decide_funding(proposal=p, manager=self.fund_manager, approve=True, amount=amount)
        p.refresh_from_db()
        return p

    def incubating(self, amount=Decimal("200000.00"), *, instrument="grant", milestones=None, **kwargs):
        """Funded and started: a project with milestones and the draft agreement (60/30/10)."""

        if instrument != "grant":
            p = self.in_funding(**kwargs)
            services.decide_funding(proposal=p, manager=self.fund_manager, approve=True, amount=amount,
                                    instrument=instrument)
            p.refresh_from_db()
        else:
            p = self.funded(amount=amount, **kwargs)
        today = timezone.localdate()
        milestones = milestones or [{"title": "样机完成", "due_date": today + dt.timedelta(days=180)},
                                    {"title": "中试验证", "due_date": today + dt.timedelta(days=360)}]
        return services.start_incubation(proposal=p, manager=self.incubator, milestones=milestones)

    def signed(self, project, **terms):
        """Complete the draft agreement (one budget line for the whole amount, plus `terms`), issue
        it and upload a signed PDF: the signature gate is met."""

        agreement = Agreement.objects.get(project=project)
        BudgetLine.objects.get_or_create(agreement=agreement, category="equipment", defaults={"amount": agreement.amount})
        if terms:
            Agreement.objects.filter(pk=agreement.pk).update(**terms)
        issue_agreement(agreement=agreement, actor=self.incubator)
        record_signed_copy(agreement=agreement, actor=self.incubator, uploaded_file=upload("signed.pdf", PDF),
                           signed_on=timezone.localdate())
        project.refresh_from_db()
        return Agreement.objects.get(pk=agreement.pk)
