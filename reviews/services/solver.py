"""The assignment optimiser: a composition-aware min-cost max-flow (numpy + OR-Tools, no Django).

Network (one unit of flow = one expert reviewing one proposal)::

    source ──cap: remaining load──▶ expert ──cap 1, cost −affinity·SCALE──▶ (proposal, type)
    (proposal, type) ──cap: remaining minimum, cost −M──▶ proposal      (the "at least" part)
    (proposal, type) ──cap: maximum − minimum (or k), cost 0──▶ proposal (the rest, up to "at most")
    proposal ──cap: remaining k──▶ sink

Experts of a type without a rule go straight to the proposal. `M` exceeds the most affinity that
meeting one more minimum can cost (see `solve`), so meeting minimums always comes first.
`solve_max_flow_with_min_cost` first maximises the number of assignments, then minimises cost:
when every proposal can get k experts and every minimum can be met, the flow is an exact optimum
of the integer-scaled affinity (round(affinity·SCALE) per pair) under all constraints. Otherwise it
is the best partial plan, and the diagnostics say which constraint to relax and by how much.
"""

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

METHOD = "mcf-composition-1"
GREEDY_METHOD = "greedy-repair-1"
SCALE = 10_000  # affinity is stored with four decimals; costs are integers
CHUNK = 2048  # rows of a (proposals × experts) matrix handled at a time: bounded memory at a city's size
PRUNE_ABOVE = 3_000_000  # eligible pairs: below this one solve of the whole network is faster than pruning
MARGIN = SCALE // 50  # pairs within this of improving the plan join the network with those that would


@dataclass
class AssignmentProblem:
    """What to assign. Indices are positions: proposals 0..P-1 (rows), experts 0..E-1 (columns)."""

    affinity: np.ndarray  # (P, E) floats in [0, 1]
    capacity: Sequence[int] | np.ndarray  # (E,) reviews each expert may take in this plan, kept pairs included
    demand: int | Sequence[int] | np.ndarray  # k, or (P,) experts wanted per proposal, kept pairs included
    expert_types: Sequence[str]  # (E,)
    rules: Mapping[str, tuple[int, int | None]] = field(default_factory=dict)  # type → (at least, at most | None)
    allowed: np.ndarray | None = None  # (P, E) bool; None: every pair is allowed
    allowed_pairs: tuple[np.ndarray, np.ndarray] | None = None  # (proposal indices, expert indices), instead of `allowed`
    kept: Sequence[tuple[int, int]] = ()  # pre-fixed (proposal, expert) pairs: they count towards k, types and load
    proposal_ids: Sequence | None = None  # labels used in diagnostics (default: the indices)
    alternates: int = 5  # alternates per proposal

    def __post_init__(self):
        self.affinity = np.asarray(self.affinity, dtype=np.float64)
        n_p, n_e = self.affinity.shape
        self.capacity = np.asarray(self.capacity, dtype=np.int64).reshape(n_e)
        demand = np.asarray(self.demand, dtype=np.int64)
        self.demand = np.full(n_p, int(demand), dtype=np.int64) if demand.ndim == 0 else demand.reshape(n_p)
        self.expert_types = [str(t) for t in self.expert_types]
        if len(self.expert_types) != n_e:
            raise ValueError("expert_types must have one entry per expert")
        self.rules = {str(t): (int(lo), None if hi is None else int(hi)) for t, (lo, hi) in self.rules.items()}
        for t, (lo, hi) in self.rules.items():
            if lo < 0 or (hi is not None and hi < lo):
                raise ValueError(f"bad composition rule for {t}: ({lo}, {hi})")
        if self.allowed is not None and self.allowed_pairs is not None:
            raise ValueError("give either allowed or allowed_pairs")
        if self.allowed_pairs is not None:
            mask = np.zeros((n_p, n_e), dtype=bool)
            pi, ei = (np.asarray(a, dtype=np.int64) for a in self.allowed_pairs)
            mask[pi, ei] = True
            self.allowed = mask
            self.allowed_pairs = None
        elif self.allowed is None:
            self.allowed = np.ones((n_p, n_e), dtype=bool)
        else:
            self.allowed = np.asarray(self.allowed, dtype=bool).reshape(n_p, n_e)
        self.kept = [(int(p), int(e)) for p, e in self.kept]
        if len(set(self.kept)) != len(self.kept):
            raise ValueError("a kept pair is listed twice")
        if self.proposal_ids is None:
            self.proposal_ids = list(range(n_p))
        else:
            self.proposal_ids = list(self.proposal_ids)

    @property
    def shape(self):
        return self.affinity.shape


