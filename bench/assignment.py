"""Benchmark: automatic assignment of 2,000 proposals × 5 experts from a pool of 600 (issue #3, item 11).

A seeded synthetic instance: proposals and experts described with Chinese (and some English)
field keywords, mixed expert types (40 % academic, 25 % investor, 15 % entrepreneur, 10 % industry,
10 % finance), load caps of 15–25, about 1.5 % random conflicts, and the composition rule
"at least one investor and at least one academic per proposal".

Prints, all measured here:
- solve: the min-cost flow (network build + solve + reading the plan), median of 3, and the whole
  solver call (which adds alternates and diagnostics);
- end to end: `propose_assignment` on a throwaway test database holding the same instance — reading
  proposals, pool, loads, conflicts and availability, TF-IDF affinity, solve, and writing the run, its
  candidate rows and the audit row (applying the plan through viewflow tasks is not timed);
- the total affinity, and a greedy pass's total affinity and loss.
"""

import statistics
import time

import numpy as np

SEED = 20260101
PROPOSALS = 2_000
EXPERTS = 600
K = 5
CONFLICT_RATE = 0.015
LOAD = (15, 25)
TYPES = [("academic", 0.40), ("investor", 0.25), ("entrepreneur", 0.15), ("industry", 0.10), ("finance", 0.10)]
RULES = {"investor": (1, None), "academic": (1, None)}

# field → (Chinese keywords, English keywords)
FIELDS = {
    "新材料": ("石墨烯 碳纳米管 二维材料 柔性电子 复合材料 高分子 陶瓷 涂层 钙钛矿 气凝胶",
            "graphene nanotube composite polymer ceramic coating perovskite aerogel"),
    "新能源": ("锂电池 固态电池 电解质 光伏 氢能 燃料电池 储能 风电 电催化 热管理",
            "battery electrolyte photovoltaic hydrogen fuel-cell storage wind catalysis"),
    "生物医药": ("抗体 小分子药物 靶点 临床试验 细胞治疗 基因编辑 疫苗 多肽 药代动力学 制剂",
             "antibody drug target clinical cell-therapy gene-editing vaccine peptide"),
    "医疗器械": ("影像 超声 内窥镜 植入物 手术机器人 体外诊断 可穿戴 监护 康复 微流控",
             "imaging ultrasound endoscope implant surgical-robot diagnostics wearable microfluidics"),
    "人工智能": ("机器学习 深度学习 神经网络 计算机视觉 自然语言处理 大模型 强化学习 知识图谱 推荐系统 语音识别",
             "machine-learning deep-learning neural-network vision language reinforcement knowledge-graph speech"),
    "集成电路": ("芯片 半导体 光刻 封装 模拟电路 射频 存储器 功率器件 传感器 晶圆",
             "chip semiconductor lithography packaging analog radio-frequency memory power-device wafer"),
    "智能制造": ("工业机器人 数控机床 数字孪生 增材制造 工业互联网 视觉检测 减速器 伺服 运动控制 柔性产线",
             "robot machining digital-twin additive-manufacturing industrial-internet inspection servo"),
    "环境工程": ("污水处理 固废 大气污染 土壤修复 膜分离 吸附 碳捕集 监测 生态修复 资源化",
             "wastewater solid-waste air-pollution soil-remediation membrane adsorption carbon-capture"),
    "现代农业": ("育种 种业 智慧农业 病虫害 土壤 灌溉 农机 畜牧 水产 食品加工",
             "breeding seed smart-farming pest irrigation agricultural-machinery livestock aquaculture"),
    "通信网络": ("5G 光通信 卫星通信 天线 物联网 边缘计算 网络安全 区块链 协议 毫米波",
             "5g optical satellite antenna iot edge-computing security blockchain millimetre-wave"),
    "航空航天": ("无人机 飞行控制 复合材料结构 发动机 导航 遥感 卫星 气动 热防护 载荷",
             "drone flight-control engine navigation remote-sensing satellite aerodynamics payload"),
    "海洋工程": ("海洋装备 水下机器人 海水淡化 海上风电 船舶 深海探测 海洋生物 腐蚀防护 声呐 养殖工船",
             "marine underwater-robot desalination offshore ship deep-sea sonar corrosion"),
}
INVESTOR_TERMS = "风险投资 股权投资 早期项目 估值 商业模式 产业化 市场 融资 并购 成果转化"


