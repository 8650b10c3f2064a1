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


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(list(YOLO_SCALES)), st.integers(1, 12), st.integers(1, 12))
def test_yolov8_conv_macs_scale_exactly_with_area(scale, a, b):
    # Every feature map is the input divided by a power of two ≤ 32, so with sides that are
    # multiples of 32 each conv's MACs are proportional to H·W.
    base = npc.networks.yolov8(scale, imgsz=32).macs
    net = npc.networks.yolov8(scale, imgsz=(32 * a, 32 * b))
    assert net.macs == base * a * b


@settings(max_examples=6, deadline=None)
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
    import importlib

    mod = importlib.import_module("npucourse.networks.yolov8")  # loading the submodule must not shadow the builder
    assert callable(npc.networks.yolov8) and npc.networks.yolov8 is mod.yolov8
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


# ----------------------------------------------------------------------------------------------
# Sparse 3-D convolution and CenterPoint
# ----------------------------------------------------------------------------------------------
import itertools  # noqa: E402

from npucourse.formulas._gen.pointcloud import regular_dense_ratio, subm_dense_ratio_uniform  # noqa: E402
from npucourse.networks.centerpoint import (  # noqa: E402
    centerpoint, neighbour_counts_grid, neighbour_fraction, sparse_conv3d, sparse_layer_table,
    submanifold_macs_exact, synthetic_lidar_voxels)


def _brute_subm_pairs(occ, k=3):
    """Explicit loops: for every active site, count active sites of its centred k³ window."""
    r = k // 2
    D, H, W = occ.shape
    pairs = 0
    for z, y, x in itertools.product(range(D), range(H), range(W)):
        if not occ[z, y, x]:
            continue
        for dz, dy, dx in itertools.product(range(-r, r + 1), repeat=3):
            zz, yy, xx = z + dz, y + dy, x + dx
            if 0 <= zz < D and 0 <= yy < H and 0 <= xx < W and occ[zz, yy, xx]:
                pairs += 1
    return pairs