@dataclass
class AssignmentSolution:
    method: str
    pairs: np.ndarray  # (n, 2) new (proposal, expert) assignments
    kept: np.ndarray  # (m, 2) kept pairs
    total_affinity: float  # plan total (kept + new), from the float affinities
    total_scaled: int  # plan total of round(affinity·SCALE)
    solve_seconds: float  # wall time: building the network, solving and reading the plan (not alternates or diagnostics)
    feasible: bool
    diagnostics: list[dict]
    alternates: dict[int, list[int]] = field(default_factory=dict)  # proposal → experts, best first
    stats: dict = field(default_factory=dict)
    solve_cpu_seconds: float = 0.0  # CPU time of the same steps (steadier than wall time on a shared machine)

    def experts_of(self, p: int) -> list[int]:
        """New experts for proposal p, in plan order."""
        return [int(e) for q, e in self.pairs if q == p]


def scaled(affinity) -> np.ndarray:
    return np.rint(np.asarray(affinity, dtype=np.float64) * SCALE).astype(np.int64)


@dataclass
class _Prepared:
    """Quantities shared by the flow, the greedy pass and the diagnostics."""

    n_p: int
    n_e: int
    type_names: list[str]  # ruled types, in rule order
    rtype: np.ndarray  # (E,) rule index of each expert's type, −1 when the type has no rule
    lo: np.ndarray  # (R,) minimums
    hi: np.ndarray  # (R,) maximums, −1 for none
    kept: np.ndarray  # (m, 2)
    free: np.ndarray  # (P, E) bool: allowed, not kept
    rem_k: np.ndarray  # (P,)
    rem_cap: np.ndarray  # (E,)
    rem_min: np.ndarray  # (P, R)
    rem_max: np.ndarray  # (P, R), rem_k where no maximum


def _prepare(problem: AssignmentProblem) -> _Prepared:
    n_p, n_e = problem.shape
    type_names = list(problem.rules)
    index = {t: i for i, t in enumerate(type_names)}
    rtype = np.array([index.get(t, -1) for t in problem.expert_types], dtype=np.int64)
    n_r = len(type_names)
    lo = np.array([problem.rules[t][0] for t in type_names], dtype=np.int64)
    hi = np.array([-1 if problem.rules[t][1] is None else problem.rules[t][1] for t in type_names], dtype=np.int64)
    kept = np.array(problem.kept, dtype=np.int64).reshape(-1, 2)
    free = problem.allowed.copy()
    kept_count = np.zeros(n_p, dtype=np.int64)
    kept_load = np.zeros(n_e, dtype=np.int64)
    kept_type = np.zeros((n_p, n_r), dtype=np.int64)
    if len(kept):
        free[kept[:, 0], kept[:, 1]] = False
        np.add.at(kept_count, kept[:, 0], 1)
        np.add.at(kept_load, kept[:, 1], 1)
        ruled = rtype[kept[:, 1]] >= 0
        np.add.at(kept_type, (kept[ruled, 0], rtype[kept[ruled, 1]]), 1)
    rem_k = np.maximum(problem.demand - kept_count, 0)
    rem_cap = np.maximum(problem.capacity - kept_load, 0)
    rem_min = np.maximum(lo[None, :] - kept_type, 0)
    rem_max = np.where(hi[None, :] >= 0, np.maximum(hi[None, :] - kept_type, 0), rem_k[:, None])
    rem_min = np.minimum(rem_min, rem_max)
    return _Prepared(n_p, n_e, type_names, rtype, lo, hi, kept, free, rem_k, rem_cap, rem_min, rem_max)


