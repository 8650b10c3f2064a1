"""CNN perception networks: hand-derived layers, an independent recount of YOLOv8 from its yaml,
conservation (layers and stages add up to the totals), scaling properties and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc

YOLO_SCALES = {"n": (0.33, 0.25, 1024), "s": (0.33, 0.50, 1024), "m": (0.67, 0.75, 768),
               "l": (1.0, 1.0, 512), "x": (1.0, 1.25, 512)}


def _recount_yolov8(scale: str, h: int, w: int, nc: int = 80) -> tuple[int, int]:
    """Independent recount of (unfused params, conv MACs) from the yaml table alone.

    Walks yolov8.yaml with plain integers: every Conv is (c1, c2, k, s) with a 2·c2 BatchNorm,
    C2f/SPPF/Detect expanded by hand from ultralytics' module definitions.
    """
    depth, width, maxc = YOLO_SCALES[scale]
    ch = lambda c: math.ceil(min(c, maxc) * width / 8) * 8  # noqa: E731
    rep = lambda n: max(round(n * depth), 1) if n > 1 else n  # noqa: E731
    params = macs = 0

    def conv(c1, c2, k, hw, s=1, bn=True, bias=False):
        nonlocal params, macs
        ho, wo = (hw[0] + 2 * (k // 2) - k) // s + 1, (hw[1] + 2 * (k // 2) - k) // s + 1
        params += c1 * c2 * k * k + (2 * c2 if bn else 0) + (c2 if bias else 0)
        macs += ho * wo * c2 * c1 * k * k
        return (ho, wo)

    def c2f(c1, c2, n, hw):
        c = c2 // 2
        conv(c1, 2 * c, 1, hw)
        for _ in range(n):
            conv(c, c, 3, hw)
            conv(c, c, 3, hw)
        conv((2 + n) * c, c2, 1, hw)

    hw = conv(3, ch(64), 3, (h, w), 2)
    hw = conv(ch(64), ch(128), 3, hw, 2); c2f(ch(128), ch(128), rep(3), hw)
    p3 = hw = conv(ch(128), ch(256), 3, hw, 2); c2f(ch(256), ch(256), rep(6), hw)
    p4 = hw = conv(ch(256), ch(512), 3, hw, 2); c2f(ch(512), ch(512), rep(6), hw)
    p5 = hw = conv(ch(512), ch(1024), 3, hw, 2); c2f(ch(1024), ch(1024), rep(3), hw)
    conv(ch(1024), ch(1024) // 2, 1, hw); conv(2 * ch(1024), ch(1024), 1, hw)  # SPPF
    c2f(ch(1024) + ch(512), ch(512), rep(3), p4)
    c2f(ch(512) + ch(256), ch(256), rep(3), p3)
    conv(ch(256), ch(256), 3, p3, 2); c2f(ch(256) + ch(512), ch(512), rep(3), p4)
    conv(ch(512), ch(512), 3, p4, 2); c2f(ch(512) + ch(1024), ch(1024), rep(3), p5)
    levels = [(ch(256), p3), (ch(512), p4), (ch(1024), p5)]
    c2, c3 = max(16, ch(256) // 4, 64), max(ch(256), min(nc, 100))
    anchors = 0
    for c, hw_ in levels:
        conv(c, c2, 3, hw_); conv(c2, c2, 3, hw_); conv(c2, 64, 1, hw_, bn=False, bias=True)
        conv(c, c3, 3, hw_); conv(c3, c3, 3, hw_); conv(c3, nc, 1, hw_, bn=False, bias=True)
        anchors += hw_[0] * hw_[1]
    params += 16  # DFL Conv2d(16, 1, 1, bias=False)
    macs += 16 * 4 * anchors
    return params, macs


@pytest.mark.parametrize("scale", list(YOLO_SCALES))
@pytest.mark.parametrize("size", [(640, 640), (320, 480), (384, 672)])
def test_yolov8_equals_independent_recount(scale, size):
    params, macs = _recount_yolov8(scale, *size)
    net = npc.networks.yolov8(scale, imgsz=size, fused=False)
    assert net.params == params
    assert net.macs == macs
    assert npc.networks.yolov8(scale, imgsz=size, fused=True).macs == macs  # folding BN adds no MACs


def test_yolov8_layer0_by_hand():
    # YOLOv8-m layer 0: Conv(3 → make_divisible(min(64, 768)·0.75, 8) = 48, k3, s2, p1) at 640:
    # output 320×320; MACs = 320·320·48·3·3·3 = 132,710,400.
    net = npc.networks.yolov8("m", imgsz=640, fused=False)
    conv, bn, act = net.layers[0].cost, net.layers[1].cost, net.layers[2].cost
    assert conv.out_shape == (1, 48, 320, 320)
    assert conv.macs == 320 * 320 * 48 * 3 * 9 == 132_710_400
    assert conv.params == 48 * 3 * 9 == 1296
    assert bn.params == 2 * 48  # γ, β
    assert net.stage("stem").params == 1296 + 96
    assert act.name.endswith("silu") and act.macs == 0
    # fused: BN folded into a 48-element bias
    fused = npc.networks.yolov8("m", imgsz=640, fused=True)
    assert fused.stage("stem").params == 1296 + 48
    assert fused.stage("stem").macs == 132_710_400


def test_yolov8n_layer1_and_detect_widths_by_hand():
    # YOLOv8-n layer 1: Conv(16 → 32, k3, s2) on 320×320 → 160×160: 160·160·32·16·9 MACs.
    net = npc.networks.yolov8("n", imgsz=640)
    layer1 = next(ly.cost for ly in net.layers if ly.name == "1.conv.conv")
    assert layer1.macs == 160 * 160 * 32 * 16 * 9 == 117_964_800
    # Detect on n: ch[0] = 64 → box width c2 = max(16, 64 // 4, 4·16) = 64, class width
    # c3 = max(64, min(80, 100)) = 80. P3 class 1×1 conv: 80×80 · 80 · 80 MACs.
    cls = next(ly.cost for ly in net.layers if ly.name == "22.detect.cv3.0.2.conv")
    assert cls.out_shape == (1, 80, 80, 80)
    assert cls.macs == 80 * 80 * 80 * 80
    box = next(ly.cost for ly in net.layers if ly.name == "22.detect.cv2.0.2.conv")
    assert box.out_shape == (1, 64, 80, 80)


def test_yolov8_stage_shapes_for_exercise_2_1():
    # The draft's "Stage 5: 40×40×512 → 20×20×1024" holds for l only; m caps at 768·0.75 = 576.
    for scale, c5 in (("n", 256), ("s", 512), ("m", 576), ("l", 512), ("x", 640)):
        assert npc.networks.yolov8(scale).config["shapes"][7] == (1, c5, 20, 20)


def test_yolov8_upsample_and_concat_move_bytes_but_no_macs():
    net = npc.networks.yolov8("s", imgsz=640)
    up = next(ly.cost for ly in net.layers if ly.name == "10.upsample")
    cat = next(ly.cost for ly in net.layers if ly.name == "11.concat")
    # s: layer 9 is 512×20×20; upsampled to 512×40×40; concat with layer 6 (256×40×40).
    assert up.macs == 0 and up.flops == 0
    assert up.reads["dram"] == 512 * 20 * 20 * 2 and up.writes["dram"] == 512 * 40 * 40 * 2
    assert cat.out_shape == (1, 768, 40, 40)
    assert cat.macs == 0 and cat.bytes == 2 * 768 * 40 * 40 * 2


@pytest.mark.parametrize("build", [
    lambda: npc.networks.yolov8("s", fused=False), lambda: npc.networks.yolov8("m"),
    lambda: npc.networks.resnet(50), lambda: npc.networks.resnet(18, fused=False, features_only=True),
])
def test_layers_and_stages_sum_to_totals(build):
    net = build()
    for field in ("macs", "flops", "params", "bytes"):
        by_layer = sum(getattr(ly.cost, field) for ly in net.layers)
        by_stage = sum(getattr(c, field) for c in net.stages.values())
        total = getattr(net.total, field)
        assert by_layer == pytest.approx(total, rel=1e-12)
        assert by_stage == pytest.approx(total, rel=1e-12)
    t = net.table("stage")
    assert t["flops"].sum() == pytest.approx(net.flops, rel=1e-12)


def test_yolov8_stage_labels():
    assert list(npc.networks.yolov8("n").stages) == ["stem", "p2", "p3", "p4", "p5", "sppf", "neck", "head"]


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(list(YOLO_SCALES)), st.integers(1, 12), st.integers(1, 12))
def test_yolov8_conv_macs_scale_exactly_with_area(scale, a, b):
    # Every feature map is the input divided by a power of two ≤ 32, so with sides that are
    # multiples of 32 each conv's MACs are proportional to H·W.
    base = npc.networks.yolov8(scale, imgsz=32).macs
    net = npc.networks.yolov8(scale, imgsz=(32 * a, 32 * b))
    assert net.macs == base * a * b


@settings(max_examples=10, deadline=None)
@given(st.integers(2, 10), st.integers(1, 3))
def test_yolov8_monotone_in_size_and_batch(k, batch):
    small = npc.networks.yolov8("n", imgsz=32 * (k - 1), batch=batch)
    big = npc.networks.yolov8("n", imgsz=32 * k, batch=batch)
    more = npc.networks.yolov8("n", imgsz=32 * k, batch=batch + 1)
    for a, b_ in ((small, big), (big, more)):
        assert a.macs < b_.macs and a.flops < b_.flops and a.total.bytes < b_.total.bytes
    assert more.params == big.params  # weights do not grow with the batch
    assert more.macs == big.macs * (batch + 1) / batch


@settings(max_examples=10, deadline=None)
@given(st.sampled_from([18, 34, 50]), st.integers(64, 320))
def test_resnet_monotone_in_size(depth, size):
    a = npc.networks.resnet(depth, size, features_only=True)
    b = npc.networks.resnet(depth, size + 32, features_only=True)
    assert a.macs < b.macs and a.params == b.params


def test_resnet_stem_by_hand():
    # conv1: 7×7, stride 2, pad 3, 3 → 64 at 224: 112·112·64·3·49 MACs; max pool 3/2 → 56×56.
    net = npc.networks.resnet(50, 224, fused=False)
    conv1 = net.layers[0].cost
    assert conv1.macs == 112 * 112 * 64 * 3 * 49 == 118_013_952
    assert net.config["features"] == {"C2": (1, 256, 56, 56), "C3": (1, 512, 28, 28),
                                      "C4": (1, 1024, 14, 14), "C5": (1, 2048, 7, 7)}
    # FC: 2048 → 1000 with bias
    fc = net.layers[-1].cost
    assert fc.macs == 2048 * 1000 and fc.params == 2048 * 1000 + 1000


def test_resnet_features_only_drops_head_and_gives_bev_shapes():
    full = npc.networks.resnet(50, (256, 704))
    feat = npc.networks.resnet(50, (256, 704), features_only=True)
    assert "head" not in feat.stages
    assert full.params - feat.params == 2048 * 1000 + 1000
    # 256×704 input (BEVDet): strides 16 and 32 give 16×44 and 8×22
    assert feat.config["features"]["C4"] == (1, 1024, 16, 44)
    assert feat.config["features"]["C5"] == (1, 2048, 8, 22)


def test_resnet_caffe_style_is_cheaper_and_dcn_adds_offset_convs():
    pt = npc.networks.resnet(101, 224, features_only=True)
    caffe = npc.networks.resnet(101, 224, features_only=True, style="caffe")
    # caffe style: the first 1×1 conv of each strided block runs at the reduced resolution.
    # layer2.0.conv1: 256→128 at 56×56 (pytorch) vs 28×28 (caffe): difference 3/4·56²·256·128.
    saved = pt.macs - caffe.macs
    by_hand = sum(3 / 4 * (hw * hw) * cin * planes for hw, cin, planes in ((56, 256, 128), (28, 512, 256), (14, 1024, 512)))
    assert saved == by_hand
    assert caffe.params == pt.params
    dcn = npc.networks.resnet(101, 224, features_only=True, style="caffe", dcn_stages=(3, 4))
    # each DCN conv adds a 3×3 offset conv to 27 channels with bias: planes·27·9 + 27 params
    added = 23 * (256 * 27 * 9 + 27) + 3 * (512 * 27 * 9 + 27)
    assert dcn.params - caffe.params == added


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="imgsz"):
        npc.networks.yolov8("n", imgsz=650)
    with pytest.raises(ValueError, match="imgsz"):
        npc.networks.yolov8("n", imgsz=(640, 100))
    with pytest.raises(KeyError, match="'q'.*n, s, m, l, x"):
        npc.networks.yolov8("q")
    with pytest.raises(ValueError, match="nc"):
        npc.networks.yolov8("n", nc=0)
    with pytest.raises(ValueError, match="batch"):
        npc.networks.yolov8("n", batch=0)
    with pytest.raises(KeyError, match="152"):
        npc.networks.resnet(152)
    with pytest.raises(ValueError, match="style"):
        npc.networks.resnet(50, style="tf")
    with pytest.raises(ValueError, match="dcn_stages"):
        npc.networks.resnet(18, dcn_stages=(3,))
    with pytest.raises(ValueError, match="image_size"):
        npc.networks.resnet(50, 16)


def test_module_and_builder_share_a_name():
    import npucourse.networks.yolov8 as mod  # importing the module must not shadow the builder

    assert npc.networks.yolov8("n").params == mod.yolov8("n").params
    assert np.isclose(npc.networks.resnet(18).macs, 1.814073344e9)


# ----------------------------------------------------------------------------------------------
# CenterNet
# ----------------------------------------------------------------------------------------------
from npucourse.networks.centernet import gaussian_radius, heatmap_sigma, heatmap_sigma_draft, sigma_table  # noqa: E402


def test_centernet_radius_for_a_square_by_hand():
    # Square box s×s, o = 0.7: the "both corners inside" root r2 = (4s − √(16s² − 4·4·0.3s²))/8
    # = s(4 − √11.2)/8 = 0.0816689 s is the smallest (r1 = s(2 − √(4 − 1.2/1.7))/2 = 0.0925 s,
    # r3 = s(−2.8 + √11.2)/5.6 = 0.0976 s).
    for s in (10.0, 64.0):
        assert gaussian_radius((s, s)) == pytest.approx(s * (4 - math.sqrt(11.2)) / 8, rel=1e-12)
    # 64×64: r = 5.2269 → drawn radius 5 → σ = 11/6; the draft's σ = 64/3.
    assert heatmap_sigma(64, 64) == pytest.approx(11 / 6)
    assert heatmap_sigma_draft(64, 64) == pytest.approx(64 / 3)
    t = sigma_table([(64, 64)])
    assert t.loc[0, "draft_over_code"] == pytest.approx((64 / 3) / (11 / 6))


@settings(max_examples=40, deadline=None)
@given(st.floats(1, 500), st.floats(1, 500), st.floats(0.05, 0.95))
def test_centernet_radius_properties(h, w, o):
    r = gaussian_radius((h, w), o)
    assert 0 < r < min(h, w)  # a corner may move less than the box side
    assert gaussian_radius((h + 1, w), o) >= r  # bigger box, larger tolerated shift
    assert gaussian_radius((h, w), min(o + 0.04, 0.99)) <= r  # stricter IoU, smaller radius
    assert gaussian_radius((h, w), o) == pytest.approx(gaussian_radius((w, h), o))  # symmetric


def test_centernet_vectorised_and_bad_input():
    r = gaussian_radius((np.array([8.0, 64.0]), np.array([8.0, 64.0])))
    assert r.shape == (2,) and r[1] == pytest.approx(8 * r[0])  # linear in the box scale
    with pytest.raises(ValueError, match="min_overlap"):
        gaussian_radius((10, 10), 1.0)
    with pytest.raises(ValueError, match="box height"):
        gaussian_radius((0, 10))
    with pytest.raises(ValueError, match="image_size"):
        npc.networks.centernet(18, image_size=500)


def test_centernet_network_by_hand():
    net = npc.networks.centernet(18, image_size=512, fused=False)
    # three ConvTranspose2d(k=4, s=2, p=1): 16 → 32 → 64 → 128 (stride 4)
    assert net.config["output_shape"] == (1, 256, 128, 128)
    d0 = next(ly.cost for ly in net.layers if ly.name == "deconv0.deconv")
    # scatter-form MACs: 16·16 inputs · 512 in · 256 out · 4·4 taps; weights 512·256·16
    assert d0.macs == 16 * 16 * 512 * 256 * 16 and d0.params == 512 * 256 * 16
    assert d0.out_shape == (1, 256, 32, 32)
    hm1 = next(ly.cost for ly in net.layers if ly.name == "hm.1.conv")
    assert hm1.out_shape == (1, 80, 128, 128) and hm1.macs == 128 * 128 * 80 * 64
    # backbone = ResNet-18 without its FC; heads: (256·64·9 + 64) + (64·n + n) each
    head_params = sum((256 * 64 * 9 + 64) + (64 * n + n) for n in (80, 2, 2))
    assert net.stage("head").params == head_params
    r18 = npc.networks.resnet(18, 512, features_only=True, fused=False)
    assert sum(net.stage(s).macs for s in ("stem", "layer1", "layer2", "layer3", "layer4")) == r18.macs


# ----------------------------------------------------------------------------------------------
# PointPillars
# ----------------------------------------------------------------------------------------------
from npucourse.networks.pointpillars import (  # noqa: E402
    effective_compute_fraction, occupancy_split, pillar_grid, pointpillars)

EX22_RANGE = (-75.2, -75.2, -2.0, 75.2, 75.2, 4.0)


def test_pointpillars_layers_by_hand():
    net = pointpillars(10000, fused=False)
    lin = next(ly.cost for ly in net.layers if ly.name == "pfn.linear")
    assert lin.macs == 10000 * 32 * 10 * 64 and lin.params == 640  # Linear(10, 64, bias=False)
    first = next(ly.cost for ly in net.layers if ly.name == "block0.0.conv")
    # ZeroPad2d(1) + Conv2d(64, 64, 3, stride 2) on 496×432 → 248×216
    assert first.out_shape == (1, 64, 248, 216) and first.macs == 248 * 216 * 64 * 64 * 9
    up2 = next(ly.cost for ly in net.layers if ly.name == "deblock2.deconv")
    # ConvTranspose2d(256, 128, 4, stride 4): 62×54 → 248×216, one tap per output and input channel
    assert up2.out_shape == (1, 128, 248, 216) and up2.macs == 248 * 216 * 128 * 256
    assert net.stage("upsample").out_shape == (1, 384, 248, 216)
    cls = next(ly.cost for ly in net.layers if ly.name == "conv_cls.conv")
    assert cls.params == 384 * 18 + 18


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 50000), st.integers(1, 50000))
def test_pointpillars_only_pfn_and_scatter_scale_with_occupancy(n1, n2):
    a, b = pointpillars(n1), pointpillars(n2)
    for stage in ("backbone", "upsample", "head"):
        assert a.stage(stage).flops == b.stage(stage).flops
        assert a.stage(stage).bytes == b.stage(stage).bytes
    assert a.stage("pfn").macs * n2 == b.stage("pfn").macs * n1  # linear in the pillar count
    assert (a.stage("scatter").bytes < b.stage("scatter").bytes) == (n1 < n2)


def test_exercise_2_2_grid_and_true_fraction():
    # 150.4 m / 0.16 m = 940 pillars per side (the draft's grid is right) ...
    assert pillar_grid(EX22_RANGE, (0.16, 0.16)) == (940, 940)
    # ... but 940 is not a multiple of the backbone's total stride 8:
    with pytest.raises(ValueError, match="multiple of the backbone stride 8"):
        pointpillars(88360, EX22_RANGE, (0.16, 0.16))
    net = pointpillars(88360, EX22_RANGE, (0.16, 0.16), pad_canvas=True)
    assert net.config["canvas"] == (944, 944)
    # true fraction at 10 % occupancy: (0.1·sparse_full + dense) / (sparse_full + dense)
    full = occupancy_split(pointpillars(940 * 940, EX22_RANGE, (0.16, 0.16), pad_canvas=True))
    by_hand = (0.1 * full["sparse_flops"] + full["dense_flops"]) / (full["sparse_flops"] + full["dense_flops"])
    frac = effective_compute_fraction(0.1, EX22_RANGE, (0.16, 0.16), pad_canvas=True)
    assert frac == pytest.approx(by_hand, rel=1e-6)
    assert frac > 0.8  # nowhere near the draft's 0.1² = 1 %


def test_pointpillars_bad_input():
    with pytest.raises(ValueError, match="n_pillars"):
        pointpillars(0)
    with pytest.raises(ValueError, match="n_pillars"):
        pointpillars(432 * 496 + 1)
    with pytest.raises(ValueError, match="point_range"):
        pillar_grid((0, 0, 0, -1, 1, 1), (0.16, 0.16))
    with pytest.raises(ValueError, match="pillar_size"):
        pillar_grid((0, 0, 0, 10, 10, 1), (0, 0.16))
    with pytest.raises(ValueError, match="occupancy"):
        effective_compute_fraction(1.5)
