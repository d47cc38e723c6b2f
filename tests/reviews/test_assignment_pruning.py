"""Candidate pruning keeps the assignment exact: the pruned network's plan is certified against every pair
left out, and equals the unpruned optimum (plan total and feasibility), up to 2,000 proposals × 600 experts."""

import numpy as np
import pytest

from reviews.services.solver import AssignmentProblem, solve
from tests.reviews.test_assignment_solver import check_plan, integer_program, random_problem

TYPES = ["academic", "investor", "entrepreneur", "industry", "finance"]


def clustered_problem(seed, *, n_p, n_e, k, slack=1.2, conflict_rate=0.015, rules=None, kept=0):
    """Proposals and experts on shared topics (as TF-IDF affinity is: most pairs near zero, a few strong),
    types mixed as in a real pool, loads just above the demand so experts compete."""
    rng = np.random.default_rng(seed)
    topics, skills = rng.random((n_p, 12)) ** 4, rng.random((n_e, 12)) ** 4
    affinity = topics @ skills.T
    affinity = np.round(affinity / affinity.max(), 4)
    types = list(rng.choice(TYPES, size=n_e, p=[0.4, 0.25, 0.15, 0.1, 0.1]))
    mean_load = n_p * k * slack / n_e
    capacity = rng.integers(max(1, int(mean_load) - 2), int(mean_load) + 3, size=n_e)
    allowed = rng.random((n_p, n_e)) > conflict_rate
    kept_pairs = [(int(p), int(e)) for p, e in zip(rng.choice(n_p, kept, replace=False), rng.choice(n_e, kept, replace=False))
                  if allowed[p, e]]
    return AssignmentProblem(affinity=affinity, capacity=capacity, demand=k, expert_types=types,
                             rules=rules if rules is not None else {"investor": (1, None), "academic": (1, None)},
                             allowed=allowed, kept=kept_pairs)


def same_optimum(problem, candidates):
    full = solve(problem, candidates=-1)
    pruned = solve(problem, candidates=candidates)
    assert (pruned.feasible, pruned.total_scaled, len(pruned.pairs)) == (full.feasible, full.total_scaled, len(full.pairs))
    check_plan(problem, pruned)
    return pruned


@pytest.mark.parametrize("seed", range(8))
def test_a_few_candidates_per_proposal_still_give_the_integer_programs_optimum(seed):
    problem = random_problem(200 + seed, n_p=10, n_e=16, k=3)
    pruned = same_optimum(problem, candidates=1)  # far too few: the certificate must add what is missing
    optimum = integer_program(problem)
    assert pruned.feasible is (optimum is not None)
    if optimum is not None:
        assert pruned.total_scaled == optimum


@pytest.mark.parametrize("seed", range(6))
def test_pruned_and_unpruned_networks_reach_the_same_optimum_with_maxima_kept_pairs_and_conflicts(seed):
    problem = clustered_problem(300 + seed, n_p=120, n_e=60, k=4, kept=10,
                                rules={"investor": (1, 2), "academic": (1, None), "industry": (0, 1)})
    pruned = same_optimum(problem, candidates=3)
    assert pruned.stats["network_pairs"] < pruned.stats["eligible_pairs"]


def test_pruning_that_starts_too_narrow_is_corrected_by_the_certificate():
    problem = clustered_problem(7, n_p=200, n_e=80, k=3, slack=1.5)
    pruned = same_optimum(problem, candidates=6)
    assert pruned.stats["solve_rounds"] > 1 and pruned.stats["pairs_added"] > 0


def test_an_infeasible_instance_gets_the_same_best_partial_plan_pruned_or_not():
    problem = clustered_problem(11, n_p=150, n_e=40, k=4, slack=0.8)  # 20 % too little load
    pruned = same_optimum(problem, candidates=3)
    assert pruned.feasible is False and any(d["kind"] == "capacity" for d in pruned.diagnostics)


def test_a_city_sized_call_of_2000_proposals_from_600_experts_has_the_unpruned_optimum():
    problem = clustered_problem(2026, n_p=2000, n_e=600, k=5)
    pruned = same_optimum(problem, candidates=100)  # what the default prunes to for k=5 above PRUNE_ABOVE pairs
    assert pruned.feasible and pruned.stats["network_pairs"] < pruned.stats["eligible_pairs"] / 2