def solve(problem: AssignmentProblem, *, candidates: int = 0) -> AssignmentSolution:
    """Exact composition-aware assignment by min-cost max-flow over pruned candidates, proved optimal.

    Each proposal keeps its `candidates` best experts (and the best of each ruled type); the pruned
    network is solved, and the flow is then certified against every pair left out: node potentials
    (shortest distances in the residual network) give each excluded pair a reduced cost, and when none
    is negative no excluded pair can improve the plan, so it is the optimum of the full network. A pair
    that could improve it is added and the network solved again; a plan that leaves demand unmet widens
    the candidates (up to every pair). `candidates=0` chooses from the size; `candidates < 0` solves the
    full network without pruning (the reference), as does the default below PRUNE_ABOVE eligible pairs."""
    started, started_cpu = time.perf_counter(), time.process_time()
    prep = _prepare(problem)
    usable = prep.free & (prep.rem_cap > 0)[None, :] & (prep.rem_k > 0)[:, None]
    rounds, added = 0, 0
    if candidates < 0 or (candidates == 0 and int(usable.sum()) <= PRUNE_ABOVE):
        chosen = usable  # small enough to solve whole in one round
    else:
        k = candidates or _default_candidates(prep)
        chosen = _top_candidates(problem.affinity, usable, prep, k)
    while True:
        rounds += 1
        net = _solve_network(problem, prep, chosen)
        if chosen is usable:
            break
        excluded = usable & ~chosen
        if net.delivered < int(prep.rem_k.sum()):
            # demand unmet on the pruned network: maybe only for want of a pair left out; widen
            if not excluded.any():
                break
            k = 2 * k
            chosen = usable if k >= prep.n_e else _top_candidates(problem.affinity, usable, prep, k) | chosen
            continue
        found = _improving_pairs(problem, prep, net, excluded)
        if found is None:  # the potentials did not settle within the bound: solve the full network
            chosen = usable
            continue
        improving, near = found
        if not improving.any():
            break
        # with those that could improve it, the pairs close to improving join too: the next plan's
        # potentials move, and they would otherwise cost another round
        added += int(near.sum())
        chosen = chosen | near
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    solution = _finish(problem, prep, net.pairs, METHOD, wall)
    solution.solve_cpu_seconds = cpu
    solution.stats.update({"network_pairs": int(net.arcs), "solve_rounds": rounds, "pairs_added": added})
    return solution


def _default_candidates(prep) -> int:
    """Enough candidates per proposal that the pruned network almost always certifies at once."""
    k = int(prep.rem_k.max()) if prep.n_p else 0
    return max(30, 20 * k)


def _top_candidates(affinity, usable, prep, k) -> np.ndarray:
    """(P, E) bool: each proposal's k best usable experts, plus the k best of each ruled type."""
    chosen = np.zeros_like(usable)
    if k >= prep.n_e:
        return usable.copy()
    groups = [None] + [np.flatnonzero(prep.rtype == r) for r in range(len(prep.type_names))]
    for lo in range(0, prep.n_p, CHUNK):  # row chunks: a (chunk, E) score matrix at a time
        rows = slice(lo, min(lo + CHUNK, prep.n_p))
        score = np.where(usable[rows], affinity[rows], -1.0).astype(np.float32)  # affinity is never negative
        for cols in groups:
            part = score if cols is None else score[:, cols]
            width = part.shape[1]
            if not width:
                continue
            take = min(k, width)
            top = (np.argpartition(part, width - take, axis=1)[:, width - take:] if take < width
                   else np.broadcast_to(np.arange(width), part.shape))
            keep = np.take_along_axis(part, top, axis=1) >= 0
            r_idx = np.broadcast_to(np.arange(rows.start, rows.stop)[:, None], top.shape)[keep]
            c_idx = top[keep] if cols is None else cols[top[keep]]
            chosen[r_idx, c_idx] = True
    return chosen


@dataclass
class _Network:
    pairs: np.ndarray  # (n, 2) chosen (proposal, expert)
    delivered: int  # units of flow: assignments made
    arcs: int  # pair arcs in the network
    tails: np.ndarray
    heads: np.ndarray
    costs: np.ndarray
    caps: np.ndarray
    flows: np.ndarray
    n_nodes: int
    group_base: int
    proposal_base: int


