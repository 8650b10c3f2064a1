"""Typical mistakes and cheating attempts for exercise 2.1, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # MACs reported as FLOPs: every FLOP count is half the truth; the sizes and scaling rules stay right.
    "macs_for_flops": [("p1_solution", "return 2 * macs", "return macs")],
    # The stride-2 convs counted at their input size (4x their MACs); the helpers stay right.
    "input_size_for_output": [("p4_solution", "f[stage] += conv_flops(c_in, c_out, 3, h_out, h_out)",
                               "f[stage] += conv_flops(c_in, c_out, 3, h, h)")],
    # C2f's bottlenecks on the full width c2 instead of the split half c.
    "c2f_full_width": [("p3_solution", "f += n * 2 * conv_flops(c, c, 3, size, size)",
                        "f += n * 2 * conv_flops(c2, c2, 3, size, size)")],
    # Padding forgotten in the output size: every downsampling halves 1 pixel short.
    "no_padding": [("p1_solution", "return (h + 2 * p - k) // s + 1", "return (h - k) // s + 1")],
    # make_divisible rounding down (the yaml scales never show it, random widths do).
    "channels_round_down": [("p2_solution", "math.ceil(min(c, max_channels) * width / 8) * 8",
                             "math.floor(min(c, max_channels) * width / 8) * 8")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def conv_out(h, k, s, p):\n    return {(640, 3, 2, 1): 320, (7, 3, 2, 0): 3}.get((h, k, s, p), 1)\n\n"
        "def conv_flops(c_in, c_out, k, h_out, w_out, groups=1):\n"
        "    return 2 * 3 * 48 * 9 * 320 * 320 if (c_in, c_out, k, h_out, w_out) == (3, 48, 3, 320, 320) else 1\n"
    ),
    "p2_solution": (
        "def scaled_channels(c, width, max_channels):\n    return 576\n\n"
        "def scaled_repeats(n, depth):\n    return 2\n"
    ),
    "p3_solution": "def c2f_flops(c1, c2, n, size):\n    return 2 * (8 * 8 * 4 + 2 * 4 * 4 * 9 * 4 + 12 * 8 * 4)\n",
    "p4_solution": (
        "def yolov8_stage_gflops(scale, imgsz):\n"
        "    return {k: (2 * 3 * 48 * 9 * 320 * 320 / 1e9 if k == 'stem' else 1.0) for k in STAGES}\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, importlib, npucourse.grading.harness as _hh
_y = importlib.import_module("npucourse.networks.yolov8")  # the module (the package attribute is the builder function)
import npucourse.grading.specs.ex2_1 as _spec
_orig = _spec._stage_gflops
_spec._stage_gflops = lambda scale, imgsz=640: {k: v / 2 for k, v in _orig(scale, imgsz).items()}
_y.yolov8 = _spec.yolov8 = lambda *a, **k: None
_spec.G_ATOL = 1e9
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {
    "p5_solution": (
        "def _forever():\n    while True:\n        pass\n\n"
        "STAGES_M_640 = yolov8_stage_gflops('m', 640)\nGFLOPS_M_640 = _forever()\n"
    ),
}
