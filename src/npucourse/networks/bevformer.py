"""BEVFormer-base (fundamentalvision/BEVFormer) as a layer list (Chapter 2 §2.1.3).

Built from ``projects/configs/bevformer/bevformer_base.py`` and the modules of
``projects/mmdet3d_plugin/bevformer/modules``:

- image backbone: ResNet-101, caffe style, DCNv2 in stages 3–4, on each of 6 cameras at 900 × 1600
  (padded to 928 × 1600, ``size_divisor=32``); outputs C3–C5;
- FPN (mmdet): 1×1 laterals and 3×3 outputs to 256 channels on C3–C5 plus one extra stride-2 conv
  on P5 (``add_extra_convs='on_output'``): 4 levels;
- BEV queries: 200 × 200 learned embeddings + learned positional encoding + CAN-bus MLP;
- encoder: 6 ``BEVFormerLayer`` = temporal self-attention (``TemporalSelfAttention``: deformable
  attention over [previous BEV, current queries], 8 heads, 1 level, 4 points, offsets and weights from
  the 512-wide concatenation), LayerNorm, spatial cross-attention (``SpatialCrossAttention`` with
  ``MSDeformableAttention3D``: 8 heads, 4 levels, 8 points spread over the 4 height anchors of the
  query's pillar, run per camera on that camera's hit queries padded to the longest list — the
  code's ``max_len`` rebatching), LayerNorm, FFN 256 → 512 → 256, LayerNorm;
- decoder: 6 ``DetrTransformerDecoderLayer`` on 900 object queries = multi-head self-attention,
  LayerNorm, ``CustomMSDeformableAttention`` on the BEV map (1 level, 4 points), LayerNorm, FFN,
  LayerNorm; box-refinement class and regression branches after every layer.

Deformable attention (registry ``deform_attn_query_macs``, ``deform_attn_sampling_macs``): value
projections are charged once per key token, offsets and weights once per query (or query–camera
pair), sampling per point. Which cameras a BEV query hits is computed from the camera yaw angles
and horizontal fields of view (:func:`camera_hits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.bev import deform_attn_sampling_macs
from ..ops import gemm
from ..ops._common import canonical, elem_bytes
from ..ops.attention import attention
from ..ops.elementwise import elementwise, softmax
from . import _blocks as blk
from . import _transformer as tb
from ._blocks import Shape
from .base import LayerList, Network
from .resnet import resnet

SOURCE = ("fundamentalvision/BEVFormer projects/configs/bevformer/bevformer_base.py; projects/mmdet3d_plugin/"
          "bevformer/modules/{encoder,temporal_self_attention,spatial_cross_attention,decoder,transformer}.py; "
          "dense_heads/bevformer_head.py")


@dataclass(frozen=True)
class Camera:
    """A surround camera as the hit test sees it: yaw of its optical axis and horizontal FOV [deg]."""

    name: str
    yaw_deg: float
    hfov_deg: float


#: nuScenes rig. FOV: 70° for five cameras, 110° for CAM_BACK (nuScenes sensor specification);
#: yaw angles are approximate mounting directions (assumption: 0°, ±55°, ±110°, 180°).
NUSCENES_CAMERAS = (
    Camera("CAM_FRONT", 0.0, 70.0), Camera("CAM_FRONT_RIGHT", -55.0, 70.0), Camera("CAM_FRONT_LEFT", 55.0, 70.0),
    Camera("CAM_BACK", 180.0, 110.0), Camera("CAM_BACK_LEFT", 110.0, 70.0), Camera("CAM_BACK_RIGHT", -110.0, 70.0),
)

#: bevformer_base.py
DIM, FFN_DIM, HEADS = 256, 512, 8
BEV_HW = (200, 200)
N_REF = 4  # num_points_in_pillar
SCA_LEVELS, SCA_POINTS = 4, 8
TSA_POINTS, TSA_QUEUE = 4, 2
DEC_POINTS = 4
NUM_QUERY, NUM_CLASSES, CODE_SIZE = 900, 10, 10
#: Non-MAC operations per sampling point to form its location and bilinear weights
#: (assumption: offset normalise + add 4, corner floor/fraction 4, four weights 4).
SAMPLE_LOC_OPS = 12.0


def camera_hits(bev_hw: tuple[int, int] = BEV_HW, cameras: Sequence[Camera] = NUSCENES_CAMERAS) -> np.ndarray:
    """BEV cells each camera sees: the cell centre's azimuth (from the ego origin) lies within the
    camera's horizontal FOV. (assumption: cameras at the origin; the pillar's height anchors span
    the vertical FOV, so the horizontal test decides ``bev_mask``.)"""
    h, w = bev_hw
    v.positive_int("bev_hw", (h, w))
    ys, xs = np.meshgrid(np.arange(h) + 0.5 - h / 2, np.arange(w) + 0.5 - w / 2, indexing="ij")
    az = np.degrees(np.arctan2(ys, xs))
    hits = []
    for cam in cameras:
        diff = (az - cam.yaw_deg + 180.0) % 360.0 - 180.0
        hits.append(int(np.count_nonzero(np.abs(diff) <= cam.hfov_deg / 2)))
    return np.array(hits)


def deform_sampling(name: str, n_query: int, d: int, heads: int, levels: int, points: int, value_tokens: int,
                    dtype: str) -> Cost:
    """The sampling core of multi-scale deformable attention for ``n_query`` queries.

    MACs from registry ``deform_attn_sampling_macs``; FLOPs add :data:`SAMPLE_LOC_OPS` per point.
    DRAM: reads the projected value tensor once (assumption: the sampled neighbourhoods are
    served from on-chip memory), the offsets (2 per point) and the weights (1 per point); writes
    one d-wide output per query.
    """
    s = elem_bytes(dtype)
    pts = n_query * heads * levels * points
    macs = float(deform_attn_sampling_macs(N_q=n_query, D=d, L=levels, P=points))
    return Cost(name=name, macs=macs, flops=2 * macs + SAMPLE_LOC_OPS * pts,
                reads={DRAM: (value_tokens * d + 3 * pts) * s}, writes={DRAM: n_query * d * s},
                out_bytes=n_query * d * s, out_shape=(int(n_query), int(d)), dtype=canonical(dtype))


def _msda(b: LayerList, stage: str, p: str, *, n_query: int, query_width: int, value_tokens: int, levels: int,
          points: int, queue: int = 1, out_proj: bool, dtype: str) -> None:
    """Deformable attention: value projection (every key token), offsets + weights (every query,
    from a ``query_width``-wide input), softmax over levels·points per head, sampling, and the
    output projection if the module owns one."""
    b.add(stage, tb.linear(value_tokens, DIM, DIM, bias=True, dtype=dtype, name=f"{p}value_proj"))
    lp = queue * HEADS * levels * points
    b.add(stage, tb.linear(n_query, query_width, 2 * lp, bias=True, dtype=dtype, name=f"{p}sampling_offsets"))
    b.add(stage, tb.linear(n_query, query_width, lp, bias=True, dtype=dtype, name=f"{p}attention_weights"))
    b.add(stage, softmax((n_query * queue, HEADS, levels * points), dtype=dtype, name=f"{p}softmax"))
    b.add(stage, deform_sampling(f"{p}sampling", n_query * queue, DIM, HEADS, levels, points, value_tokens,
                                 dtype))
    if out_proj:
        b.add(stage, tb.linear(n_query, DIM, DIM, bias=True, dtype=dtype, name=f"{p}output_proj"))


def _fpn(b: LayerList, feats: list[Shape], fused: bool, dtype: str) -> list[Shape]:
    """mmdet FPN: 1×1 laterals (bias), top-down nearest ×2 + add, 3×3 outputs (bias), and one extra
    3×3 stride-2 conv on the last output (``add_extra_convs='on_output'``, ``num_outs=4``)."""
    st = "image_neck"
    lats = [blk.conv_norm_act(b, st, f"fpn.lateral{i}", x, DIM, 1, 1, None, fused, dtype, norm=False, conv_bias=True)
            for i, x in enumerate(feats)]
    for i in range(len(lats) - 1, 0, -1):
        b.add(st, blk.upsample_nearest(f"fpn.up{i}", lats[i], 2, dtype))
        b.add(st, blk.add(f"fpn.topdown{i}", lats[i - 1], dtype))
    outs = [blk.conv_norm_act(b, st, f"fpn.out{i}", x, DIM, 3, 1, None, fused, dtype, norm=False, conv_bias=True)
            for i, x in enumerate(lats)]
    outs.append(blk.conv_norm_act(b, st, "fpn.extra", outs[-1], DIM, 3, 2, None, fused, dtype, norm=False,
                                  conv_bias=True))
    return outs


def bevformer(image_size: tuple[int, int] = (900, 1600), n_cams: int = 6, bev_hw: tuple[int, int] = BEV_HW,
              encoder_layers: int = 6, decoder_layers: int = 6, num_query: int = NUM_QUERY,
              cameras: Sequence[Camera] = NUSCENES_CAMERAS, fused: bool = True, dtype: str = "fp16") -> Network:
    """BEVFormer-base for one frame (batch 1, ``n_cams`` images; the previous BEV is an input).

    Parameters
    ----------
    image_size : camera image (height, width); padded up to multiples of 32 as the test pipeline does
    n_cams : cameras (must match ``cameras``)
    bev_hw : BEV query grid
    encoder_layers, decoder_layers, num_query :
    cameras : yaw/FOV of each camera for the SCA hit test
    fused, dtype :

    Returns
    -------
    Network
        Stages ``image_backbone``, ``image_neck``, ``bev_queries``, ``encoder.tsa``, ``encoder.sca``,
        ``encoder.ffn``, ``decoder``, ``head``. ``config`` records the SCA rebatching
        (``hits`` per camera, ``max_len``, query–camera ``pairs``) and the image tokens per camera.
    """
    v.positive_int("n_cams", n_cams)
    if len(cameras) != n_cams:
        raise ValueError(f"cameras must describe n_cams={n_cams} cameras, got {len(cameras)}")
    for name, x in (("encoder_layers", encoder_layers), ("decoder_layers", decoder_layers),
                    ("num_query", num_query)):
        v.positive_int(name, x)
    h, w = image_size
    v.positive_int("image_size", (h, w))
    hp, wp = -(-h // 32) * 32, -(-w // 32) * 32
    b = LayerList()
    r = resnet(101, (hp, wp), features_only=True, style="caffe", dcn_stages=(3, 4), fused=fused, dtype=dtype,
               batch=n_cams)
    for ly in r.layers:
        b.add("image_backbone", ly.cost)
    f = r.config["features"]
    levels = _fpn(b, [f["C3"], f["C4"], f["C5"]], fused, dtype)
    tokens_per_cam = sum(x[2] * x[3] for x in levels)
    value_tokens = n_cams * tokens_per_cam
    nb = bev_hw[0] * bev_hw[1]
    hits = camera_hits(bev_hw, cameras)
    max_len = int(hits.max())
    pairs = n_cams * max_len
    s = elem_bytes(dtype)
    # BEV queries: embeddings (parameters read once), positional encoding, CAN-bus MLP added
    bq = "bev_queries"
    emb = nb * DIM + NUM_QUERY * 2 * DIM + (bev_hw[0] + bev_hw[1]) * DIM // 2
    b.add(bq, Cost(name="embeddings", reads={DRAM: emb * s}, params=float(emb), weight_bytes=emb * s,
                   dtype=canonical(dtype)))
    b.add(bq, tb.linear(1, 18, DIM // 2, bias=True, dtype=dtype, name="can_bus.fc1"))
    b.add(bq, tb.linear(1, DIM // 2, DIM, bias=True, dtype=dtype, name="can_bus.fc2"))
    b.add(bq, tb.norm("layernorm", 1, DIM, dtype, "can_bus.norm"))
    b.add(bq, tb.add(nb, DIM, dtype, "bev.add_can_bus"))
    # reference points of the 4 height anchors projected into every camera: 4×4 · homogeneous point
    b.add(bq, gemm(nb * N_REF, 4, 4, dtype, weights="none", name="point_sampling") * n_cams)
    for i in range(encoder_layers):
        p = f"enc{i}."
        _msda(b, "encoder.tsa", f"{p}tsa.", n_query=nb, query_width=TSA_QUEUE * DIM, value_tokens=TSA_QUEUE * nb,
              levels=1, points=TSA_POINTS, queue=TSA_QUEUE, out_proj=True, dtype=dtype)
        b.add("encoder.tsa", tb.add(nb, DIM, dtype, f"{p}tsa.queue_mean"))
        b.add("encoder.tsa", tb.add(nb, DIM, dtype, f"{p}tsa.residual"))
        b.add("encoder.tsa", tb.norm("layernorm", nb, DIM, dtype, f"{p}norm1"))
        b.add("encoder.sca", tb.add(nb, DIM, dtype, f"{p}sca.query_pos"))
        _msda(b, "encoder.sca", f"{p}sca.", n_query=pairs, query_width=DIM, value_tokens=value_tokens,
              levels=SCA_LEVELS, points=SCA_POINTS, out_proj=False, dtype=dtype)
        b.add("encoder.sca", elementwise((nb, DIM), 1, 2.0, dtype, name=f"{p}sca.slots_sum_mean"))
        b.add("encoder.sca", tb.linear(nb, DIM, DIM, bias=True, dtype=dtype, name=f"{p}sca.output_proj"))
        b.add("encoder.sca", tb.add(nb, DIM, dtype, f"{p}sca.residual"))
        b.add("encoder.sca", tb.norm("layernorm", nb, DIM, dtype, f"{p}norm2"))
        tb.mlp(b, "encoder.ffn", tokens=nb, d=DIM, hidden=FFN_DIM, dtype=dtype, bias=True, act_kind="relu",
               norm_kind=None, prefix=f"{p}ffn.")
        b.add("encoder.ffn", tb.norm("layernorm", nb, DIM, dtype, f"{p}norm3"))
    for i in range(decoder_layers):
        p = f"dec{i}."
        st = "decoder"
        b.add(st, tb.linear(num_query, DIM, 3 * DIM, bias=True, dtype=dtype, name=f"{p}self_attn.in_proj"))
        b.add(st, attention(num_query, num_query, DIM // HEADS, heads=HEADS, dtype=dtype, name=f"{p}self_attn.attn"))
        b.add(st, tb.linear(num_query, DIM, DIM, bias=True, dtype=dtype, name=f"{p}self_attn.out_proj"))
        b.add(st, tb.add(num_query, DIM, dtype, f"{p}residual1"))
        b.add(st, tb.norm("layernorm", num_query, DIM, dtype, f"{p}norm1"))
        _msda(b, st, f"{p}cross_attn.", n_query=num_query, query_width=DIM, value_tokens=nb, levels=1,
              points=DEC_POINTS, out_proj=True, dtype=dtype)
        b.add(st, tb.add(num_query, DIM, dtype, f"{p}residual2"))
        b.add(st, tb.norm("layernorm", num_query, DIM, dtype, f"{p}norm2"))
        tb.mlp(b, st, tokens=num_query, d=DIM, hidden=FFN_DIM, dtype=dtype, bias=True, act_kind="relu",
               norm_kind=None, prefix=f"{p}ffn.")
        b.add(st, tb.norm("layernorm", num_query, DIM, dtype, f"{p}norm3"))
        # box refinement (with_box_refine): class branch (2 × Linear-LN-ReLU + Linear) and regression
        # branch (2 × Linear-ReLU + Linear) after every decoder layer
        for j in range(2):
            b.add("head", tb.linear(num_query, DIM, DIM, bias=True, dtype=dtype, name=f"{p}cls.fc{j}"))
            b.add("head", tb.norm("layernorm", num_query, DIM, dtype, f"{p}cls.norm{j}"))
            b.add("head", tb.act("relu", num_query, DIM, dtype, f"{p}cls.relu{j}"))
        b.add("head", tb.linear(num_query, DIM, NUM_CLASSES, bias=True, dtype=dtype, name=f"{p}cls.out"))
        for j in range(2):
            b.add("head", tb.linear(num_query, DIM, DIM, bias=True, dtype=dtype, name=f"{p}reg.fc{j}"))
            b.add("head", tb.act("relu", num_query, DIM, dtype, f"{p}reg.relu{j}"))
        b.add("head", tb.linear(num_query, DIM, CODE_SIZE, bias=True, dtype=dtype, name=f"{p}reg.out"))
    return b.build(f"bevformer-base@{h}x{w}x{n_cams}", source=SOURCE, image_size=(h, w), padded=(hp, wp),
                   n_cams=n_cams, bev_hw=tuple(bev_hw), encoder_layers=encoder_layers,
                   decoder_layers=decoder_layers, num_query=num_query, fused=fused, dtype=dtype,
                   hits=tuple(int(x) for x in hits), max_len=max_len, pairs=pairs,
                   tokens_per_cam=tokens_per_cam, levels=tuple(levels))


def sca_layer_macs(net: Network, layer: int = 0) -> float:
    """MACs of encoder layer ``layer``'s spatial cross-attention (value projection through output
    projection) summed from the network's layers."""
    p = f"enc{layer}.sca."
    return float(sum(ly.cost.macs for ly in net.layers if ly.name.startswith(p)))