def _solve_network(problem, prep, pair_mask) -> _Network:
    n_p, n_e, n_r = prep.n_p, prep.n_e, len(prep.type_names)
    SOURCE, SINK = 0, 1
    expert_node = 2 + np.arange(n_e, dtype=np.int64)
    proposal_node = 2 + n_e + np.arange(n_p, dtype=np.int64)
    group_base = 2 + n_e + n_p  # node of (p, r) = group_base + p·R + r

    # expert → (proposal, type) arcs: every candidate pair
    flat = np.flatnonzero(pair_mask)
    pi, ei = np.divmod(flat, n_e)
    r_of = prep.rtype[ei]
    pair_heads = np.where(r_of >= 0, group_base + pi * n_r + r_of, proposal_node[pi])
    pair_costs = -scaled(problem.affinity.ravel()[flat])
    # The bonus for meeting a minimum. A cheaper flow of the same value that met one more minimum
    # would differ by a residual cycle with one more "minimum" unit; such a cycle drops at most one
    # assignment per expert it passes (and no more than the flow holds), losing at most
    # SCALE·min(experts, flow) of affinity, so with a larger bonus it always pays: among maximum
    # flows, the optimum meets as many minimums as possible, then maximises the affinity. It depends
    # on the problem only, never on the candidates, so pruned and full networks share their costs.
    big_m = SCALE * min(int((prep.rem_cap > 0).sum()), int(prep.rem_k.sum())) + 1

    parts = [  # (tails, heads, capacities, unit costs)
        (np.full(n_e, SOURCE), expert_node, prep.rem_cap, np.zeros(n_e, dtype=np.int64)),
        (expert_node[ei], pair_heads, np.ones(len(flat), dtype=np.int64), pair_costs),
    ]
    pair_first = n_e
    if n_r:
        gp = np.repeat(np.arange(n_p), n_r)
        group_node = group_base + np.arange(n_p * n_r)
        parts.append((group_node, proposal_node[gp], prep.rem_min.reshape(-1), np.full(n_p * n_r, -big_m)))
        parts.append((group_node, proposal_node[gp], (prep.rem_max - prep.rem_min).reshape(-1), np.zeros(n_p * n_r, dtype=np.int64)))
    parts.append((proposal_node, np.full(n_p, SINK), prep.rem_k, np.zeros(n_p, dtype=np.int64)))
    tails, heads, caps, costs = (np.concatenate([part[i] for part in parts]).astype(np.int64) for i in range(4))

    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    total_demand = int(prep.rem_k.sum())
    flow.set_node_supply(SOURCE, total_demand)  # the most that can flow; max-flow may deliver less
    flow.set_node_supply(SINK, -total_demand)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = flow.flows(np.arange(len(tails), dtype=np.int32))
    chosen = flows[pair_first:pair_first + len(flat)] > 0
    return _Network(pairs=np.stack([pi[chosen], ei[chosen]], axis=1), delivered=int(flow.maximum_flow()),
                    arcs=len(flat), tails=tails, heads=heads, costs=costs, caps=caps, flows=flows,
                    n_nodes=group_base + n_p * n_r, group_base=group_base, proposal_base=2 + n_e)


def _potentials(net, max_rounds=2_000):
    """Shortest distances from a virtual source joined to every node at cost 0, in the residual network of
    an optimal flow (no negative cycle, so they exist): label-correcting rounds over every residual arc
    at once. None when they have not settled within `max_rounds`."""
    forward = net.flows < net.caps
    backward = net.flows > 0
    tails = np.concatenate([net.tails[forward], net.heads[backward]])
    heads = np.concatenate([net.heads[forward], net.tails[backward]])
    costs = np.concatenate([net.costs[forward], -net.costs[backward]])
    order = np.argsort(heads, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]]) if len(heads) else np.zeros(0, dtype=np.int64)
    targets = heads[starts]
    distance = np.zeros(net.n_nodes, dtype=np.int64)
    for _ in range(max_rounds):
        if not len(heads):
            return distance
        best = np.minimum.reduceat(distance[tails] + costs, starts)
        better = best < distance[targets]
        if not better.any():
            return distance
        distance[targets[better]] = best[better]
    return None