def _brute_regular(occ, kernel, stride, padding):
    """Explicit loops over output sites: (active outputs, pairs)."""
    D, H, W = occ.shape
    out_dims = [(n + 2 * p - k) // s + 1 for n, k, s, p in zip(occ.shape, kernel, stride, padding)]
    active = pairs = 0
    for o in itertools.product(*(range(n) for n in out_dims)):
        cnt = 0
        for t in itertools.product(*(range(k) for k in kernel)):
            i = [o[a] * stride[a] - padding[a] + t[a] for a in range(3)]
            if all(0 <= i[a] < occ.shape[a] for a in range(3)) and occ[tuple(i)]:
                cnt += 1
        active += cnt > 0
        pairs += cnt
    return active, pairs


@pytest.mark.parametrize("seed, p", [(0, 0.05), (1, 0.2), (2, 0.5)])
def test_submanifold_exact_counts_equal_brute_force(seed, p):
    occ = np.random.default_rng(seed).random((5, 6, 7)) < p
    pairs = _brute_subm_pairs(occ)
    assert submanifold_macs_exact(occ, 4, 8) == pairs * 4 * 8
    assert sparse_conv3d(occ, 4, 8, mode="submanifold").macs == pairs * 4 * 8
    coords = np.argwhere(occ)
    assert sparse_conv3d(coords, 4, 8, grid_shape=occ.shape).macs == pairs * 4 * 8
    counts = neighbour_counts_grid(occ)
    assert counts[occ].sum() == pairs


@pytest.mark.parametrize("kernel, stride, padding", [((3, 3, 3), (1, 1, 1), (1, 1, 1)),
                                                     ((3, 3, 3), (2, 2, 2), (1, 1, 1)),
                                                     ((3, 3, 3), (2, 2, 2), (0, 1, 1)),
                                                     ((3, 1, 1), (2, 1, 1), (0, 0, 0))])
def test_regular_sparse_conv_equals_brute_force(kernel, stride, padding):
    occ = np.random.default_rng(3).random((7, 6, 5)) < 0.15
    active, pairs = _brute_regular(occ, kernel, stride, padding)
    c = sparse_conv3d(occ, 2, 3, kernel=kernel, mode="regular", stride=stride, padding=padding)
    assert c.macs == pairs * 2 * 3
    assert c.out_shape == (active, 3)


def test_single_site_by_hand():
    g = (9, 9, 9)
    one = np.zeros(g, bool)
    one[4, 4, 4] = True
    assert sparse_conv3d(one, 16, 32).macs == 16 * 32  # submanifold: only itself
    reg = sparse_conv3d(one, 16, 32, mode="regular")
    assert reg.macs == 27 * 16 * 32 and reg.out_shape == (27, 32)  # dilates to the 3³ neighbourhood
    # stride 2, pad 1: an even coordinate is covered by one output per axis, an odd one by two
    even = np.zeros(g, bool); even[4, 4, 4] = True
    odd = np.zeros(g, bool); odd[3, 3, 3] = True
    assert sparse_conv3d(even, 1, 1, mode="regular", stride=2).out_shape == (1, 1)
    assert sparse_conv3d(odd, 1, 1, mode="regular", stride=2).out_shape == (8, 1)


def test_expected_submanifold_matches_random_grids():
    # N_a sites drawn uniformly without replacement: an interior active site has 1 + 26·q active
    # sites in its window with q = (N_a − 1)/(N − 1). Average over grids, interior sites only.
    rng = np.random.default_rng(7)
    shape, n_a = (24, 24, 24), 1400
    N = np.prod(shape)
    means = []
    for _ in range(6):
        occ = np.zeros(N, bool)
        occ[rng.choice(N, n_a, replace=False)] = True
        occ = occ.reshape(shape)
        counts = neighbour_counts_grid(occ)
        interior = np.zeros(shape, bool)
        interior[1:-1, 1:-1, 1:-1] = True
        means.append(counts[occ & interior].mean())
    q = (n_a - 1) / (N - 1)
    expected = sparse_conv3d(n_a, 1, 1, grid_shape=shape, neighbour_fraction=q).macs / n_a
    assert expected == pytest.approx(1 + 26 * q)
    assert np.mean(means) == pytest.approx(expected, rel=0.02)


def test_sparse_vs_dense_ratios_and_the_draft_rule():
    # regular sparse conv: p × dense (linear); submanifold, uniform sites: p(1 + 26p)/27 × dense
    assert regular_dense_ratio(p=0.1) == 0.1
    assert subm_dense_ratio_uniform(p=0.1, K=27) == pytest.approx(0.1 * (1 + 26 * 0.1) / 27)
    N, p = 100 * 100 * 20, 0.1
    dense = N * 27 * 16 * 16
    reg = sparse_conv3d(p * N, 16, 16, mode="regular", grid_shape=(20, 100, 100))
    sub = sparse_conv3d(p * N, 16, 16, grid_shape=(20, 100, 100))
    assert reg.macs == pytest.approx(p * dense)
    assert sub.macs == pytest.approx(dense * p * (1 + 26 * p) / 27)
    assert reg.macs / (dense * p ** 2) == pytest.approx(10)  # the draft's p² is 10× too low here


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.02, 0.6), st.sampled_from(["submanifold", "regular"]))
def test_sparse_conv_cost_monotone_in_active_sites(seed, p, mode):
    rng = np.random.default_rng(seed)
    occ = rng.random((6, 6, 6)) < p
    more = occ | (rng.random((6, 6, 6)) < 0.1)  # a superset of the active sites
    a = sparse_conv3d(occ, 3, 5, mode=mode, stride=2 if mode == "regular" else 1)
    b = sparse_conv3d(more, 3, 5, mode=mode, stride=2 if mode == "regular" else 1)
    assert a.macs <= b.macs and a.bytes <= b.bytes
    e1 = sparse_conv3d(p * 216, 3, 5, mode=mode, grid_shape=(6, 6, 6))
    e2 = sparse_conv3d(min(216, (p + 0.1) * 216), 3, 5, mode=mode, grid_shape=(6, 6, 6))
    assert e1.macs <= e2.macs


