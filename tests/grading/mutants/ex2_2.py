"""Typical mistakes and cheating attempts for exercise 2.2, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # MACs reported as FLOPs: the PFN and dense counts are half; grid, canvas and the ratio stay right.
    "macs_for_flops": [("p2_solution", "return 2 * n_pillars", "return n_pillars"),
                       ("p3_solution", "return 2 * c_in * c_out", "return c_in * c_out")],
    # The draft's rule: effective = dense × (1 − sparsity)².
    "draft_squared": [("p4_solution", "return (pfn_flops(n, MAX_POINTS) + dense) / (pfn_flops(nx * ny, MAX_POINTS) + dense)",
                       "return occupancy ** 2")],
    # int() truncates (hi − lo)/size when the float lands just below the integer.
    "grid_truncation": [("p1_solution", "return round((hi - lo) / size)", "return int((hi - lo) / size)")],
    # Each block's stride-2 conv counted at its input size instead of its output size.
    "input_size_for_output": [("p3_solution", "f += conv(c_in, c, 3, w, h)", "f += conv(c_in, c, 3, w * stride, h * stride)")],
    # PFN counted once per pillar instead of once per point.
    "pfn_per_pillar": [("p2_solution", "2 * n_pillars * max_points * PFN_IN", "2 * n_pillars * PFN_IN")],
    # The canvas not padded to a multiple of 8 (940 instead of 944 in the exercise).
    "no_canvas_padding": [("p4_solution", "dense_flops(canvas_size(nx), canvas_size(ny))", "dense_flops(nx, ny)")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def grid_size(lo, hi, size):\n    return 432 if lo == 0 else 496\n\n"
        "def canvas_size(n):\n    return {432: 432, 500: 504}.get(n, 8)\n"
    ),
    "p2_solution": "def pfn_flops(n_pillars, max_points):\n    return 40960\n",
    "p3_solution": "def dense_flops(nx, ny):\n    return 20_414_464\n",
    "p4_solution": "def effective_fraction(occupancy, nx, ny):\n    return 1.0 if occupancy == 1.0 else 0.5\n",
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, importlib, npucourse.grading.harness as _hh
_pp = importlib.import_module("npucourse.networks.pointpillars")  # the module (the package attribute is the builder function)
import npucourse.grading.specs.ex2_2 as _spec
_pp.occupancy_split = lambda net: {"sparse_macs": 0.5, "dense_macs": 0.5, "sparse_flops": 1.0, "dense_flops": 1.0}
_spec.occupancy_split = _pp.occupancy_split
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {"p4_solution": "def effective_fraction(occupancy, nx, ny):\n    while True:\n        pass\n"}
