"""Benchmark: aggregate, calibrate and rank 10,000 reviews (issue #3, item 11).

A seeded synthetic call: 2,000 proposals × 5 experts drawn from a pool of 600 whose leniency
offsets are known (Gaussian, σ = 6 points), a rubric of five criteria with pass marks (one allows
N/A), about 2 % N/A answers on that criterion and 0.5 % vetoes; every criterion score is
quality + the expert's offset + noise (σ = 4 points) on the criterion's scale.

Prints, all measured here:
- pure computation: `reviews.services.results.compute_results` over plain tuples (weighted totals,
  mean / trimmed mean / median, pass marks, flags, the offset-als-1 calibration, ranking), median of 3;
- how well the calibration recovered the known offsets;
- through the database: `call_results(call)` on a throwaway test database holding the same call
  (reading the rows in a constant number of queries + the same computation), median of 3.
"""

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

SEED = 20260301
PROPOSALS = 2_000
EXPERTS = 600
K = 5
OFFSET_SD = 6.0
NOISE_SD = 4.0
NA_RATE = 0.02
VETO_RATE = 0.005
TYPES = [("academic", 0.40), ("investor", 0.25), ("entrepreneur", 0.15), ("industry", 0.10), ("finance", 0.10)]
# (name, weight, max, pass mark, N/A allowed)
CRITERIA = [
    ("创新性 Novelty", "30", "10", "6", False),
    ("技术可行性 Feasibility", "25", "10", "6", False),
    ("市场前景 Market", "20", "20", "12", False),
    ("团队 Team", "15", "5", "3", False),
    ("知识产权 IP", "10", "10", "5", True),
]
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def generate(seed=SEED):
    """The call as plain data: criteria, proposals, reviews (results' input tuples) and the true offsets."""
    from reviews.services.results import CriterionRow, ProposalRow, ReviewRow

    rng = random.Random(seed)
    criteria = [CriterionRow(i + 1, name, Decimal(w), Decimal(m), Decimal(pm)) for i, (name, w, m, pm, _na) in enumerate(CRITERIA)]
    na_allowed = {i + 1 for i, c in enumerate(CRITERIA) if c[4]}
    names, weights = zip(*TYPES)
    expert_types = rng.choices(names, weights=weights, k=EXPERTS)
    offsets = [rng.gauss(0, OFFSET_SD) for _ in range(EXPERTS)]
    proposals, reviews = [], []
    review_id = 0
    for p in range(PROPOSALS):
        submitted = T0 + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        proposals.append(ProposalRow(p + 1, f"BENCH-{p + 1:05d}", f"概念验证项目 {p + 1}", "panel", submitted))
        quality = rng.uniform(35, 90)
        for e in rng.sample(range(EXPERTS), K):
            review_id += 1
            scores = {}
            for c in criteria:
                if c.criterion_id in na_allowed and rng.random() < NA_RATE:
                    scores[c.criterion_id] = None
                    continue
                level = min(100.0, max(0.0, quality + offsets[e] + rng.gauss(0, NOISE_SD)))
                scores[c.criterion_id] = (Decimal(repr(level)) * c.max_score / 100).quantize(Decimal("0.01"))
            veto = rng.random() < VETO_RATE
            reviews.append(ReviewRow(
                review_id=review_id, proposal_id=p + 1, expert_id=e + 1, expert_name=f"专家{e + 1}",
                expert_type=expert_types[e], scores=scores, veto=veto, veto_reason="超出资助范围" if veto else "",
                recommendation="support", confidence="high",
                submitted_at=submitted + dt.timedelta(days=1 + rng.randrange(0, 10)),
            ))
    return criteria, proposals, reviews, offsets, expert_types


def _settings():
    from reviews.services.results import CallSettings

    return CallSettings(ranking_basis="calibrated", disagreement_threshold=Decimal("20"),
                        group_divergence_threshold=Decimal("15"), roadshow_enabled=False, roadshow_weight=Decimal("0.30"))


def _recovery(results, offsets, reviews):
    counts = {}
    for r in reviews:
        counts[r.expert_id] = counts.get(r.expert_id, 0) + 1
    estimated = [e for e in results.expert_offsets if counts.get(e, 0) >= 2]
    mean_true = sum(offsets[e - 1] for e in estimated) / len(estimated)
    errors = [abs(float(results.expert_offsets[e]) - (offsets[e - 1] - mean_true)) for e in estimated]
    return statistics.mean(errors), max(errors), len(estimated)


