"""The composition-aware min-cost flow: exact, within every constraint, and honest when infeasible."""

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from reviews.services.solver import SCALE, AssignmentProblem, greedy_assign, solve

TYPES = ["academic", "investor", "entrepreneur"]


def random_problem(seed, *, n_p=8, n_e=14, k=3, rules=None, conflict_rate=0.15, caps=(2, 5), kept=2):
    rng = np.random.default_rng(seed)
    types = [TYPES[i] for i in rng.integers(0, len(TYPES), size=n_e)]
    types[0], types[1], types[2], types[3] = "academic", "investor", "academic", "investor"  # every ruled type exists
    allowed = rng.random((n_p, n_e)) > conflict_rate
    affinity = np.round(rng.random((n_p, n_e)) ** 2, 4)
    capacity = rng.integers(caps[0], caps[1] + 1, size=n_e)
    kept_pairs = []  # existing reviews, at most one per expert so that no one is over their cap already
    for p in rng.choice(n_p, size=kept, replace=False):
        e = int(rng.choice([e for e in np.nonzero(allowed[p])[0] if e not in {x for _, x in kept_pairs}]))
        kept_pairs.append((int(p), e))
    return AssignmentProblem(
        affinity=affinity, capacity=capacity, demand=k, expert_types=types,
        rules=rules if rules is not None else {"investor": (1, None), "academic": (1, 2)},
        allowed=allowed, kept=kept_pairs,
    )


def integer_program(problem):
    """An independent model of the same problem: maximise Σ round(affinity·SCALE) over 0/1 pairs with
    exactly k experts per proposal, load caps, composition minimums/maximums, conflicts excluded and
    kept pairs fixed. Returns the optimal plan total (kept included) or None when infeasible."""
    n_p, n_e = problem.affinity.shape
    kept = set(problem.kept)
    variables = [(p, e) for p in range(n_p) for e in range(n_e) if problem.allowed[p, e] or (p, e) in kept]
    index = {v: i for i, v in enumerate(variables)}
    weight = np.array([round(problem.affinity[p, e] * SCALE) for p, e in variables], dtype=float)
    lower = np.array([1.0 if v in kept else 0.0 for v in variables])
    rows, lo, hi = [], [], []

    def row(members, low, high):
        r = np.zeros(len(variables))
        for v in members:
            r[index[v]] = 1
        rows.append(r)
        lo.append(low)
        hi.append(high)

    for p in range(n_p):
        mine = [v for v in variables if v[0] == p]
        row(mine, problem.demand[p], problem.demand[p])
        for t, (at_least, at_most) in problem.rules.items():
            of_type = [v for v in mine if problem.expert_types[v[1]] == t]
            row(of_type, at_least, np.inf if at_most is None else at_most)
    for e in range(n_e):
        row([v for v in variables if v[1] == e], 0, problem.capacity[e])
    result = milp(-weight, integrality=np.ones(len(variables)), bounds=Bounds(lower, np.ones(len(variables))),
                  constraints=LinearConstraint(np.array(rows), lo, hi))
    if result.status == 2:  # infeasible
        return None
    assert result.status == 0
    return int(round(-result.fun))


def check_plan(problem, solution):
    """Every hard constraint, checked directly on the returned pairs."""
    plan = [tuple(x) for x in solution.pairs.tolist()] + [tuple(x) for x in solution.kept.tolist()]
    assert len(plan) == len(set(plan))
    for p, e in solution.pairs.tolist():
        assert problem.allowed[p, e], f"conflicted pair {(p, e)} assigned"
    load = np.bincount([e for _, e in plan], minlength=problem.shape[1])
    assert (load <= problem.capacity).all()
    for p in range(problem.shape[0]):
        mine = [e for q, e in plan if q == p]
        assert len(mine) <= problem.demand[p]
        for t, (at_least, at_most) in problem.rules.items():
            n = sum(problem.expert_types[e] == t for e in mine)
            if at_most is not None:
                assert n <= at_most
            if solution.feasible:
                assert n >= at_least
        if solution.feasible:
            assert len(mine) == problem.demand[p]


@pytest.mark.parametrize("seed", range(8))
def test_the_flow_optimum_equals_an_independent_integer_program(seed):
    problem = random_problem(seed)
    solution = solve(problem)
    optimum = integer_program(problem)
    assert optimum is not None, "the generator should make feasible instances"
    assert solution.feasible is True
    assert solution.total_scaled == optimum
    check_plan(problem, solution)


@pytest.mark.parametrize("seed", range(8))
def test_the_flow_and_the_integer_program_agree_on_feasibility_when_caps_are_tight(seed):
    problem = random_problem(100 + seed, n_p=8, n_e=9, caps=(1, 4), conflict_rate=0.3)
    solution = solve(problem)
    optimum = integer_program(problem)
    assert solution.feasible is (optimum is not None)
    if optimum is not None:
        assert solution.total_scaled == optimum
    else:
        assert solution.diagnostics != []
    check_plan(problem, solution)