def test_lidar_scene_is_clustered():
    zyx, g = synthetic_lidar_voxels(n_azimuth=360, sweeps=2, n_objects=10)
    p = len(zyx) / np.prod(g)
    q = neighbour_fraction(zyx, g)
    assert q > 20 * p  # surfaces: neighbours are far more likely active than the occupancy


def test_centerpoint_shapes_and_exact_vs_expected():
    zyx, g = synthetic_lidar_voxels(n_azimuth=360, sweeps=2, n_objects=10)
    assert g == (41, 1440, 1440)  # 108 m / 0.075 m = 1440; 8 m / 0.2 m = 40, +1 (scn.py)
    net = centerpoint("0.075", zyx)
    assert net.config["bev_shape"] == (1, 256, 180, 180)  # 128 ch × 2 z cells at stride 8
    assert net.stage("rpn").out_shape == (1, 512, 180, 180)
    t = sparse_layer_table(net)
    sub = t[t["mode"] == "submanifold"]
    # Exact rulebooks: a submanifold layer pairs each site with at least itself ...
    assert (sub["pairs"] >= sub["active_in"]).all()
    # ... and the draft's dense·p² misses the clustered neighbours: it is below the exact count
    assert (sub["draft_macs"] < sub["macs"]).all()
    # the 0.1 m variant: 1024 × 1024 × 41 grid → 128 × 128 BEV
    assert centerpoint("0.1", 1000).config["bev_shape"] == (1, 256, 128, 128)


def test_centerpoint_dense_parts_by_hand():
    net = centerpoint("0.075", 50_000)
    first = next(ly.cost for ly in net.layers if ly.name == "rpn.block0.0.conv")
    assert first.macs == 180 * 180 * 128 * 256 * 9  # 256 → 128, 3×3, stride 1 at 180×180
    shared = next(ly.cost for ly in net.layers if ly.name == "shared_conv.conv")
    assert shared.macs == 180 * 180 * 64 * 512 * 9
    # 6 tasks × 6 heads, each two 3×3 convs: (64·64·9 + 64) + BN folded bias 64, (64·out·9 + out)
    outs = [2, 1, 3, 2, 2]
    head = sum(sum((64 * 64 * 9 + 64) + (64 * o * 9 + o) for o in outs + [n]) for n in (1, 2, 2, 1, 2, 2))
    assert net.stage("head").params - shared.params == head


def test_sparse_conv_bad_input():
    with pytest.raises(ValueError, match="mode"):
        sparse_conv3d(10, 1, 1, mode="dense", grid_shape=(4, 4, 4))
    with pytest.raises(ValueError, match="grid_shape"):
        sparse_conv3d(10, 1, 1)
    with pytest.raises(ValueError, match="active_in"):
        sparse_conv3d(100, 1, 1, grid_shape=(4, 4, 4))
    with pytest.raises(ValueError, match="neighbour_fraction"):
        sparse_conv3d(10, 1, 1, grid_shape=(4, 4, 4), neighbour_fraction=1.5)
    with pytest.raises(ValueError, match="stride"):
        sparse_conv3d(np.ones((3, 3, 3), bool), 1, 1, stride=2)
    with pytest.raises(ValueError, match="occupancy"):
        neighbour_counts_grid(np.ones((3, 3), bool))
    with pytest.raises(ValueError, match="outside"):
        sparse_conv3d(np.array([[0, 0, 9]]), 1, 1, grid_shape=(4, 4, 4))
    with pytest.raises(KeyError, match="0.2"):
        centerpoint("0.2")


# ----------------------------------------------------------------------------------------------
# BEVDet, exercise 2.7 traffic, BEVFormer
# ----------------------------------------------------------------------------------------------
from npucourse.formulas._gen.bev import sca_macs, sca_macs_draft  # noqa: E402
from npucourse.networks.bevdet import bev_dataflow_traffic, bevdet, depth_bins  # noqa: E402
from npucourse.networks.bevformer import Camera, bevformer, camera_hits, sca_layer_macs  # noqa: E402


