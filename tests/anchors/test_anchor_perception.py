"""Perception networks against their published configurations and code (REFERENCE.md
"Perception networks")."""

import math

import pytest

import npucourse as npc
from npucourse.networks.centernet import gaussian_radius, heatmap_sigma
from npucourse.networks.pointpillars import pillar_grid


def _centernet_code_radius(height, width, min_overlap=0.7):
    # Transcribed line by line from xingyizhou/CenterNet src/lib/utils/image.py::gaussian_radius.
    a1 = 1
    b1 = height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    sq1 = math.sqrt(b1 ** 2 - 4 * a1 * c1)
    r1 = (b1 - sq1) / (2 * a1)
    a2 = 4
    b2 = 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    sq2 = math.sqrt(b2 ** 2 - 4 * a2 * c2)
    r2 = (b2 - sq2) / (2 * a2)
    a3 = 4 * min_overlap
    b3 = -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    sq3 = math.sqrt(b3 ** 2 - 4 * a3 * c3)
    r3 = (b3 + sq3) / (2 * a3)
    return min(r1, r2, r3)


@pytest.mark.parametrize("h, w", [(1, 1), (3, 7), (16, 16), (20, 90), (128, 40), (200, 200)])
@pytest.mark.parametrize("o", [0.3, 0.7, 0.9])
def test_centernet_gaussian_radius_is_the_code(h, w, o):
    # Source: CenterNet src/lib/utils/image.py (see transcription above); tolerance 1e-12 relative.
    assert gaussian_radius((h, w), o) == pytest.approx(_centernet_code_radius(h, w, o), rel=1e-12)


@pytest.mark.parametrize("h, w", [(5.2, 7.9), (16, 16), (64, 30.5)])
def test_centernet_sigma_is_what_the_code_draws(h, w):
    # Source: CenterNet src/lib/datasets/sample/ctdet.py: radius = max(0, int(gaussian_radius(
    # (ceil(h), ceil(w))))); image.py::draw_umich_gaussian: diameter = 2·radius + 1, sigma = diameter / 6.
    radius = max(0, int(_centernet_code_radius(math.ceil(h), math.ceil(w))))
    assert heatmap_sigma(h, w) == pytest.approx((2 * radius + 1) / 6, rel=1e-12)


def test_pointpillars_kitti_grid():
    # Source: OpenPCDet tools/cfgs/kitti_models/pointpillar.yaml: POINT_CLOUD_RANGE
    # [0, -39.68, -3, 69.12, 39.68, 1], VOXEL_SIZE [0.16, 0.16, 4] → 432 × 496 (exact).
    assert pillar_grid((0, -39.68, -3, 69.12, 39.68, 1), (0.16, 0.16)) == (432, 496)
    net = npc.networks.pointpillars(12000)
    assert net.stage("scatter").out_shape == (1, 64, 496, 432)
    # head: 3 classes × 2 rotations = 6 anchors; box code 7; direction bins 2 (anchor_head_single.py)
    heads = {ly.name: ly.cost for ly in net.layers if ly.stage == "head"}
    assert heads["conv_cls.conv"].out_shape == (1, 18, 248, 216)
    assert heads["conv_box.conv"].out_shape == (1, 42, 248, 216)
    assert heads["conv_dir_cls.conv"].out_shape == (1, 12, 248, 216)


def test_centerpoint_voxel_variants_order_like_the_published_speeds():
    # Source: tianweiy/CenterPoint README (nuScenes, Titan RTX, batch 1): VoxelNet 0.075 m 11 FPS,
    # 0.1 m 16 FPS. Without a GPU model only the ordering is checked: the 0.075 m network (1440²
    # grid) does more work than the 0.1 m one (1024² grid) on the same synthetic scene.
    from npucourse.networks.centerpoint import CONFIGS, centerpoint, synthetic_lidar_voxels

    small = dict(n_azimuth=360, sweeps=2, n_objects=10)
    fine = centerpoint("0.075", synthetic_lidar_voxels(*CONFIGS["0.075"], **small)[0])
    coarse = centerpoint("0.1", synthetic_lidar_voxels(*CONFIGS["0.1"], **small)[0])
    assert fine.flops > coarse.flops
    assert fine.stage("rpn").macs / coarse.stage("rpn").macs == pytest.approx((180 / 128) ** 2)


def test_bevdet_tiny_gflops_as_mmcv_counts_them():
    # Source: BEVDet, arXiv 2112.11790, Table 1: BEVDet-Tiny (Swin-T, 256 × 704) 215.3 GFLOPs,
    # counted with mmcv's get_model_complexity_info (≈ one per multiply–accumulate of convs and
    # linear layers; attention matmuls invisible). Config: BEVDet configs/bevdet/bevdet-sttiny.py.
    # Tolerance 0.5 %.
    from npucourse.networks.bevdet import mmcv_gflops

    assert mmcv_gflops("swin-t") == pytest.approx(215.3, rel=0.005)


def test_bevformer_base_configuration():
    # Source: fundamentalvision/BEVFormer projects/configs/bevformer/bevformer_base.py: 200 × 200 BEV
    # queries, 900 object queries, 6 cameras at 900 × 1600 (padded to 32: 928 × 1600), R101-DCN,
    # FPN with 4 levels of 256 channels. No FLOPs are published.
    net = npc.networks.bevformer()
    assert net.config["padded"] == (928, 1600)
    assert net.config["bev_hw"] == (200, 200) and net.config["num_query"] == 900
    levels = net.config["levels"]
    assert [lv[2:] for lv in levels] == [(116, 200), (58, 100), (29, 50), (15, 25)]
    assert all(lv[:2] == (6, 256) for lv in levels)