def test_conflicted_pairs_are_never_assigned_even_when_they_have_the_highest_affinity():
    affinity = np.array([[0.9, 0.1, 0.2], [0.8, 0.7, 0.1]])
    allowed = np.array([[False, True, True], [True, True, True]])
    problem = AssignmentProblem(affinity=affinity, capacity=[2, 2, 2], demand=1, expert_types=["academic"] * 3,
                                allowed=allowed)
    solution = solve(problem)
    assert sorted(map(tuple, solution.pairs.tolist())) == [(0, 2), (1, 0)]
    assert solution.total_scaled == 2000 + 8000


def test_allowed_pairs_arrays_are_the_same_as_the_mask():
    problem = random_problem(3)
    pi, ei = np.nonzero(problem.allowed)
    by_pairs = AssignmentProblem(affinity=problem.affinity, capacity=problem.capacity, demand=problem.demand,
                                 expert_types=problem.expert_types, rules=problem.rules, allowed_pairs=(pi, ei),
                                 kept=problem.kept)
    assert solve(by_pairs).total_scaled == solve(problem).total_scaled


def test_load_caps_hold_when_everybody_wants_the_same_expert():
    affinity = np.array([[0.9, 0.1, 0.1]] * 4)
    problem = AssignmentProblem(affinity=affinity, capacity=[1, 2, 2], demand=1, expert_types=["academic"] * 3)
    solution = solve(problem)
    assert np.bincount(solution.pairs[:, 1], minlength=3).tolist() == [1, 2, 1]
    assert solution.feasible is True


def test_the_composition_minimum_beats_a_higher_affinity_without_it():
    # proposal 0: two academics fit best, but the rule wants an investor
    affinity = np.array([[0.9, 0.8, 0.1]])
    problem = AssignmentProblem(affinity=affinity, capacity=[1, 1, 1], demand=2,
                                expert_types=["academic", "academic", "investor"], rules={"investor": (1, None)})
    solution = solve(problem)
    assert sorted(solution.experts_of(0)) == [0, 2]
    assert solution.total_scaled == 9000 + 1000


def test_the_composition_maximum_is_respected():
    affinity = np.array([[0.9, 0.8, 0.7, 0.1]])
    problem = AssignmentProblem(affinity=affinity, capacity=[1] * 4, demand=3,
                                expert_types=["academic", "academic", "academic", "investor"], rules={"academic": (0, 2)})
    assert sorted(solve(problem).experts_of(0)) == [0, 1, 3]


def test_kept_pairs_stay_and_count_towards_k_the_rules_and_the_load():
    affinity = np.array([[0.1, 0.9, 0.8, 0.7], [0.2, 0.9, 0.1, 0.1]])
    # proposal 0 keeps expert 0 (an investor, low affinity); k=2 → one more; expert 1 has load 1 and
    # proposal 1 keeps it, so proposal 0 cannot have it.
    problem = AssignmentProblem(affinity=affinity, capacity=[1, 1, 2, 2], demand=2,
                                expert_types=["investor", "academic", "academic", "investor"],
                                rules={"investor": (1, 1)}, kept=[(0, 0), (1, 1)])
    solution = solve(problem)
    assert sorted(map(tuple, solution.kept.tolist())) == [(0, 0), (1, 1)]
    assert solution.experts_of(0) == [2]  # not 3: the kept investor already meets the "at most 1" rule
    assert solution.experts_of(1) == [3]  # the rule wants an investor
    assert solution.total_scaled == 1000 + 8000 + 9000 + 1000
    assert solution.feasible is True


def test_alternates_are_the_next_best_eligible_experts_not_in_the_plan_with_spare_load_first():
    affinity = np.array([[0.9, 0.8, 0.7, 0.6, 0.3, 0.4]])
    allowed = np.array([[True, True, True, False, True, True]])
    kwargs = dict(affinity=affinity, capacity=[1, 1, 0, 1, 1, 1], demand=1, allowed=allowed,
                  expert_types=["academic", "academic", "academic", "academic", "investor", "academic"],
                  rules={"investor": (0, None)})
    solution = solve(AssignmentProblem(**kwargs, alternates=2))
    assert solution.experts_of(0) == [0]
    # the top two with spare load (2 has none, 3 is conflicted), then the best investor for replacements
    assert solution.alternates[0] == [1, 5, 4]
    # with room for more, the full expert comes after everyone with spare load
    assert solve(AssignmentProblem(**kwargs, alternates=5)).alternates[0] == [1, 5, 4, 2]


