"""Typical mistakes and cheating attempts for exercise 2.4, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # K2's residual stream h1 not written back (K3's residual add still needs it): 8 instead of 9
    # fused transfers, so the fused bytes and the saving are off; the unfused side stays right.
    "residual_not_written": [("p2_solution", "k2 = 2 + 2", "k2 = 2 + 1")],
    # S and P counted as written only (the read-back forgotten): score and unfused bytes too small.
    "scores_written_only": [("p2_solution", "return 4 * heads * L * L * s", "return 2 * heads * L * L * s")],
    # LayerNorm γ/β left out of the weights: every block total is a few kB short.
    "no_norm_params": [("p2_solution", "norms = 2 * (2 * d)", "norms = 0")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def link_saved_bytes(B, needed_later):\n    return 2 * B\n\n"
        "def chain_unfused_bytes(E, n, s):\n    return 120\n\n"
        "def chain_fused_bytes(E, n, s):\n    return 40\n\n"
        "def chain_saved_fraction(n):\n    return 2 / 3\n"
    ),
    "p2_solution": (
        "def block_weight_bytes(d, ffn_mult, s):\n    return 10\n\n"
        "def block_score_bytes(L, heads, s):\n    return 16\n\n"
        "def unfused_transfers(ffn_mult):\n    return 26\n\n"
        "def fused_transfers(ffn_mult):\n    return 5\n"
    ),
    "p3_solution": (
        "def block_unfused_bytes(L, d, heads, ffn_mult, s):\n    return 40\n\n"
        "def block_fused_bytes(L, d, heads, ffn_mult, s):\n    return 19\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.ops, npucourse.ops.fusion, npucourse.grading.harness as _hh
import npucourse.grading.specs.ex2_4 as _spec
_orig = npucourse.ops.fusion.transformer_block_fusion
def _fake(*a, **k):
    r = _orig(*a, **k)
    return r.__class__(**{**r.__dict__, "fused_transfers": 8.0})
npucourse.ops.fusion.transformer_block_fusion = _fake
npucourse.ops.transformer_block_fusion = _fake
_spec.transformer_block_fusion = _fake
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {
    "p1_solution": (
        "def link_saved_bytes(B, needed_later):\n    return B if needed_later else 2 * B\n\n"
        "def chain_unfused_bytes(E, n, s):\n    return n * 2 * E * s\n\n"
        "def chain_fused_bytes(E, n, s):\n    return 2 * E * s\n\n"
        "def chain_saved_fraction(n):\n    while True:\n        pass\n"
    ),
}
