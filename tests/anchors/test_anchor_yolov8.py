"""YOLOv8 against the published ultralytics numbers (REFERENCE.md "YOLOv8")."""

import pytest

import npucourse as npc
from npucourse.networks.yolov8 import reported_gflops

# Source: ultralytics docs/en/models/yolov8.md (detection table, 640×640): params of the unfused
# model (Conv+BN), exact; GFLOPs = 2 × conv MACs of the fused model, printed with one decimal.
DOCS = {
    "n": (3_157_200, 8.7), "s": (11_166_560, 28.6), "m": (25_902_640, 78.9),
    "l": (43_691_520, 165.2), "x": (68_229_648, 257.8),
}
# Source: comments of ultralytics/cfg/models/v8/yolov8.yaml (thop on the unfused model, which also
# counts BatchNorm): "8.9 / 28.8 / 79.3 / 165.7 / 258.5 GFLOPs".
YAML_GFLOPS = {"n": 8.9, "s": 28.8, "m": 79.3, "l": 165.7, "x": 258.5}


@pytest.mark.parametrize("scale", list(DOCS))
def test_params_exact(scale):
    assert npc.networks.yolov8(scale, fused=False).params == DOCS[scale][0]


@pytest.mark.parametrize("scale", list(DOCS))
def test_gflops_docs_within_half_percent(scale):
    net = npc.networks.yolov8(scale, imgsz=640, fused=True)
    # Tolerance: 0.5 %, but never tighter than the source's own print precision (one decimal,
    # ±0.05): 8.7 for n stands for anything in [8.65, 8.75), i.e. ±0.57 %.
    tol = max(0.005 * DOCS[scale][1], 0.05)
    assert abs(2 * net.macs / 1e9 - DOCS[scale][1]) <= tol


def test_gflops_yolov8n_three_decimals():
    # Source: ultralytics/utils/torch_utils.py::model_info_for_loggers docstring, YOLOv8n:
    # "model/GFLOPs": 8.746 (get_flops, rounded to 3 decimals). Tolerance 0.1 %.
    assert 2 * npc.networks.yolov8("n", imgsz=640).macs / 1e9 == pytest.approx(8.746, rel=1e-3)


@pytest.mark.parametrize("scale", list(YAML_GFLOPS))
def test_yaml_gflops_count_batchnorm(scale):
    # One-decimal printout: the model value must round to it.
    assert round(reported_gflops(scale, 640, fused=False), 1) == YAML_GFLOPS[scale]


def test_fused_param_count_of_the_trainer_docstring():
    # Source: ultralytics/utils/torch_utils.py::model_info_for_loggers docstring, YOLOv8n:
    # "model/parameters": 3151904 (BN folded: each BN's 2·c parameters become a c-element bias).
    assert npc.networks.yolov8("n", fused=True).params == 3_151_904