def _weighted_types(rng, n):
    names = [t for t, _ in TYPES]
    weights = np.array([w for _, w in TYPES])
    return [names[i] for i in rng.choice(len(names), size=n, p=weights / weights.sum())]


def generate(seed=SEED):
    """The instance as plain data (same for the in-memory solve and the database)."""
    rng = np.random.default_rng(seed)
    fields = list(FIELDS)
    zh = {f: FIELDS[f][0].split() for f in fields}
    en = {f: FIELDS[f][1].split() for f in fields}
    proposals = []
    for i in range(PROPOSALS):
        main, other = rng.choice(len(fields), size=2, replace=False)
        main, other = fields[main], fields[other]
        words = list(rng.choice(zh[main], size=4, replace=False)) + [str(rng.choice(zh[other]))]
        english = rng.random() < 0.15
        title = (f"{' '.join(rng.choice(en[main], size=2, replace=False))} proof of concept {i}" if english
                 else f"基于{words[0]}的{words[1]}概念验证（{i}）")
        abstract = (f"We develop {', '.join(rng.choice(en[main], size=3, replace=False))} for {rng.choice(en[other])}."
                    if english else f"本项目面向{main}，研究{words[1]}与{words[2]}，结合{words[4]}，推进{words[3]}的中试与产业化。")
        proposals.append({"title": title, "abstract": abstract, "keywords": ", ".join(words[:4])})
    experts = []
    for kind in _weighted_types(rng, EXPERTS):
        mine = [fields[x] for x in rng.choice(len(fields), size=int(rng.integers(1, 3)), replace=False)]
        keywords = [str(w) for f in mine for w in rng.choice(zh[f], size=int(rng.integers(3, 7)), replace=False)]
        if kind in ("investor", "finance"):
            keywords += list(rng.choice(INVESTOR_TERMS.split(), size=3, replace=False))
        english = rng.random() < 0.2
        experts.append({
            "expert_type": kind, "fields_zh": "，".join(mine), "keywords_zh": "，".join(keywords),
            "fields_en": "", "keywords_en": ", ".join(w for f in mine for w in en[f][:4]) if english else "",
            "max_load": int(rng.integers(LOAD[0], LOAD[1] + 1)),
        })
    n_conflicts = int(round(CONFLICT_RATE * PROPOSALS * EXPERTS))
    flat = rng.choice(PROPOSALS * EXPERTS, size=n_conflicts, replace=False)
    conflicts = np.stack([flat // EXPERTS, flat % EXPERTS], axis=1)
    return proposals, experts, conflicts


def in_memory_problem(proposals, experts, conflicts):
    from reviews.models import ExpertProfile
    from reviews.services.affinity import affinity_matrix
    from reviews.services.auto_assign import proposal_text
    from reviews.services.solver import AssignmentProblem

    affinity = affinity_matrix(
        proposal_texts=[proposal_text(p["title"], p["abstract"], p["keywords"]) for p in proposals],
        expert_texts=[ExpertProfile(**e).expertise_text for e in experts],
    )
    allowed = np.ones((len(proposals), len(experts)), dtype=bool)
    allowed[conflicts[:, 0], conflicts[:, 1]] = False
    return AssignmentProblem(
        affinity=affinity, capacity=[e["max_load"] for e in experts], demand=K,
        expert_types=[e["expert_type"] for e in experts], rules=RULES, allowed=allowed,
    )


def _populate(proposals, experts, conflicts):
    """Write the instance into the (throwaway) test database with bulk inserts; no signals fire."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from accounts.roles import ensure_role_groups, grant_role
    from proposals.enums import ProposalStatus
    from proposals.models import Call, Proposal
    from reviews.enums import ConflictSource
    from reviews.models import CompositionRule, Conflict, ExpertProfile

    ensure_role_groups()
    officer = User.objects.create(username="bench-officer", full_name="基准测试项目经理")
    grant_role(officer, Role.PROGRAM_OFFICER)
    applicant = User.objects.create(username="bench-applicant", full_name="基准测试申报人")
    now = timezone.now()
    call = Call.objects.create(title_zh="基准测试申报指南", title_en="Benchmark call", opens_at=now - dt.timedelta(days=30),
                               closes_at=now - dt.timedelta(days=1), max_request=Decimal("500000.00"), experts_per_proposal=K)
    for kind, (at_least, at_most) in RULES.items():
        CompositionRule.objects.create(call=call, expert_type=kind, min_count=at_least, max_count=at_most)
    users = User.objects.bulk_create([User(username=f"bench-expert-{j}", full_name=f"专家{j}") for j in range(len(experts))])
    expert_group = Group.objects.get(name=Role.EXPERT)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=expert_group.pk) for u in users])
    ExpertProfile.objects.bulk_create([ExpertProfile(user=u, **e) for u, e in zip(users, experts)])
    rows = Proposal.objects.bulk_create([
        Proposal(call=call, applicant=applicant, reference=f"BENCH-{i:05d}", status=ProposalStatus.IN_REVIEW, **p)
        for i, p in enumerate(proposals)
    ], batch_size=1000)
    Conflict.objects.bulk_create([
        Conflict(proposal_id=rows[p].pk, expert_id=users[e].pk, source=ConflictSource.MANUAL, reason="bench")
        for p, e in conflicts.tolist()
    ], batch_size=5000)
    return call, officer


def _end_to_end(proposals, experts, conflicts):
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from reviews.models import AssignmentCandidate
    from reviews.services.auto_assign import propose_assignment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call, officer = _populate(proposals, experts, conflicts)
        started, started_cpu = time.perf_counter(), time.process_time()
        run = propose_assignment(call=call, experts_per_proposal=K, requested_by=officer)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        candidates = AssignmentCandidate.objects.filter(run=run).count()
        return run, seconds, cpu, candidates
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _median(values):
    return statistics.median(values)


def configure(*, proposals=None, experts=None, k=None):
    """Sizes from the command line (the module's defaults otherwise)."""
    global PROPOSALS, EXPERTS, K
    PROPOSALS, EXPERTS, K = proposals or PROPOSALS, experts or EXPERTS, k or K


def main(*, e2e=True, repeats=3):
    import os

    from bench.record import record
    from reviews.services.affinity import tokenize
    from reviews.services.solver import SCALE, greedy_assign, solve

    sizes = {"proposals": PROPOSALS, "experts": EXPERTS, "k": K}
    tokenize("预热")  # load jieba's dictionary outside the timings
    proposals, experts, conflicts = generate()
    started = time.perf_counter()
    problem = in_memory_problem(proposals, experts, conflicts)
    affinity_seconds = time.perf_counter() - started
    flow_wall, flow_cpu, call_wall = [], [], []
    for _ in range(repeats):
        started = time.perf_counter()
        solution = solve(problem)
        call_wall.append(time.perf_counter() - started)
        flow_wall.append(solution.solve_seconds)
        flow_cpu.append(solution.solve_cpu_seconds)
    greedy = greedy_assign(problem)
    loss = 100.0 * (solution.total_scaled - greedy.total_scaled) / solution.total_scaled
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    print(f"Assignment benchmark: {PROPOSALS} proposals × k={K} from {EXPERTS} experts, {len(conflicts)} conflicts "
          f"({CONFLICT_RATE:.1%}), load caps {LOAD[0]}–{LOAD[1]}, rules ≥1 investor and ≥1 academic (seed {SEED}); "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"  affinity (TF-IDF over jieba tokens) for {PROPOSALS}×{EXPERTS} pairs: {affinity_seconds:.2f} s")
    print(f"  solve (min-cost flow: candidates, network, solve, optimality certificate, plan), median of {repeats}: "
          f"{_median(flow_wall):.3f} s wall, {_median(flow_cpu):.3f} s CPU  "
          f"[wall: {', '.join(f'{t:.3f}' for t in flow_wall)}]; {solution.stats.get('network_pairs'):,} of "
          f"{solution.stats['eligible_pairs']:,} eligible pairs in the network, {solution.stats.get('solve_rounds')} round(s)")
    print(f"  whole solver call (adds alternates and diagnostics), median of {repeats}: {_median(call_wall):.3f} s wall")
    record("assignment: affinity", affinity_seconds, "s", sizes=sizes)
    record("assignment: solve (median)", _median(flow_wall), "s", sizes=sizes,
           target=1.0 if (PROPOSALS, EXPERTS, K) == (2_000, 600, 5) else None)
    record("assignment: whole solver call (median)", _median(call_wall), "s", sizes=sizes)
    if e2e:
        run, e2e_wall, e2e_cpu, candidates = _end_to_end(proposals, experts, conflicts)
        print(f"  end to end (propose_assignment on a throwaway test database: read proposals, pool, loads, conflicts "
              f"and availability; affinity; solve; write the run, {candidates} candidate rows and the audit row — "
              f"applying through viewflow tasks not timed): {e2e_wall:.2f} s wall, {e2e_cpu:.2f} s CPU; "
              f"stored run: {run.status}, total affinity {run.total_affinity}")
        record("assignment: end to end (propose_assignment)", e2e_wall, "s", sizes=sizes,
               target=10.0 if PROPOSALS >= 10_000 else None)
    print(f"  result: {'feasible' if solution.feasible else 'INFEASIBLE'}, {len(solution.pairs)} assignments, "
          f"total affinity {solution.total_scaled / SCALE:.4f} (mean {solution.total_scaled / SCALE / max(len(solution.pairs), 1):.4f})")
    print(f"  greedy pass ({greedy.method}): total affinity {greedy.total_scaled / SCALE:.4f}, "
          f"{'meets every rule' if greedy.feasible else 'misses some rules'}, loss {loss:.2f} % against the optimum")
    record("assignment: greedy loss against the optimum", loss, "%", sizes=sizes)


def _city_child(queue):
    """In a process of its own, so its peak memory is the measure: the instance, affinity and solve."""
    import resource

    from reviews.services.affinity import tokenize
    from reviews.services.solver import solve

    tokenize("预热")
    proposals, experts, conflicts = generate()
    started = time.perf_counter()
    problem = in_memory_problem(proposals, experts, conflicts)
    affinity = time.perf_counter() - started
    started = time.perf_counter()
    solution = solve(problem)
    whole = time.perf_counter() - started
    queue.put({"affinity": affinity, "solve": solution.solve_seconds, "call": whole, "feasible": solution.feasible,
               "stats": solution.stats, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def city():
    """`make bench-large`: a city's call, 10,000 proposals × 3 from 3,000 experts, in memory (affinity and the
    solver call in a process of its own: wall time and its peak memory), then end to end on a test database."""
    import multiprocessing

    from bench.record import record

    configure(proposals=10_000, experts=3_000, k=3)
    sizes = {"proposals": PROPOSALS, "experts": EXPERTS, "k": K}
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_city_child, args=(queue,))
    child.start()
    result = queue.get()
    child.join()
    print(f"City-size assignment: {PROPOSALS:,} proposals × k={K} from {EXPERTS:,} experts (conflicts {CONFLICT_RATE:.1%}, "
          f"load caps {LOAD[0]}–{LOAD[1]}, ≥1 investor and ≥1 academic): affinity {result['affinity']:.2f} s, solver "
          f"{result['solve']:.2f} s ({result['stats'].get('network_pairs'):,} of {result['stats']['eligible_pairs']:,} "
          f"pairs in the network, {result['stats'].get('solve_rounds')} round(s), {result['stats'].get('pairs_added'):,} "
          f"added by the certificate), whole call {result['call']:.2f} s, "
          f"{'feasible' if result['feasible'] else 'INFEASIBLE'}; peak memory {result['peak_mb']:,.0f} MB")
    record("city assignment: affinity", result["affinity"], "s", sizes=sizes)
    record("city assignment: solver call", result["call"], "s", sizes=sizes)
    record("city assignment: affinity + solver", result["affinity"] + result["call"], "s", sizes=sizes, target=10.0)
    record("city assignment: peak memory", result["peak_mb"], "MB", sizes=sizes, target=1536)
    proposals, experts, conflicts = generate()
    run, e2e_wall, e2e_cpu, candidates = _end_to_end(proposals, experts, conflicts)
    print(f"  end to end (propose_assignment on a throwaway test database: read, affinity, solve, write the run, "
          f"{candidates:,} candidate rows and the audit row): {e2e_wall:.2f} s wall, {e2e_cpu:.2f} s CPU; "
          f"stored run: {run.status}")
    record("city assignment: end to end (propose_assignment)", e2e_wall, "s", sizes=sizes, target=10.0)
