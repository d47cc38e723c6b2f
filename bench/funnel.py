"""Benchmark: the statistics funnel (issue #4, item 9) on a centre's multi-year history.

A seeded synthetic history written with bulk inserts into a throwaway test database: 12 calls
over three years, 10,000 submitted proposals across every field, each with the audit trail of the
states it went through (about 45,000 audit rows), about 1,500 funded proposals with their commitment and
one to three releases (two percent later stopped, with a return), one project each (a third
graduated), 500 companies, 400 financing rounds and 600 registered technology contracts.

Prints, all measured here: for each grouping (call, field, year, quarter) the time of
`incubation.selectors.statistics.funnel()` (median of 3) and its number of queries, plus the CSV and XLSX
exports of the call grouping.
"""

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

SEED = 20261122
CALLS = 12
PROPOSALS = 10_000
T0 = dt.datetime(2024, 1, 10, 8, 0, tzinfo=dt.UTC)
# the path a proposal takes, and how far each share of proposals gets
PATH = ["submitted", "screening", "in_review", "panel", "approved", "funding", "funded"]
ENDS = [("screening", 0.05), ("in_review", 0.25), ("panel", 0.35), ("approved", 0.05), ("funding", 0.15), ("funded", 0.15)]


def _populate(rng):
    from accounts.models import User
    from funding.enums import LedgerKind
    from funding.models import Fund, LedgerEntry
    from incubation.enums import ProjectStatus
    from incubation.models import Company, FinancingRound, Project, TechContract
    from proposals.enums import Field
    from proposals.models import AuditEntry, Call, Proposal

    applicant = User.objects.create(username="bench-applicant", full_name="基准测试申报人")
    fund = Fund.objects.create(name_zh="基准基金", size=Decimal("900000000.00"))
    calls = Call.objects.bulk_create([
        Call(title_zh=f"{2024 + i // 4}年第{i % 4 + 1}批概念验证项目", title_en=f"PoC call {i + 1}", fund=fund,
             opens_at=T0 + dt.timedelta(days=90 * i), closes_at=T0 + dt.timedelta(days=90 * i + 30),
             max_request=Decimal("500000.00"))
        for i in range(CALLS)
    ])
    ends, weights = zip(*ENDS)
    fields = list(Field.values)
    proposals, paths = [], []
    for n in range(PROPOSALS):
        call = calls[n % CALLS]
        end = rng.choices(ends, weights=weights)[0]
        path = PATH[:PATH.index(end) + 1]
        submitted = call.opens_at + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 29))
        proposals.append(Proposal(call=call, applicant=applicant, reference=f"BENCH-{n + 1:05d}", title=f"概念验证项目 {n + 1}",
                                  field=rng.choice(fields), status=end, submitted_at=submitted,
                                  requested_amount=Decimal("300000.00")))
        paths.append(path)
    proposals = Proposal.objects.bulk_create(proposals, batch_size=2000)
    audits, ledger, projects = [], [], []
    for proposal, path in zip(proposals, paths):
        for step, (old, new) in enumerate(zip(["draft"] + path, path)):
            audits.append(AuditEntry(proposal=proposal, action="proposal.transition", from_state=old, to_state=new,
                                     created_at=proposal.submitted_at + dt.timedelta(days=step * 7)))
        if path[-1] == "funded":
            amount = Decimal(rng.randrange(100, 500) * 1000)
            ledger.append(LedgerEntry(fund=fund, kind=LedgerKind.COMMITMENT, amount=amount, proposal=proposal))
            share = Decimal("0.6")
            for _release in range(rng.randint(1, 3)):
                ledger.append(LedgerEntry(fund=fund, kind=LedgerKind.RELEASE, amount=(amount * share).quantize(Decimal("0.01")),
                                          proposal=proposal, reference=f"BOC-{proposal.pk}-{_release}"))
                share = Decimal("0.2")
            stopped = rng.random() < 0.02
            if stopped:
                ledger.append(LedgerEntry(fund=fund, kind=LedgerKind.RETURN, amount=(amount * Decimal("0.2")).quantize(Decimal("0.01")),
                                          proposal=proposal))
            status = ProjectStatus.TERMINATED if stopped else rng.choice(
                [ProjectStatus.GRADUATED, ProjectStatus.ACTIVE, ProjectStatus.ACTIVE])
            projects.append(Project(proposal=proposal, status=status))
    AuditEntry.objects.bulk_create(audits, batch_size=5000)
    LedgerEntry.objects.bulk_create(ledger, batch_size=5000)
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    founded = rng.sample(projects, min(500, len(projects) // 3))  # about a third of the projects at the default size
    Company.objects.bulk_create([
        Company(project=p, name=f"基准科技有限公司{p.pk}", founded_on=dt.date(2025, 1, 1), registered_capital=Decimal("1000000.00"),
                recorded_by=applicant) for p in founded])
    FinancingRound.objects.bulk_create([
        FinancingRound(project=p, name="天使轮", closed_on=dt.date(2025, 6, 1), amount=Decimal(rng.randrange(1, 30) * 1_000_000),
                       investors="某创投", pre_money_valuation=Decimal("20000000.00"), recorded_by=applicant)
        for p in rng.sample(founded, len(founded) * 4 // 5)])
    TechContract.objects.bulk_create([
        TechContract(project=p, kind="licence", counterparty="某企业", amount=Decimal(rng.randrange(50, 2000) * 1000),
                     signed_on=dt.date(2025, 3, 1), registration_number=f"2025{i:010d}", registered_on=dt.date(2025, 3, 5),
                     recorded_by=applicant)
        for i, p in enumerate(rng.choices(projects, k=600))])
    return len(audits), len(ledger), len(projects)


def _timed(function, runs=3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
    return result, times, len(queries.captured_queries)


def configure(*, proposals=None):
    """Sizes from the command line (the module's defaults otherwise)."""
    global PROPOSALS
    PROPOSALS = proposals or PROPOSALS


def main():
    from django.db import connection
    from django.utils import translation

    from bench.record import record
    from incubation.selectors.statistics import funnel, funnel_dataset

    rng = random.Random(SEED)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        audits, ledger, projects = _populate(rng)
        populate_seconds = time.perf_counter() - started
        print(f"statistics funnel ({connection.vendor}): {PROPOSALS:,} proposals in {CALLS} calls, {audits:,} audit rows, "
              f"{ledger:,} ledger rows, {projects:,} projects (writing them took {populate_seconds:.1f} s, not timed)")
        with translation.override("zh-hans"):
            for group in ("call", "field", "year", "quarter"):
                result, times, queries = _timed(lambda group=group: funnel(group=group))
                record(f"funnel by {group} (median)", statistics.median(times), "s",
                       sizes={"proposals": PROPOSALS, "calls": CALLS})
                print(f"  funnel by {group:7}: median of 3 {statistics.median(times):.3f} s, {queries} queries, "
                      f"{len(result.rows)} rows, entered {result.total.entered:,}, funded {result.total.funded:,}, "
                      f"paid {result.total.paid:,.2f}  [runs: {', '.join(f'{t:.3f}' for t in times)}]")
            result = funnel(group="call")
            for fmt in ("csv", "xlsx"):
                _data, times, _queries = _timed(lambda fmt=fmt: funnel_dataset(result).export(fmt))
                print(f"  export {fmt}: median of 3 {statistics.median(times):.3f} s")
                record(f"funnel export {fmt} (median)", statistics.median(times), "s",
                       sizes={"proposals": PROPOSALS, "calls": CALLS})
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