def _populate(criteria, proposals, reviews, expert_types):
    """Write the call into the (throwaway) test database with bulk inserts; no signals fire."""
    from django.utils import timezone

    from accounts.models import User
    from proposals.models import Call, Proposal
    from reviews.enums import ReviewStatus
    from reviews.models import Criterion, ExpertProfile, Review, Score

    now = timezone.now()
    applicant = User.objects.create(username="bench-applicant", full_name="基准测试申报人")
    call = Call.objects.create(title_zh="汇总基准测试", title_en="Aggregation benchmark", opens_at=now - dt.timedelta(days=60),
                               closes_at=now - dt.timedelta(days=30), max_request=Decimal("500000.00"),
                               ranking_basis="calibrated")
    crit_rows = Criterion.objects.bulk_create([
        Criterion(call=call, order=i, name_zh=c.name, weight=c.weight, max_score=c.max_score, pass_mark=c.pass_mark,
                  na_allowed=CRITERIA[i][4]) for i, c in enumerate(criteria)
    ])
    crit_map = {c.criterion_id: row.pk for c, row in zip(criteria, crit_rows)}
    users = User.objects.bulk_create([User(username=f"bench-agg-expert-{j}", full_name=f"专家{j + 1}") for j in range(EXPERTS)],
                                     batch_size=1000)
    ExpertProfile.objects.bulk_create([ExpertProfile(user=u, expert_type=t) for u, t in zip(users, expert_types)], batch_size=1000)
    rows = Proposal.objects.bulk_create([
        Proposal(call=call, applicant=applicant, reference=p.reference, title=p.title, status=p.status, submitted_at=p.submitted_at)
        for p in proposals
    ], batch_size=1000)
    prop_map = {p.proposal_id: row.pk for p, row in zip(proposals, rows)}
    review_rows = Review.objects.bulk_create([
        Review(proposal_id=prop_map[r.proposal_id], expert_id=users[r.expert_id - 1].pk, status=ReviewStatus.SUBMITTED,
               submitted_at=r.submitted_at, opinion="意见", panel_note="", recommendation=r.recommendation,
               confidence=r.confidence, veto=r.veto, veto_reason=r.veto_reason)
        for r in reviews
    ], batch_size=2000)
    Score.objects.bulk_create([
        Score(review_id=row.pk, criterion_id=crit_map[cid], value=value, not_applicable=value is None)
        for r, row in zip(reviews, review_rows) for cid, value in r.scores.items()
    ], batch_size=5000)
    return Call.objects.get(pk=call.pk)


def _through_database(criteria, proposals, reviews, expert_types):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment

    from reviews.services.results import call_results

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        call = _populate(criteria, proposals, reviews, expert_types)
        populate_seconds = time.perf_counter() - started
        times = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                results = call_results(call)
                times.append(time.perf_counter() - started)
        return results, times, len(queries.captured_queries), populate_seconds
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def configure(*, proposals=None, experts=None, k=None):
    """Sizes from the command line (the module's defaults otherwise)."""
    global PROPOSALS, EXPERTS, K
    PROPOSALS = proposals or PROPOSALS
    EXPERTS = experts or EXPERTS
    K = k or K


def main():
    from bench.record import record
    from reviews.services.results import compute_results

    criteria, proposals, reviews, offsets, expert_types = generate()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        results = compute_results(call_id=1, settings=_settings(), criteria=criteria, proposals=proposals, reviews=reviews)
        times.append(time.perf_counter() - started)
    mean_error, max_error, estimated = _recovery(results, offsets, reviews)
    vetoed = sum(1 for r in results.proposals if r.veto)
    flagged = sum(1 for r in results.proposals if r.disagreement)
    na = sum(1 for r in reviews for v in r.scores.values() if v is None)
    db_results, db_times, queries, populate_seconds = _through_database(criteria, proposals, reviews, expert_types)
    same = [(r.reference, r.final_score) for r in db_results.proposals] == [(r.reference, r.final_score) for r in results.proposals]

    print(f"Aggregation benchmark: {len(reviews)} reviews = {PROPOSALS} proposals × {K} experts from a pool of {EXPERTS} "
          f"(known offsets σ = {OFFSET_SD}, noise σ = {NOISE_SD}), {len(criteria)} criteria with pass marks, "
          f"{na} N/A answers, {sum(r.veto for r in reviews)} vetoes (seed {SEED})")
    print(f"  aggregate + calibrate ({results.methods['calibration']}) + rank ({results.methods['ranking']}), pure computation, "
          f"median of 3: {statistics.median(times):.3f} s  [runs: {', '.join(f'{t:.3f}' for t in times)}]  (target < 2 s)")
    print(f"  calibration recovered {estimated} offsets: mean absolute error {mean_error:.2f} points, largest {max_error:.2f}")
    print(f"  {len(results.proposals)} proposals ranked, {vetoed} with a veto, {flagged} flagged for disagreement; "
          f"top: {results.proposals[0].reference} final {results.proposals[0].final_score}")
    print(f"  through the database (call_results on a throwaway test database: {queries} queries + the same computation), "
          f"median of 3: {statistics.median(db_times):.3f} s  [runs: {', '.join(f'{t:.3f}' for t in db_times)}]; "
          f"writing the call took {populate_seconds:.1f} s (not timed above); same ranking as in memory: {'yes' if same else 'NO'}")
    sizes = {"proposals": PROPOSALS, "experts": EXPERTS, "k": K, "reviews": len(reviews)}
    record("aggregation: compute_results (median)", statistics.median(times), "s", sizes=sizes, target=2.0)
    record("aggregation: call_results through the database (median)", statistics.median(db_times), "s", sizes=sizes)
    record("aggregation: calibration mean absolute error", mean_error, "points", sizes=sizes)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pocflow.settings")
    django.setup()
    main()
