"""Typical mistakes, cheats, alternative correct designs and a constraint-violating design for
exercise 21.5 (per-layer mixed precision), as (grade_id, old, new) edits of the reference answers."""

_DEF = "def choose_precisions(latency, drop, budget):"
_OLD = "def _reference_unused(latency, drop, budget):"  # the reference stays in the cell, unused

_RATIO_GREEDY = '''def choose_precisions(latency, drop, budget):
    # greedy: from all FP32, repeatedly take the change with the most latency saved per point of drop
    n = len(latency)
    cur, used = [0] * n, 0.0
    while True:
        best = None
        for i in range(n):
            for k in range(3):
                saved = latency[i][cur[i]] - latency[i][k]
                added = drop[i][k] - drop[i][cur[i]]
                if saved <= 0 or used + added > budget:
                    continue
                ratio = math.inf if added <= 0 else saved / added
                if best is None or ratio > best[0]:
                    best = (ratio, i, k, added)
        if best is None:
            return [PRECISIONS[k] for k in cur]
        _, i, k, added = best
        cur[i] = k
        used += added


'''

_LATENCY_GREEDY = '''def choose_precisions(latency, drop, budget):
    # greedy by latency only: repeatedly the change that saves the most time and still fits
    n = len(latency)
    cur, used = [0] * n, 0.0
    while True:
        best = None
        for i in range(n):
            for k in range(3):
                saved = latency[i][cur[i]] - latency[i][k]
                added = drop[i][k] - drop[i][cur[i]]
                if saved > 0 and used + added <= budget and (best is None or saved > best[0]):
                    best = (saved, i, k, added)
        if best is None:
            return [PRECISIONS[k] for k in cur]
        _, i, k, added = best
        cur[i] = k
        used += added


'''

_BRUTE_FORCE = '''def choose_precisions(latency, drop, budget):
    # every one of the 3^n plans; keep the fastest feasible one
    best, best_plan = math.inf, None
    n = len(latency)
    for idx in itertools.product(range(3), repeat=n):
        if sum(drop[i][k] for i, k in enumerate(idx)) <= budget:
            t = sum(latency[i][k] for i, k in enumerate(idx))
            if t < best:
                best, best_plan = t, idx
    return [PRECISIONS[k] for k in best_plan]


'''

_BRANCH_AND_BOUND = '''def choose_precisions(latency, drop, budget):
    # depth-first over layers; prune by (latency so far + fastest rest) and (drop so far + least rest)
    n = len(latency)
    fast_rest, least_rest = [0.0] * (n + 1), [0.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        fast_rest[i] = fast_rest[i + 1] + min(latency[i])
        least_rest[i] = least_rest[i + 1] + min(drop[i])
    best = {"t": math.inf, "plan": None}

    def visit(i, t, d, plan):
        if d + least_rest[i] > budget or t + fast_rest[i] >= best["t"]:
            return
        if i == n:
            best["t"], best["plan"] = t, list(plan)
            return
        for k in sorted(range(3), key=lambda k: latency[i][k]):
            visit(i + 1, t + latency[i][k], d + drop[i][k], plan + [k])

    visit(0, 0.0, 0.0, [])
    return [PRECISIONS[k] for k in best["plan"]]


'''

_BUDGET_GRID_DP = '''def choose_precisions(latency, drop, budget):
    # knapsack over the budget in units of 1/1024 point; drops rounded UP to the grid, so a plan
    # that fits the grid fits the real budget (exact when drops are multiples of the unit)
    unit = 1 / 1024
    cap = math.floor(budget / unit + 1e-9)
    best = {0: (0.0, [])}  # units used -> (least Σ latency, choices)
    for t_row, d_row in zip(latency, drop):
        nxt = {}
        for used, (t, plan) in best.items():
            for k in range(3):
                u = used + math.ceil(d_row[k] / unit - 1e-9)
                if u <= cap and (u not in nxt or t + t_row[k] < nxt[u][0]):
                    nxt[u] = (t + t_row[k], plan + [k])
        best = nxt
    _, plan = min(best.values(), key=lambda v: v[0])
    return [PRECISIONS[k] for k in plan]


'''

# Part 4 with the package's exact solver (brute force / branch and bound are too slow at 24 layers).
_P4_OLD = 'PLAN_21_5 = choose_precisions(SETTING["latency"], SETTING["drop"], SETTING["budget"])'
_P4_PACKAGE = 'PLAN_21_5 = list(npc.deploy.solve_exact(SETTING["latency"], SETTING["drop"], SETTING["budget"]).assignment)'