def _improving_pairs(problem, prep, net, excluded):
    """Two (P, E) bool masks of excluded pairs, from their arcs' reduced costs under the flow's potentials:
    those that could improve the plan (negative; none proves the flow optimal for the full network) and
    those within MARGIN of it. None when the potentials did not settle."""
    distance = _potentials(net)
    if distance is None:
        return None
    n_r = len(prep.type_names)
    expert_d = distance[2:2 + prep.n_e]
    improving, near = np.zeros_like(excluded), np.zeros_like(excluded)
    for lo in range(0, prep.n_p, CHUNK):
        rows = np.arange(lo, min(lo + CHUNK, prep.n_p))
        proposal_d = distance[net.proposal_base + rows][:, None]
        if n_r:
            group_d = distance[net.group_base + rows[:, None] * n_r + np.maximum(prep.rtype, 0)[None, :]]
            head_d = np.where((prep.rtype >= 0)[None, :], group_d, proposal_d)
        else:
            head_d = np.broadcast_to(proposal_d, (len(rows), prep.n_e))
        reduced = -scaled(problem.affinity[rows]) + expert_d[None, :] - head_d
        improving[rows] = excluded[rows] & (reduced < 0)
        near[rows] = excluded[rows] & (reduced < MARGIN)
    return improving, near


def greedy_assign(problem: AssignmentProblem) -> AssignmentSolution:
    """Highest affinity first under the same constraints, then a simple repair for the minimums.

    Only for comparison (the benchmark): it is neither optimal nor guaranteed to meet the rules.
    """
    started = time.perf_counter()
    prep = _prepare(problem)
    need = prep.rem_k.copy()
    load = prep.rem_cap.copy()
    unmet = prep.rem_min.copy()  # (P, R) minimum still to meet
    room = prep.rem_max.copy()  # (P, R) still allowed by "at most"
    assigned = np.zeros_like(prep.free)
    pi, ei = np.nonzero(prep.free & (prep.rem_cap > 0)[None, :] & (prep.rem_k > 0)[:, None])
    order = np.argsort(-problem.affinity[pi, ei], kind="stable")
    pi, ei = pi[order], ei[order]
    rtype = prep.rtype
    unmet_total = unmet.sum(axis=1)

    def take(p, e):
        r = rtype[e]
        assigned[p, e] = True
        need[p] -= 1
        load[e] -= 1
        if r >= 0:
            room[p, r] -= 1
            if unmet[p, r] > 0:
                unmet[p, r] -= 1
                unmet_total[p] -= 1

    # 1. best pairs first, keeping enough slots free for the minimums still unmet
    for p, e in zip(pi.tolist(), ei.tolist()):
        if need[p] <= 0 or load[e] <= 0:
            continue
        r = rtype[e]
        if r >= 0 and room[p, r] <= 0:
            continue
        helps = r >= 0 and unmet[p, r] > 0
        if not helps and need[p] - 1 < unmet_total[p]:
            continue
        take(p, e)
    # 2. repair: a proposal still short of a minimum takes the best free expert of that type,
    #    giving up its weakest expert that no minimum needs when it is full
    for p, r in zip(*np.nonzero(unmet)):
        while unmet[p, r] > 0:
            cands = np.nonzero(prep.free[p] & ~assigned[p] & (rtype == r) & (load > 0))[0]
            if not len(cands):
                break
            if need[p] <= 0:
                mine = np.nonzero(assigned[p])[0]
                # removable: of a type without a rule, or above its type's minimum (count = max − room)
                spare = [e for e in mine if rtype[e] != r and (
                    rtype[e] < 0 or prep.rem_min[p, rtype[e]] < prep.rem_max[p, rtype[e]] - room[p, rtype[e]])]
                if not spare:
                    break
                worst = min(spare, key=lambda e: problem.affinity[p, e])
                assigned[p, worst] = False
                need[p] += 1
                load[worst] += 1
                if rtype[worst] >= 0:
                    room[p, rtype[worst]] += 1
            best = cands[np.argmax(problem.affinity[p, cands])]
            take(p, best)
    # 3. fill what is still open, best first
    for p, e in zip(pi.tolist(), ei.tolist()):
        if need[p] > 0 and load[e] > 0 and not assigned[p, e]:
            r = rtype[e]
            if r < 0 or room[p, r] > 0:
                take(p, e)
    pairs = np.stack(np.nonzero(assigned), axis=1)
    return _finish(problem, prep, pairs, GREEDY_METHOD, time.perf_counter() - started)


