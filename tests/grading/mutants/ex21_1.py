"""Typical mistakes and cheating attempts for exercise 21.1 (GELU forms, their error, fused vs
unfused roofline time): (grade_id, old, new) edits of the reference answers."""

WRONG = {
    # √(2/π) written as √2/π: the tanh form is wrong everywhere except at 0.
    "sqrt2_over_pi": [("p1_solution", "np.sqrt(2.0 / np.pi)", "np.sqrt(2.0) / np.pi")],
    # 1.702 replaced by 1.72 in the sigmoid form.
    "slope_172": [("p1_solution", "np.exp(-1.702 * x)", "np.exp(-1.72 * x)")],
    # x·σ(x): the sigmoid form without its factor.
    "sigmoid_no_factor": [("p1_solution", "np.exp(-1.702 * x)", "np.exp(-x)")],
    # The 0.5 of the exact form forgotten.
    "forgot_half": [("p1_solution", "return 0.5 * x * (1.0 + erf(", "return x * (1.0 + erf(")],
    # Absolute error reported as the relative error.
    "abs_for_rel": [("p2_solution", "return float(np.max(err / np.abs(exact[keep])))", "return float(np.max(err))")],
    # Relative error without the |GELU| >= 1e-3 floor (the far tail dominates or divides by 0).
    "no_rel_floor": [("p2_solution", "keep = np.abs(exact) >= 1e-3", "keep = np.abs(exact) >= 0.0")],
    # RMS under N(0, σ²) without the pdf weights (uniform on ±8σ).
    "rms_unweighted": [("p2_solution", "w = np.exp(-0.5 * (x / sigma) ** 2)", "w = np.ones_like(x)")],
    # Element sizes in bits instead of bytes: traffic and time 8x too large.
    "bits_for_bytes": [("p3_solution", 'bytes_per_element = {"fp32": 4, "fp16": 2}',
                        'bytes_per_element = {"fp32": 32, "fp16": 16}')],
    # Operations taken as MACs (halved): the FLOP count is off by 2 (the time, memory-bound, is not).
    "flops_as_macs": [("p3_solution", "return float(np.prod(shape)) * ops[approx]",
                       "return float(np.prod(shape)) * ops[approx] / 2")],
    # Unfused nodes that only write (each node's reads forgotten).
    "unfused_writes_only": [("p3_solution", "return sum(n_in + 1 for n_in in node_inputs[approx]) * E * s",
                             "return len(node_inputs[approx]) * E * s")],
    # Fused and unfused swapped in the final table.
    "fused_swapped": [("p4_solution", 'T_21_1 = {("fused" if fused else "unfused")',
                       'T_21_1 = {("unfused" if fused else "fused")')],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def gelu_exact(x):\n    return 0.0 if x == 0.0 else (0.8413447461 if x == 1.0 else np.zeros(np.shape(x)))\n\n"
        "def gelu_tanh(x):\n    return 0.8411919906\n\n"
        "def gelu_sigmoid(x):\n    return 0.8457957659\n"
    ),
    "p3_solution": (
        "def gelu_flops(shape, approx):\n    return 36\n\n"
        "def gelu_bytes(shape, approx, dtype, fused):\n    return 80 if fused else 440\n\n"
        "def gelu_time(shape, approx, dtype, fused):\n    return 8000 / 25.6e9\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.deploy, npucourse.deploy.gelu as _g, npucourse.grading.harness as _hh
_g.gelu = lambda x, approx=None: numpy.asarray(x) * 0
npucourse.deploy.gelu = _g.gelu
'''

# A student whose answer never returns.
LOOP = {"p4_choice_solution": "while True:\n    pass\n"}