WRONG = {
    # The usual greedy (best latency saved per point of drop): feasible, but misses the 5% margin.
    "ratio_greedy": [("p2_solution", _DEF, _RATIO_GREEDY + _OLD)],
    # Greedy by latency saved only: spends the budget on the single biggest saving.
    "latency_greedy": [("p2_solution", _DEF, _LATENCY_GREEDY + _OLD)],
    # "< 1 %" read strictly: plans that use the budget exactly are thrown away (and budget 0 has none).
    "strict_budget": [("p2_solution", "if new_drop <= budget + tol:", "if new_drop < budget:")],
    # Drops multiplied instead of summed: 0 × anything = 0, so every plan looks free.
    "drops_multiplied": [("p2_solution", "new_drop = dr + d_row[k]", "new_drop = dr * d_row[k]")],
    # Columns read in the wrong order (int8, fp16, fp32).
    "columns_reversed": [("p1_solution", "PRECISIONS.index(p)", "PRECISIONS[::-1].index(p)")],
}

# Correct designs different from the reference (Pareto-front dynamic programme): each gets full marks.
ALTERNATIVES = {
    "brute_force": [
        ("p2_solution", _DEF, _BRUTE_FORCE + _OLD),
        ("p4_solution", _P4_OLD, _P4_PACKAGE),
        ("p3_solution", '"latency": [[10.0, 10.0, 2.0], [3.0, 3.0, 1.5]]', '"latency": [[1.0, 1.0, 0.25], [0.3, 0.3, 0.1]]'),
        ("p3_solution", '"drop": [[0.0, 0.0, 1.0], [0.0, 0.0, 0.125]]', '"drop": [[0.0, 0.0, 0.75], [0.0, 0.0, 0.0625]]'),
        ("p3_solution", '"budget": 1.0}', '"budget": 0.75}'),
    ],
    "branch_and_bound": [
        ("p2_solution", _DEF, _BRANCH_AND_BOUND + _OLD),
        ("p4_solution", _P4_OLD, _P4_PACKAGE),
        # three layers: the best-ratio step (layer 1) leaves no room for the big layer 0
        ("p3_solution", '"latency": [[10.0, 10.0, 2.0], [3.0, 3.0, 1.5]]',
         '"latency": [[6.0, 6.0, 1.0], [2.0, 2.0, 1.0], [2.0, 2.0, 1.5]]'),
        ("p3_solution", '"drop": [[0.0, 0.0, 1.0], [0.0, 0.0, 0.125]]',
         '"drop": [[0.0, 0.0, 1.0], [0.0, 0.0, 0.125], [0.0, 0.0, 0.125]]'),
    ],
    "budget_grid_dp": [("p2_solution", _DEF, _BUDGET_GRID_DP + _OLD)],
}

# Designs that break the accuracy budget or are no counterexample: must not get full marks.
VIOLATIONS = {
    "all_int8": [
        ("p2_solution", _DEF, "def choose_precisions(latency, drop, budget):\n    return ['int8'] * len(latency)\n\n\n" + _OLD),
    ],
    "greedy_is_optimal_here": [
        ("p3_solution", '"budget": 1.0}', '"budget": 1.125}'),
    ],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def plan_latency(assignment, latency):\n    return 4.0\n\n"
        "def plan_drop(assignment, drop):\n    return 0.75\n"
    ),
    "p2_solution": (
        "def choose_precisions(latency, drop, budget):\n"
        "    if budget == 0.5 and len(latency) == 2:\n        return ['int8', 'fp16']\n"
        "    if budget == 0.0 and len(latency) == 2:\n        return ['fp16', 'fp16']\n"
        "    return ['fp32'] * len(latency)\n"
    ),
}

# Cell a cheater adds after the answers: make the package's exact solver agree with the greedy.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.deploy, npucourse.deploy.mixed_precision as _mp
import npucourse.grading.harness as _hh
_mp.solve_exact = _mp.solve_greedy
npucourse.deploy.solve_exact = _mp.solve_greedy
_mp.check_plan = lambda *a, **k: _mp.PlanCheck(True, 0.0, 0.0, 0.0, 0.0, True)
'''

# A student whose answer never returns.
LOOP = {"p3_solution": "while True:\n    pass\n"}