def _finish(problem, prep, pairs, method, solve_seconds) -> AssignmentSolution:
    n_p, n_e = prep.n_p, prep.n_e
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    every = np.concatenate([prep.kept, pairs]) if len(prep.kept) else pairs
    total = float(problem.affinity[every[:, 0], every[:, 1]].sum()) if len(every) else 0.0
    total_scaled = int(scaled(problem.affinity[every[:, 0], every[:, 1]]).sum()) if len(every) else 0
    got = np.bincount(pairs[:, 0], minlength=n_p) if len(pairs) else np.zeros(n_p, dtype=np.int64)
    used = np.bincount(pairs[:, 1], minlength=n_e) if len(pairs) else np.zeros(n_e, dtype=np.int64)
    n_r = len(prep.type_names)
    got_type = np.zeros((n_p, n_r), dtype=np.int64)
    ruled = prep.rtype[pairs[:, 1]] >= 0 if len(pairs) else np.zeros(0, dtype=bool)
    if len(pairs):
        np.add.at(got_type, (pairs[ruled, 0], prep.rtype[pairs[ruled, 1]]), 1)
    missing = prep.rem_k - got
    min_missing = np.maximum(prep.rem_min - got_type, 0)
    feasible = bool((missing <= 0).all() and (min_missing == 0).all())
    diagnostics = [] if feasible else _diagnose(problem, prep, missing, min_missing)
    spare = prep.rem_cap - used
    stats = {
        "proposals": n_p, "experts": n_e, "eligible_pairs": int(prep.free.sum()),
        "demand": int(prep.rem_k.sum()), "capacity": int(prep.rem_cap.sum()),
        "assigned": int(len(pairs)), "kept": int(len(prep.kept)),
    }
    return AssignmentSolution(
        method=method, pairs=pairs, kept=prep.kept, total_affinity=total, total_scaled=total_scaled,
        solve_seconds=solve_seconds, feasible=feasible, diagnostics=diagnostics,
        alternates=_alternates(problem, prep, pairs, spare), stats=stats,
    )


def _alternates(problem, prep, pairs, spare) -> dict[int, list[int]]:
    """Per proposal: the best eligible experts not in its plan (those with spare load first),
    plus the best of every ruled type so a replacement of the same type can be found."""
    n = problem.alternates
    if n <= 0 or prep.n_e == 0:
        return {}
    planned = np.zeros(prep.n_p * prep.n_e, dtype=bool)
    if len(pairs):
        planned[pairs[:, 0] * prep.n_e + pairs[:, 1]] = True
    planned = planned.reshape(prep.n_p, prep.n_e)
    lift = 2.0 * (spare > 0)  # spare load lifts an expert above every expert without it
    take = min(n, prep.n_e)
    out = {}
    for lo in range(0, prep.n_p, CHUNK):  # row chunks: a (chunk, E) score matrix at a time
        rows = slice(lo, min(lo + CHUNK, prep.n_p))
        score = np.where(prep.free[rows] & ~planned[rows], problem.affinity[rows] + lift[None, :], -np.inf)
        top = (np.argpartition(-score, take - 1, axis=1)[:, :take] if take < prep.n_e
               else np.tile(np.arange(prep.n_e), (score.shape[0], 1)))
        extra = [np.argmax(np.where((prep.rtype == r)[None, :], score, -np.inf), axis=1)
                 for r in range(len(prep.type_names))]
        for i, p in enumerate(range(rows.start, rows.stop)):
            chosen = {int(e) for e in top[i] if np.isfinite(score[i, e])}
            chosen.update(int(best[i]) for best in extra if np.isfinite(score[i, best[i]]))
            out[p] = sorted(chosen, key=lambda e, i=i: (-score[i, e], e))
    return out


def _ids(problem, mask) -> list:
    return [problem.proposal_ids[p] for p in np.nonzero(mask)[0]]


