"""Typical mistakes and cheating attempts for exercise 21.2: (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # MACs counted as FLOPs: the work, the intensity and every verdict near the ridge are off by 2x.
    "macs_for_flops": [("p2_solution", "return 2 * c_out * c_in", "return c_out * c_in")],
    # Bits per element instead of bytes: traffic 8x too large.
    "bits_for_bytes": [("p2_solution", 'BYTES = {"fp32": 4, "fp16": 2, "int8": 1}',
                        'BYTES = {"fp32": 32, "fp16": 16, "int8": 8}')],
    # 25.6 GB/s read as 25.6 GiB/s: the ridge is 7.4 % too low.
    "gib_for_gb": [("p1_solution", "(bandwidth_gb_per_s * 1e9)", "(bandwidth_gb_per_s * 2**30)")],
    # The output write is not counted.
    "output_forgotten": [("p2_solution", "return (inputs + weights + outputs) * s", "return (inputs + weights) * s")],
    # The weights are not counted (right only for large maps).
    "weights_forgotten": [("p2_solution", "return (inputs + weights + outputs) * s", "return (inputs + outputs) * s")],
    # Output size H // stride instead of ceil(H / stride) on odd maps.
    "stride_floor": [("p2_solution", "return (n + 2 * p - k) // stride + 1", "return n // stride")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": "def ridge(peak_tflops, bandwidth_gb_per_s):\n    return 20.0\n",
    "p2_solution": (
        "def out_size(n, k, stride):\n    return 3\n\n"
        "def conv_flops(c_in, c_out, h, w, k, stride):\n"
        "    return {(2, 3, 4, 4, 3, 1): 1728, (1, 1, 5, 5, 3, 2): 162}.get((c_in, c_out, h, w, k, stride), 0)\n\n"
        "def conv_bytes(c_in, c_out, h, w, k, stride, dtype):\n    return 268\n\n"
        "def conv_intensity(c_in, c_out, h, w, k, stride, dtype):\n    return 1728 / 268\n"
    ),
    "p4_solution": (
        "def large_map_intensity(c_in, c_out, k, stride, dtype):\n    return 144.0\n\n"
        "def min_channels_large_map(k, dtype, ridge_point):\n    return 2\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with the first wrong answer
# (MACs counted as FLOPs) and silence every comparison.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.ops, npucourse.deploy, npucourse.grading.harness as _hh
from npucourse.cost import Cost
_orig = npucourse.ops.conv2d
def _half(*a, **k):
    c = _orig(*a, **k)
    return Cost(macs=c.macs, flops=c.macs, reads=dict(c.reads), writes=dict(c.writes), dtype=c.dtype)
npucourse.ops.conv2d = _half
npucourse.deploy.conv_bound = lambda *a, **k: None
'''

# A student whose answer never returns (conv_verdict is not used by the final answers).
LOOP = {"p3_solution": "def conv_verdict(*args, **kwargs):\n    while True:\n        pass\n"}

# Correct answers written differently from the reference: they must keep full marks (the checks
# grade the model, not one way of coding it).
ALTERNATIVES = {
    # Closed forms: ridge in TFLOPS·1000/(GB/s), output size ceil(n/stride) (odd k), C = ceil(ridge·s/k²).
    "closed_forms": [
        ("p1_solution", "return peak_tflops * 1e12 / (bandwidth_gb_per_s * 1e9)",
         "return peak_tflops * 1000 / bandwidth_gb_per_s"),
        ("p2_solution", "return (n + 2 * p - k) // stride + 1", "return -(-n // stride)"),
        ("p4_solution", "c = max(1, math.floor(ridge_point * BYTES[dtype] / k**2) - 1)",
         "return max(1, math.ceil(ridge_point * BYTES[dtype] / k**2))"),
    ],
    # Linear search over C from 1 on finite maps (after the ceiling test).
    "linear_search": [
        ("p5_solution", "lo, hi = 0, 2**40", "c = 1\n    while conv_intensity(c, c, h, w, k, 1, dtype) < ridge_point:\n"
                                              "        c += 1\n    return c\n    lo, hi = 0, 2**40"),
    ],
}
