"""Typical mistakes and cheating attempts for exercise 2.7, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # The draft's accounting: the frustum volume is written by lift but its read-back by splat is
    # forgotten. Feature, depth and frustum sizes stay right; unfused, saving and totals are off.
    "frustum_not_read_back": [("p3_solution", '"splat": frustum + index +', '"splat": index +')],
    # Feature map rounded down (1080/16 = 67.5 → 67): every byte count built on h × w is off,
    # the depth-bin count is still right.
    "floor_feature_map": [("p1_solution", "return [-(-H // stride), -(-W // stride)]", "return [H // stride, W // stride]")],
    # Depth bins counted inclusively ((stop − start)/step + 1: 60 instead of 59): only depth_bins
    # and the final values that use it are wrong.
    "inclusive_depth_bins": [("p2_solution", "return math.ceil((stop - start) / step)",
                              "return round((stop - start) / step) + 1")],
    # The fused kernel still reads the voxel index of every frustum point: forgetting it makes the
    # fused traffic too small and the saving too large.
    "fused_without_indices": [("p4_solution", '"splat": px * D * IDX_BYTES + bev_x * bev_y * C * s',
                               '"splat": bev_x * bev_y * C * s')],
    # The BEV grid read back for every camera, the first included (nothing to read yet).
    "bev_read_every_camera": [("p3_solution", "(n_cams - 1) * bev + n_cams * bev", "n_cams * bev + n_cams * bev")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def feature_hw(H, W, stride):\n    return [3, 4]\n\n"
        "def feature_bytes(H, W, stride, C, s):\n    return 192\n"
    ),
    "p2_solution": (
        "def depth_bins(start, stop, step):\n    return 3\n\n"
        "def depth_bytes(H, W, stride, D, s):\n    return 120\n\n"
        "def frustum_bytes(H, W, stride, D, C, s):\n    return 960\n"
    ),
    "p3_solution": (
        "def unfused_traffic(n_cams, H, W, stride, feat_c, D, C, bev_x, bev_y, s):\n"
        "    return {'image': 2400, 'image features': 0, 'depthnet': 0, 'depth softmax': 96, 'lift': 0, 'splat': 0}\n"
    ),
    "p4_solution": (
        "def fused_traffic(n_cams, H, W, stride, feat_c, D, C, bev_x, bev_y, s):\n"
        "    return {'image': 2400, 'image features': 0, 'depthnet': 0, 'depth softmax': 0, 'lift': 0, 'splat': 0}\n\n"
        "def saved_fraction(n_cams, H, W, stride, feat_c, D, C, bev_x, bev_y, s):\n    return 0.5\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, importlib, npucourse.grading.harness as _hh
_bd = importlib.import_module("npucourse.networks.bevdet")  # the module (the package attribute is the builder function)
import npucourse.grading.specs.ex2_7 as _spec
_orig = _bd.bev_dataflow_traffic
def _fake(*a, **k):
    t = _orig(*a, **k)  # splat no longer reads the frustum volume back (the first WRONG variant)
    v = t.loc[t["stage"] == "lift", "unfused_write"].iloc[0]
    for col in ("unfused_read", "unfused"):
        t.loc[t["stage"].isin(["splat", "total"]), col] -= v
    return t
_bd.bev_dataflow_traffic = _fake
_spec.bev_dataflow_traffic = _fake
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {
    "p4_solution": (
        "def fused_traffic(n_cams, H, W, stride, feat_c, D, C, bev_x, bev_y, s):\n"
        "    h, w = feature_hw(H, W, stride)\n"
        "    px = n_cams * h * w\n"
        "    feat = px * feat_c * s\n"
        "    return {'image': n_cams * H * W * 3 * S_IMG, 'image features': feat, 'depthnet': feat,\n"
        "            'depth softmax': 0, 'lift': 0, 'splat': px * D * IDX_BYTES + bev_x * bev_y * C * s}\n\n"
        "def saved_fraction(n_cams, H, W, stride, feat_c, D, C, bev_x, bev_y, s):\n    while True:\n        pass\n"
    ),
}
