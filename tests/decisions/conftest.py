"""Letters read recorded decisions; these fixtures create those rows directly."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Organisation
from funding.models import FundingDecision
from reviews.models import PanelDecision, Review, Score
from tests.factories import CriterionFactory, ProposalFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
RARE_NAME = "王喆堃昇珺玥"  # none of 喆 堃 昇 珺 玥 is in GB2312


@pytest.fixture
def applicant(db):
    return UserFactory(role="researcher", full_name=RARE_NAME)


@pytest.fixture
def decided_at():
    # 23:30 UTC on 4 March is 07:30 on 5 March in the call's time zone
    return dt.datetime(2026, 3, 5, 7, 30, tzinfo=SHANGHAI)


def make_proposal(*, applicant, language="zh-hans", reference="POC-2026-0007", title="高效钙钛矿电池概念验证"):
    return ProposalFactory(
        applicant=applicant, language=language, reference=reference, title=title, institution="清华大学",
    )


def approve_funding(*, proposal, decided_at, amount=Decimal("300000.00")):
    return FundingDecision.objects.create(
        proposal=proposal, fund=proposal.call.fund, outcome="approved", instrument="grant",
        amount=amount, decided_by=UserFactory(role="fund_manager"), decided_at=decided_at,
    )


@pytest.fixture
def funded_proposal(applicant, decided_at):
    proposal = make_proposal(applicant=applicant)
    approve_funding(proposal=proposal, decided_at=decided_at)
    return proposal


# (expert name, organisation, scores for criteria weighted 60 and 40, opinion, confidential note)
EXPERTS = [
    ("李评审", "北京评审研究院", (8, 6), "创新性突出，但市场分析不足。", "机密：团队负责人与我曾有合作纠纷。"),
    ("赵专家", "上海专家咨询公司", (5, 5), "技术路线尚不成熟，建议补充中试数据。", "机密：估值明显偏高。"),
    ("Jane Reviewer", "Oxford Review Lab", (9, 7), "Strong team; the budget needs detail.", "CONFIDENTIAL: do not fund."),
]
EXPECTED_TOTALS = ["72.00", "50.00", "82.00"]  # (v1/10*60 + v2/10*40) / 100 * 100
EXPECTED_MEAN = "68.00"
PANEL_FEEDBACK = "专家组认为项目的产业化路径尚需论证。"


def add_reviews(*, proposal):
    first = CriterionFactory(call=proposal.call, weight=Decimal("60"), max_score=Decimal("10"))
    second = CriterionFactory(call=proposal.call, weight=Decimal("40"), max_score=Decimal("10"))
    reviews = []
    for n, (name, org, (v1, v2), opinion, note) in enumerate(EXPERTS):
        expert = UserFactory(role="expert", full_name=name, organisation=Organisation.objects.create(name=org))
        review = Review.objects.create(
            proposal=proposal, expert=expert, status="submitted", opinion=opinion, panel_note=note,
            submitted_at=dt.datetime(2026, 2, 1 + n, tzinfo=SHANGHAI),
        )
        Score.objects.create(review=review, criterion=first, value=Decimal(v1))
        Score.objects.create(review=review, criterion=second, value=Decimal(v2))
        reviews.append(review)
    # an unfinished review never reaches the applicant
    Review.objects.create(
        proposal=proposal, expert=UserFactory(role="expert", full_name="孙草稿"), status="draft",
        opinion="草稿意见不应出现。",
    )
    return reviews


@pytest.fixture
def rejected_proposal(applicant, decided_at):
    # English, so the tests can name the letter's labels whatever the Chinese catalog says
    proposal = make_proposal(applicant=applicant, language="en")
    add_reviews(proposal=proposal)
    PanelDecision.objects.create(
        proposal=proposal, outcome="reject", feedback=PANEL_FEEDBACK,
        decided_by=UserFactory(role="panel_chair"), decided_at=decided_at,
    )
    return proposal
