"""Typical mistakes and cheating attempts for exercise 2.6, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # All traffic compressed like the weights (the draft's 0.5·Data + Index): q = r for every
    # operator, so memory-bound speed-ups come out too high.
    "all_data_compressed": [("p1_solution", "return 1 - w * (1 - weight_ratio(b, b_m))", "return weight_ratio(b, b_m)")],
    # Sparse tensor cores' 2x math throughput left out: the math time is not halved.
    "no_2x_math": [("p2_solution", "max(F / (2 * P), Q_sparse / B)", "max(F / P, Q_sparse / B)"),
                   ("p2_solution", "max(q, I / (2 * R))", "max(q, I / R)")],
    # The draft's condition: a speed-up only for compute-bound operators beyond twice the ridge.
    "draft_condition": [("p3_solution", "return speedup(I, R, q) > 1", "return I > 2 * R")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def weight_ratio(b, b_m):\n    return 0.625\n\n"
        "def traffic_ratio(w, b, b_m):\n    return 0.625 if w == 1.0 else 1.0\n"
    ),
    "p2_solution": (
        "def sparse_time(F, Q, Q_w, P, B, b, b_m):\n    return 1e-3\n\n"
        "def speedup(I, R, q):\n    return 1.0\n"
    ),
    "p3_solution": (
        "def gives_speedup(I, R, q):\n    return False\n\n"
        "def full_speedup_intensity(q, R):\n    return 200.0\n\n"
        "def gemm_speedup(M, N, K, s, R):\n    return 48 / 41\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.ops, npucourse.ops.sparsity as _sp, npucourse.grading.harness as _hh
import npucourse.grading.specs.ex2_6 as _spec
import npucourse.formulas._gen.sparsity as _gen
_fake = lambda *, w, b, b_m: _gen.sparse_weight_ratio(b=b, b_m=b_m)
_gen.sparse_traffic_ratio = _fake
_spec.sparse_traffic_ratio = _fake
_sp.speedup_2to4 = lambda *a, **k: 2.0
_spec.speedup_2to4 = _sp.speedup_2to4
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {
    "p3_solution": (
        "def gives_speedup(I, R, q):\n    return max(1, I / R) / max(q, I / (2 * R)) > 1\n\n"
        "def full_speedup_intensity(q, R):\n    while True:\n        pass\n\n"
        "def gemm_speedup(M, N, K, s, R):\n    return 1.0\n"
    ),
}