def test_too_few_eligible_experts_says_which_proposal_and_how_far_to_lower_k():
    affinity = np.full((2, 3), 0.5)
    allowed = np.array([[True, False, False], [True, True, True]])
    problem = AssignmentProblem(affinity=affinity, capacity=[5, 5, 5], demand=2, expert_types=["academic"] * 3,
                                allowed=allowed, proposal_ids=[101, 102])
    solution = solve(problem)
    assert solution.feasible is False
    assert solution.diagnostics == [
        {"kind": "few_eligible", "eligible": 1, "k": 2, "add": 1, "proposals": [101]},
        {"kind": "unfilled", "missing": 1, "proposals": [101]},
    ]


def test_total_capacity_shortfall_is_reported_with_the_amount_and_the_k_that_fits():
    problem = AssignmentProblem(affinity=np.full((4, 5), 0.3), capacity=[2] * 5, demand=3,
                                expert_types=["academic"] * 5, proposal_ids=[1, 2, 3, 4])
    solution = solve(problem)
    assert solution.feasible is False
    [capacity] = [d for d in solution.diagnostics if d["kind"] == "capacity"]
    assert capacity == {"kind": "capacity", "demand": 12, "capacity": 10, "short": 2, "max_k": 2}
    [unfilled] = [d for d in solution.diagnostics if d["kind"] == "unfilled"]
    assert unfilled["missing"] == 2
    assert len(solution.pairs) == 10  # the best partial plan uses every free place


def test_a_composition_rule_short_of_investor_places_reports_the_numbers():
    # 52 proposals each need an investor; 4 investors with 10 free places each = 40
    n_p = 52
    types = ["investor"] * 4 + ["academic"] * 10
    problem = AssignmentProblem(affinity=np.full((n_p, 14), 0.2), capacity=[10] * 4 + [20] * 10, demand=2,
                                expert_types=types, rules={"investor": (1, None)}, proposal_ids=list(range(1, n_p + 1)))
    solution = solve(problem)
    assert solution.feasible is False
    kinds = [d["kind"] for d in solution.diagnostics]
    assert kinds == ["type_capacity", "rule_unmet"]
    type_capacity, rule_unmet = solution.diagnostics
    assert {k: v for k, v in type_capacity.items() if k != "proposals"} == {
        "kind": "type_capacity", "type": "investor", "min": 1, "required": 52, "free": 40, "short": 12,
        "max_min": 0, "unmet": 12,
    }
    assert len(type_capacity["proposals"]) == 12
    assert rule_unmet["missing"] == 12 and rule_unmet["proposals"] == type_capacity["proposals"]
    # every proposal still gets k experts in the best partial plan
    assert len(solution.pairs) == 2 * n_p


def test_rules_that_need_more_experts_than_k_are_reported():
    problem = AssignmentProblem(affinity=np.full((1, 6), 0.2), capacity=[3] * 6, demand=3,
                                expert_types=["academic"] * 3 + ["investor"] * 3,
                                rules={"academic": (2, None), "investor": (2, None)}, proposal_ids=[7])
    solution = solve(problem)
    assert solution.feasible is False
    assert solution.diagnostics[0] == {"kind": "rules_exceed_k", "required": 4, "k": 3, "proposals": [7]}


def test_a_proposal_conflicted_with_every_investor_is_named():
    problem = AssignmentProblem(affinity=np.full((2, 4), 0.2), capacity=[3] * 4, demand=2,
                                expert_types=["academic", "academic", "investor", "investor"],
                                rules={"investor": (1, None)},
                                allowed=np.array([[True, True, False, False], [True] * 4]), proposal_ids=[11, 12])
    solution = solve(problem)
    assert solution.diagnostics == [
        {"kind": "type_few_eligible", "type": "investor", "min": 1, "eligible": 0, "proposals": [11]},
        {"kind": "rule_unmet", "type": "investor", "min": 1, "missing": 1, "proposals": [11]},
    ]


@pytest.mark.parametrize("seed", range(4))
def test_greedy_never_beats_the_flow_and_keeps_the_hard_constraints(seed):
    problem = random_problem(200 + seed, n_p=20, n_e=30, caps=(2, 4), kept=0)
    exact = solve(problem)
    greedy = greedy_assign(problem)
    assert exact.feasible is True
    assert greedy.total_scaled <= exact.total_scaled
    check_plan(problem, greedy)


def test_an_empty_pool_is_reported_as_too_few_eligible_experts():
    problem = AssignmentProblem(affinity=np.zeros((2, 0)), capacity=[], demand=2, expert_types=[], proposal_ids=[5, 6])
    solution = solve(problem)
    assert solution.feasible is False
    assert len(solution.pairs) == 0
    assert solution.diagnostics[0] == {"kind": "few_eligible", "eligible": 0, "k": 2, "add": 2, "proposals": [5, 6]}
