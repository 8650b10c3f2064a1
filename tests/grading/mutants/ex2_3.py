"""Typical mistakes and cheating attempts for exercise 2.3 (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # MACs reported as FLOPs: every FLOP-based answer is off by 2x.
    "macs_for_flops": [("p1_solution", "return 2 * M * N * K", "return M * N * K")],
    # Bits used for bytes: traffic 8x too large, intensity 8x too small.
    "bits_for_bytes": [("p1_solution", "return (M * K + K * N + M * N) * s", "return (M * K + K * N + M * N) * s * 8")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def gemm_flops(M, N, K):\n    return 48 if (M, N, K) == (2, 3, 4) else 0\n\n"
        "def gemm_bytes(M, N, K, s):\n    return {(2, 3, 4, 2): 52, (1, 1, 1, 4): 12}.get((M, N, K, s), 0)\n"
    ),
    "p2_solution": (
        "import math\ndef intensity(M, N, K, s):\n    return 48 / 52 if (M, N, K, s) == (2, 3, 4, 2) else 1.0\n\n"
        "def bound(M, N, K, s, ridge):\n    return 'memory'\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.ops, npucourse.grading.harness as _hh
from npucourse.cost import Cost
_orig = npucourse.ops.gemm
npucourse.ops.gemm = lambda M, N, K, dtype="fp16", **kw: Cost(macs=M*N*K, flops=M*N*K, dtype="fp16")
'''

# A student whose answer never returns.
LOOP = {"p3_solution": "def min_square_k(s, ridge):\n    while True:\n        pass\n"}
