"""The statistics funnel: figures on a realistic mix reached through the services, each grouping,
the period filter, and a query count that does not grow with proposals or calls."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from funding.enums import LedgerKind
from funding.models import LedgerEntry
from funding.services.ledger import record_release
from incubation.enums import ProjectStatus
from incubation.models import Company, FinancingRound, Project, TechContract
from incubation.selectors.statistics import funnel
from incubation.services import close_project
from proposals.enums import Field, ProposalStatus as S, Transition
from proposals.models import Proposal
from proposals.services.transition import transition_proposal
from tests.factories import CallFactory, ProposalFactory, UserFactory
from tests.helpers import World
from workflows import services

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def submitted_on(proposal, when):
    """Arrange the submission time (the services stamp 'now')."""
    Proposal.objects.filter(pk=proposal.pk).update(submitted_at=when)


def figures(row):
    return row.values()


@pytest.fixture
def mix():
    """Call A (IT and materials) through every stage; call B (biomed) only submitted and screened.

    Call A: p1 submitted; p2 in review; p3 in panel; p8 rejected by the panel; p9 withdrawn after
    screening; p5 funded 200,000 and terminated (the whole commitment returned); p6 funded 200,000
    with 50,000 paid and a company; p7 funded 300,000, graduated, with a company, a 3,000,000
    financing round and two registered contracts (500,000 + 300,000); p4 approved (public notice).
    """
    a = World()
    b = World(call=CallFactory(title_zh="2025年度生物医药概念验证", title_en="2025 Biomed PoC",
                               opens_at=timezone.now() - dt.timedelta(days=400),
                               closes_at=timezone.now() + dt.timedelta(days=20)))
    p5 = a.incubating(amount=Decimal("200000.00"), field=Field.IT)
    p6 = a.incubating(amount=Decimal("200000.00"), field=Field.IT)
    p7 = a.incubating(amount=Decimal("300000.00"), field=Field.MATERIALS)
    close_project(project=p5, actor=a.incubator, outcome=ProjectStatus.TERMINATED, note="团队解散")
    record_release(proposal=p6.proposal, amount=Decimal("50000.00"), actor=a.fund_manager, reference="BANK-001",
                   key="test:p6:1")
    close_project(project=p7, actor=a.incubator, outcome=ProjectStatus.GRADUATED, note="验收通过")
    for project, name in ((p6, "星辰科技有限公司"), (p7, "钙钛矿光电有限公司")):
        Company.objects.create(project=project, name=name, founded_on=dt.date(2026, 6, 1),
                               registered_capital=Decimal("1000000.00"), recorded_by=a.incubator)
    FinancingRound.objects.create(project=p7, name="天使轮", closed_on=dt.date(2026, 9, 1), amount=Decimal("3000000.00"),
                                  investors="某天使基金", pre_money_valuation=Decimal("20000000.00"), recorded_by=a.incubator)
    for number, amount in (("2026110100001", Decimal("500000.00")), ("2026110100002", Decimal("300000.00"))):
        TechContract.objects.create(project=p7, kind="licence", counterparty="某企业", amount=amount,
                                    signed_on=dt.date(2026, 10, 1), registration_number=number,
                                    registered_on=dt.date(2026, 10, 8), recorded_by=a.incubator)
    p8 = a.in_panel(field=Field.IT)
    services.decide_panel(proposal=p8, officer=a.officer, outcome="reject", feedback="创新性不足")
    p9 = a.screened(field=Field.MATERIALS)
    services.withdraw_proposal(proposal=p9, actor=p9.applicant, note="撤回")
    p3 = a.in_panel(field=Field.MATERIALS)
    p2 = a.screened(field=Field.IT)
    p1 = a.submitted(field=Field.IT)
    p4 = a.approved(field=Field.IT)  # last: publishing a notice would move every approved proposal on
    b1 = b.submitted(field=Field.BIOMED)
    b2 = b.screened(field=Field.BIOMED)
    a.draft = a.proposal(field=Field.IT)  # never submitted: not counted anywhere
    # periods: call A in 2026 Q1 (p1–p4) and Q3 (the rest); call B in 2025 Q3 and on 31 Dec 2025 late evening
    for p in (p1, p2, p3, p4):
        submitted_on(p, at(2026, 2, 10))
    for p in (p5.proposal, p6.proposal, p7.proposal, p8, p9):
        submitted_on(p, at(2026, 8, 20))
    submitted_on(b1, at(2025, 8, 1))
    submitted_on(b2, at(2025, 12, 31, 23, 30))  # 15:30 UTC: still 2025 Q4 in Shanghai
    states = dict(Proposal.objects.values_list("pk", "status"))
    assert [states[p.pk] for p in (p1, p2, p3, p4, p8, p9, b2)] == [
        S.SUBMITTED, S.IN_REVIEW, S.PANEL, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.IN_REVIEW]
    return a, b


# entered, screened, reviewed, approved, funded, committed, paid, graduated, companies, financing, contracts
CALL_A = [9, 8, 6, 4, 3, Decimal("500000.00"), Decimal("50000.00"), 1, 2, Decimal("3000000.00"), Decimal("800000.00")]
CALL_B = [2, 1, 0, 0, 0, ZERO, ZERO, 0, 0, ZERO, ZERO]


def test_funnel_per_call_counts_every_stage_ever_reached(mix):
    a, b = mix

    with translation.override("zh-hans"):
        result = funnel(group="call")

    # call A opened later than call B, so it comes first (newest call first)
    assert [(row.key, row.label, figures(row)) for row in result.rows] == [
        (a.call.pk, "2026年度概念验证项目申报", CALL_A),
        (b.call.pk, "2025年度生物医药概念验证", CALL_B),
    ]
    assert figures(result.total) == [a_ + b_ for a_, b_ in zip(CALL_A, CALL_B)]


def test_a_later_rejection_or_withdrawal_does_not_remove_a_proposal_from_the_stages_it_passed(mix):
    a, b = mix
    rejected = Proposal.objects.get(status=S.REJECTED)
    withdrawn = Proposal.objects.get(status=S.WITHDRAWN)
    only = {"date_from": dt.date(2026, 8, 20), "date_to": dt.date(2026, 8, 20)}

    Proposal.objects.exclude(pk__in=[rejected.pk, withdrawn.pk]).update(submitted_at=at(2026, 1, 1))
    [row] = funnel(group="call", **only).rows

    assert figures(row)[:5] == [2, 2, 1, 0, 0]


def test_funnel_per_field(mix):
    with translation.override("en"):
        result = funnel(group="field")

    assert [(row.key, row.label, figures(row)[:8]) for row in result.rows] == [
        (Field.BIOMED, "Biomedicine and health", [2, 1, 0, 0, 0, ZERO, ZERO, 0]),
        # p1, p2, p4, p5, p6, p8
        (Field.IT, "Information technology and AI", [6, 5, 4, 3, 2, Decimal("200000.00"), Decimal("50000.00"), 0]),
        # p3, p7, p9
        (Field.MATERIALS, "Advanced materials", [3, 3, 2, 1, 1, Decimal("300000.00"), ZERO, 1]),
    ]
    assert figures(result.rows[2])[8:] == [1, Decimal("3000000.00"), Decimal("800000.00")]


def test_funnel_per_year_and_per_quarter_of_submission_in_local_time(mix):
    with translation.override("en"):
        years = funnel(group="year")
        quarters = funnel(group="quarter")

    assert [(row.label, figures(row)[:5]) for row in years.rows] == [
        ("2025", [2, 1, 0, 0, 0]),
        ("2026", [9, 8, 6, 4, 3]),
    ]
    assert [(row.key, row.label, figures(row)[:7]) for row in quarters.rows] == [
        (dt.date(2025, 7, 1), "2025 Q3", [1, 0, 0, 0, 0, ZERO, ZERO]),
        (dt.date(2025, 10, 1), "2025 Q4", [1, 1, 0, 0, 0, ZERO, ZERO]),
        (dt.date(2026, 1, 1), "2026 Q1", [4, 3, 2, 1, 0, ZERO, ZERO]),
        (dt.date(2026, 7, 1), "2026 Q3", [5, 5, 4, 3, 3, Decimal("500000.00"), Decimal("50000.00")]),
    ]


def test_the_period_filter_takes_local_days_with_both_ends_included(mix):
    a, b = mix

    late_2025 = funnel(group="call", date_from=dt.date(2025, 12, 31), date_to=dt.date(2025, 12, 31))
    from_2026 = funnel(group="call", date_from=dt.date(2026, 1, 1))
    until_feb = funnel(group="call", date_to=dt.date(2026, 2, 10))
    empty = funnel(group="call", date_from=dt.date(2027, 1, 1))

    assert [(row.key, figures(row)[:2]) for row in late_2025.rows] == [(b.call.pk, [1, 1])]
    assert [(row.key, figures(row)) for row in from_2026.rows] == [(a.call.pk, CALL_A)]
    assert [(row.key, figures(row)[:5]) for row in until_feb.rows] == [(a.call.pk, [4, 3, 2, 1, 0]),
                                                                        (b.call.pk, [2, 1, 0, 0, 0])]
    assert (empty.rows, figures(empty.total)) == ([], [0, 0, 0, 0, 0, ZERO, ZERO, 0, 0, ZERO, ZERO])


def test_an_approval_sent_back_to_the_panel_no_longer_counts_as_approved(mix):
    a, b = mix
    approved = Proposal.objects.get(status=S.APPROVED)

    transition_proposal(proposal=approved, transition=Transition.REOPEN_PANEL, actor=a.officer, note="异议成立")

    [row] = funnel(group="call", date_from=dt.date(2026, 2, 10), date_to=dt.date(2026, 2, 10)).rows
    assert figures(row)[:4] == [4, 3, 2, 0]


# query count

def populate(n):
    """n calls with one submitted proposal each, its commitment, project, company, round and contract."""

    user = UserFactory()
    for index in range(n):
        proposal = ProposalFactory(call=CallFactory(), field=Field.values[index % len(Field.values)])
        submitted_on(proposal, at(2025 + index % 2, 1 + 3 * (index % 4), 5))
        LedgerEntry.objects.create(fund=proposal.call.fund, kind=LedgerKind.COMMITMENT, amount=Decimal("1000.00"),
                                   proposal=proposal)
        project = Project.objects.create(proposal=proposal)
        Company.objects.create(project=project, name=f"公司{index}", founded_on=dt.date(2025, 1, 1),
                               registered_capital=Decimal("1.00"), recorded_by=user)
        FinancingRound.objects.create(project=project, name="A", closed_on=dt.date(2025, 1, 1), amount=Decimal("10.00"),
                                      investors="x", recorded_by=user)
        TechContract.objects.create(project=project, kind="licence", counterparty="x", amount=Decimal("5.00"),
                                    signed_on=dt.date(2025, 1, 1), registration_number=f"R{index}",
                                    registered_on=dt.date(2025, 1, 1), recorded_by=user)


# stages, ledger, projects, financing rounds, contracts (+ the call titles when grouped by call)
QUERIES = {"call": 6, "field": 5, "year": 5, "quarter": 5}


@pytest.mark.parametrize("n", [2, 10])
@pytest.mark.parametrize("group", list(QUERIES))
def test_the_number_of_queries_does_not_grow_with_proposals_or_calls(n, group, django_assert_num_queries):
    populate(n)

    with django_assert_num_queries(QUERIES[group]):
        result = funnel(group=group)

    assert (figures(result.total)[0], figures(result.total)[5], figures(result.total)[8:]) == (
        n, Decimal("1000.00") * n, [n, Decimal("10.00") * n, Decimal("5.00") * n])