def _diagnose(problem, prep, missing, min_missing) -> list[dict]:
    """Which constraint to relax, and by how much, as data (the page turns it into sentences)."""
    items = []
    n_p = prep.n_p
    active = prep.rem_k > 0
    usable = prep.free & (prep.rem_cap > 0)[None, :]
    kept_count = np.bincount(prep.kept[:, 0], minlength=n_p) if len(prep.kept) else np.zeros(n_p, dtype=np.int64)

    # the rules themselves ask for more experts than k
    for k in sorted(set(problem.demand[active].tolist())):
        if prep.lo.sum() > k:
            items.append({"kind": "rules_exceed_k", "required": int(prep.lo.sum()), "k": int(k),
                          "proposals": _ids(problem, active & (problem.demand == k))})

    # proposals with too few eligible experts
    eligible = usable.sum(axis=1)
    short = active & (eligible < prep.rem_k)
    groups = defaultdict(list)
    for p in np.nonzero(short)[0]:
        groups[(int(eligible[p] + kept_count[p]), int(problem.demand[p]))].append(problem.proposal_ids[p])
    for (have, k), ids in sorted(groups.items()):
        items.append({"kind": "few_eligible", "eligible": have, "k": k, "add": k - have, "proposals": ids})

    # "at most" rules leave too few usable experts
    if len(prep.type_names):
        capped = np.zeros(n_p, dtype=np.int64)
        for r in range(len(prep.type_names)):
            capped += np.minimum(usable[:, prep.rtype == r].sum(axis=1), prep.rem_max[:, r])
        capped += usable[:, prep.rtype < 0].sum(axis=1)
        limited = active & ~short & (capped < prep.rem_k)
        if limited.any():
            items.append({"kind": "max_rules_limit", "proposals": _ids(problem, limited),
                          "types": [t for r, t in enumerate(prep.type_names) if prep.hi[r] >= 0]})

    # total load capacity
    demand, capacity = int(prep.rem_k.sum()), int(prep.rem_cap.sum())
    if capacity < demand:
        fitting = 0
        for k in range(int(problem.demand.max()), -1, -1):
            if int(np.maximum(np.minimum(problem.demand, k) - kept_count, 0).sum()) <= capacity:
                fitting = k
                break
        items.append({"kind": "capacity", "demand": demand, "capacity": capacity, "short": demand - capacity,
                      "max_k": fitting})

    # per type: free slots against the minimums the rules require
    for r, name in enumerate(prep.type_names):
        if prep.lo[r] <= 0:
            continue
        required = int(prep.rem_min[active, r].sum())
        free_slots = int(prep.rem_cap[prep.rtype == r].sum())
        unmet = _ids(problem, min_missing[:, r] > 0)
        if free_slots < required:
            kept_r = prep.lo[r] - prep.rem_min[:, r]
            fitting = 0
            for m in range(int(prep.lo[r]) - 1, -1, -1):
                if int(np.maximum(np.minimum(m, prep.rem_k) - kept_r, 0)[active].sum()) <= free_slots:
                    fitting = m
                    break
            items.append({"kind": "type_capacity", "type": name, "min": int(prep.lo[r]), "required": required,
                          "free": free_slots, "short": required - free_slots, "max_min": fitting,
                          "unmet": len(unmet), "proposals": unmet})
        have = usable[:, prep.rtype == r].sum(axis=1)
        few = active & (have < prep.rem_min[:, r])
        groups = defaultdict(list)
        for p in np.nonzero(few)[0]:
            groups[int(have[p])].append(problem.proposal_ids[p])
        for have_n, ids in sorted(groups.items()):
            items.append({"kind": "type_few_eligible", "type": name, "min": int(prep.lo[r]), "eligible": have_n,
                          "proposals": ids})

    # what the solver actually fell short by
    if (missing > 0).any():
        items.append({"kind": "unfilled", "missing": int(missing[missing > 0].sum()),
                      "proposals": _ids(problem, missing > 0)})
    for r, name in enumerate(prep.type_names):
        if (min_missing[:, r] > 0).any():
            items.append({"kind": "rule_unmet", "type": name, "min": int(prep.lo[r]),
                          "missing": int(min_missing[:, r].sum()), "proposals": _ids(problem, min_missing[:, r] > 0)})
    return items