def test_bevdet_view_transform_by_hand():
    net = bevdet("swin-t")
    assert depth_bins((1.0, 60.0, 1.0)) == 59
    assert net.config["feature_shape"] == (6, 512, 16, 44)  # stride 16 on 256 × 704
    dn = next(ly.cost for ly in net.layers if ly.name == "depthnet.conv")
    assert dn.macs == 6 * 16 * 44 * 512 * (59 + 64)  # Conv1×1(512 → D + 64)
    lift = net.stage("lift")
    assert lift.macs == 6 * 16 * 44 * 59 * 64  # outer product depth × context per pixel
    assert net.config["bev_shape"] == (1, 64, 128, 128)  # ±51.2 m / 0.8 m
    assert net.stage("bev_neck").out_shape == (1, 256, 128, 128)
    # Swin-T stage 1 on 64 × 176 tokens: padded to 70 × 182 → 10 · 26 = 260 windows of 49 tokens
    qkv = next(ly.cost for ly in net.layers if ly.name == "stage0.0.qkv")
    assert qkv.macs == 6 * 260 * 49 * 96 * 288


def test_bevdet_resnet50_option_and_bad_input():
    r = bevdet("resnet50")
    assert r.config["feature_shape"] == (6, 512, 16, 44)
    assert r.stage("image_backbone").macs == npc.networks.resnet(50, (256, 704), features_only=True, batch=6).macs
    with pytest.raises(ValueError, match="backbone"):
        bevdet("vit")
    with pytest.raises(ValueError, match="image_size"):
        bevdet(image_size=(250, 704))
    with pytest.raises(ValueError, match="kept_fraction"):
        bevdet(kept_fraction=1.2)


def test_exercise_2_7_traffic_by_hand():
    t = bev_dataflow_traffic().set_index("stage")
    # 6 cameras, 1080 × 1920 uint8 RGB; stride 16 → ⌈1080/16⌉ × ⌈1920/16⌉ = 68 × 120 feature pixels
    assert t.loc["image", "unfused_read"] == 6 * 1080 * 1920 * 3
    assert t.loc["image features", "unfused_write"] == 6 * 68 * 120 * 512 * 2
    assert t.loc["lift", "unfused_write"] == 6 * 68 * 120 * 59 * 64 * 2  # the frustum volume
    bev = 128 * 128 * 64 * 2
    assert t.loc["splat", "unfused_write"] == 6 * bev
    assert t.loc["splat", "fused_write"] == bev
    assert t.loc["total", "unfused"] == t.drop("total")["unfused"].sum()
    # the draft's per-camera "1920 × 1080 × 4 × 2 = 16.6 MB" is a 4-bin depth map at full resolution:
    full = bev_dataflow_traffic(stride=1, depth_bins_=4).set_index("stage")
    assert full.loc["depth softmax", "unfused_write"] / 6 == 1920 * 1080 * 4 * 2


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 8), st.sampled_from([4, 8, 16, 32]), st.integers(8, 128), st.integers(8, 128))
def test_traffic_fused_never_exceeds_unfused_and_grows_with_cameras(cams, stride, d, c):
    a = bev_dataflow_traffic(n_cams=cams, stride=stride, depth_bins_=d, context_channels=c).set_index("stage")
    b = bev_dataflow_traffic(n_cams=cams + 1, stride=stride, depth_bins_=d, context_channels=c).set_index("stage")
    assert a.loc["total", "fused"] < a.loc["total", "unfused"]
    assert a.loc["total", "unfused"] < b.loc["total", "unfused"]
    assert a.loc["total", "fused"] < b.loc["total", "fused"]


def test_camera_hits_brute_force():
    # one camera looking along +x with a 90° FOV on an 8 × 8 grid: cells with |azimuth| ≤ 45°
    hits = camera_hits((8, 8), [Camera("c", 0.0, 90.0)])
    by_hand = sum(1 for i in range(8) for j in range(8)
                  if abs(math.degrees(math.atan2(i + 0.5 - 4, j + 0.5 - 4))) <= 45)
    assert hits[0] == by_hand
    assert camera_hits((8, 8), [Camera("all", 0.0, 360.0)])[0] == 64


