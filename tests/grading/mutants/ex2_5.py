"""Typical mistakes and cheating attempts for exercise 2.5, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # SRAM bytes taken as elements (M = SRAM instead of SRAM/s): B_c, T_c and the Flash traffic
    # are off for every element size above one byte; the standard traffic stays right.
    "bytes_for_elements": [("p1_solution", "M = sram_bytes // s", "M = sram_bytes")],
    # B_r not capped at d (the paper's min(⌈M/4d⌉, d) forgotten).
    "no_min_d": [("p1_solution", "B_r = min(B_c, d)", "B_r = B_c")],
    # Standard attention: S and P written but never read back (softmax and PV read them).
    "scores_not_read_back": [("p2_solution", "reads = 3 * N * d + N * N + N * N", "reads = 3 * N * d")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def block_sizes(sram_bytes, d, s):\n    return (16, 32)\n\n"
        "def kv_blocks(N, d, sram_bytes, s):\n    return 4\n"
    ),
    "p2_solution": (
        "def standard_bytes(N, d, s):\n    return 24\n\n"
        "def flash_bytes(N, d, sram_bytes, s):\n    return 38\n"
    ),
    "p4_solution": (
        "def ratio_limit(d, B_c):\n    return 1.0\n\n"
        "def breakeven_sram_bytes(d, s):\n    return 64\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, importlib, math, numpy, npucourse, npucourse.ops, npucourse.grading.harness as _hh
_att = importlib.import_module("npucourse.ops.attention")  # the module (npucourse.ops.attention is the function)
import npucourse.grading.specs.ex2_5 as _spec
_orig = _att.flash_block_sizes
_fake = lambda sram_bytes, d_head, dtype="fp16": _orig(sram_bytes * npucourse.units.dtype_bytes(dtype), d_head, dtype)
_att.flash_block_sizes = _fake
npucourse.ops.flash_block_sizes = _fake
_spec.flash_block_sizes = _fake
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {
    "p4_solution": (
        "def ratio_limit(d, B_c):\n    return (3 * d + 4) / (4 * B_c)\n\n"
        "def breakeven_sram_bytes(d, s):\n    while True:\n        pass\n"
    ),
}