def test_bevformer_sca_equals_registry_formula_and_beats_the_draft():
    net = bevformer()
    c = net.config
    assert c["tokens_per_cam"] == 116 * 200 + 58 * 100 + 29 * 50 + 15 * 25
    assert c["pairs"] == 6 * c["max_len"] and c["max_len"] == max(c["hits"])
    f = sca_macs(N_pair=c["pairs"], N_BEV=40000, N_cam=6, T=c["tokens_per_cam"], D=256, H=8, L=4, P=8)
    assert sca_layer_macs(net, 0) == f
    vp = next(ly.cost for ly in net.layers if ly.name == "enc0.sca.value_proj")
    assert vp.macs == 6 * c["tokens_per_cam"] * 256 * 256  # once per image token, not per query
    draft = sca_macs_draft(N_BEV=40000, N_cam=6, N_ref=4, D=256)
    assert draft == 40000 * 6 * 4 * 256 * 256


def test_bevformer_backbone_dominates_and_is_the_resnet():
    net = bevformer()
    bb = npc.networks.resnet(101, (928, 1600), features_only=True, style="caffe", dcn_stages=(3, 4), batch=6)
    assert net.stage("image_backbone").macs == bb.macs
    assert net.stage("image_backbone").macs > 0.5 * net.macs
    assert 2 * net.stage("image_backbone").macs / 1e9 > 30 * 40  # the draft's "≈ 30 GFLOPs" is 2 orders off
    with pytest.raises(ValueError, match="cameras"):
        bevformer(n_cams=5)


# ----------------------------------------------------------------------------------------------
# Corrections are computed by the models
# ----------------------------------------------------------------------------------------------
def test_ch2_perception_corrections():
    from npucourse.corrections.ch2_perception import corrections

    cs = {c.id: c for c in corrections()}
    assert all(i.startswith("ch2-net-") for i in cs) and len(cs) == len(corrections())
    # exercise 2.1 total: the independent yaml recount, 2 × MACs
    assert cs["ch2-net-yolov8m-total"].model_value == pytest.approx(2 * _recount_yolov8("m", 640, 640)[1] / 1e9)
    assert cs["ch2-net-yolov8m-total"].model_value > 56.5 * 1.3
    # exercise 2.2: dense part dominates
    assert 0.8 < cs["ch2-net-ex22-effective-compute"].model_value < 1.0
    assert cs["ch2-net-ex22-grid"].model_value == 940 * 940
    # exercise 2.7: unfused total by hand (bytes): image 6·1080·1920·3; features written and read
    # 2·6·68·120·512·2; depthnet writes 6·68·120·123·2; softmax 2·6·68·120·59·2; lift reads
    # 6·68·120·123·2 and writes V = 6·68·120·59·64·2; splat reads V + indices 6·68·120·59·4 +
    # 5 BEV grids and writes 6 BEV grids (128·128·64·2 each).
    px = 6 * 68 * 120
    bev = 128 * 128 * 64 * 2
    V = px * 59 * 64 * 2
    unfused = (6 * 1080 * 1920 * 3 + 2 * px * 512 * 2 + px * 123 * 2 + 2 * px * 59 * 2 + px * 123 * 2 + V
               + V + px * 59 * 4 + 5 * bev + 6 * bev)
    assert cs["ch2-net-ex27-unfused-traffic"].model_value == pytest.approx(unfused / 1e6)
    fused = 6 * 1080 * 1920 * 3 + 2 * px * 512 * 2 + px * 59 * 4 + bev
    assert cs["ch2-net-ex27-fused-traffic"].model_value == pytest.approx(fused / 1e6)
    assert cs["ch2-net-centernet-sigma"].model_value == pytest.approx(11 / 6)
    assert cs["ch2-net-sparse-conv-regular"].model_value == pytest.approx(0.1)
    assert cs["ch2-net-bevformer-total"].model_value > 100 * 30
