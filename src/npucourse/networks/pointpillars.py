"""PointPillars (arXiv 1812.05784) as configured in OpenPCDet (Chapter 2 §2.1.2, exercise 2.2).

Layer by layer after ``OpenPCDet tools/cfgs/kitti_models/pointpillar.yaml`` and its modules:

- pillar grid: ``round((max − min) / pillar size)`` per axis (KITTI: 432 × 496);
- ``PillarVFE``: each non-empty pillar holds up to 32 points (zero-padded); every point gets 10
  features (x, y, z, r, offsets to the pillar's point mean (3) and to the pillar centre (3)); one
  PFN layer Linear(10 → 64, no bias) + BatchNorm1d + ReLU per point, max over the 32 points;
- ``PointPillarScatter``: the pillar features are written into a zeroed 64 × ny × nx canvas
  (no arithmetic: a full-canvas write plus the scattered vectors);
- ``BaseBEVBackbone``: three blocks (strides 2, 2, 2; 64, 128, 256 filters; 3, 5, 5 extra
  3×3 convs), each upsampled back to stride 2 by ConvTranspose2d (k = s = 1, 2, 4) to 128
  channels and concatenated (384);
- ``AnchorHeadSingle``: 1×1 convs for classes (anchors × classes), boxes (anchors × 7) and the
  direction classifier (anchors × 2), with 3 classes × 2 rotations = 6 anchors per location.

Only the PFN and the scatter depend on the number of non-empty pillars; everything after the
scatter runs on the dense canvas whatever the occupancy (stages ``pfn``, ``scatter`` vs
``backbone``, ``upsample``, ``head``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from .. import _validate as v
from ..formulas._gen.pointcloud import grid_cells
from ..ops import gemm
from ..ops._common import elem_bytes
from ..ops.elementwise import activation, batchnorm, elementwise, pool2d
from . import _blocks as blk
from ._blocks import Shape
from .base import LayerList, Network

if TYPE_CHECKING:
    import pandas as pd

SOURCE = ("OpenPCDet tools/cfgs/kitti_models/pointpillar.yaml; pcdet/models/backbones_3d/vfe/pillar_vfe.py; "
          "backbones_2d/map_to_bev/pointpillar_scatter.py; backbones_2d/base_bev_backbone.py; "
          "dense_heads/anchor_head_single.py")

#: OpenPCDet KITTI config (``pointpillar.yaml``).
KITTI_RANGE = (0.0, -39.68, -3.0, 69.12, 39.68, 1.0)
KITTI_PILLAR = (0.16, 0.16)
MAX_POINTS_PER_PILLAR = 32
MAX_PILLARS_TEST = 40000
LAYER_NUMS = (3, 5, 5)
LAYER_STRIDES = (2, 2, 2)
NUM_FILTERS = (64, 128, 256)
UPSAMPLE_STRIDES = (1, 2, 4)
NUM_UPSAMPLE_FILTERS = (128, 128, 128)
PFN_IN, PFN_OUT = 10, 64
BOX_CODE, DIR_BINS = 7, 2
#: Bytes per pillar coordinate index (int32 batch, z, y, x) read by the scatter.
INDEX_BYTES = 4 * 4
#: Default occupancy when ``n_pillars`` is not given (assumption: the draft's "about 10 % of the
#: pillars hold points").
DEFAULT_OCCUPANCY = 0.1


def pillar_grid(point_range: Sequence[float] = KITTI_RANGE, pillar_size: Sequence[float] = KITTI_PILLAR
                ) -> tuple[int, int]:
    """(nx, ny) pillars: ``round((max − min) / size)`` per axis (registry ``grid_cells``).

    >>> pillar_grid()
    (432, 496)
    >>> pillar_grid((-75.2, -75.2, -2, 75.2, 75.2, 4), (0.16, 0.16))
    (940, 940)
    """
    if len(point_range) != 6:
        raise ValueError(f"point_range must be (x_min, y_min, z_min, x_max, y_max, z_max), got {point_range!r}")
    if len(pillar_size) < 2:
        raise ValueError(f"pillar_size must give at least (x, y), got {pillar_size!r}")
    out = []
    for axis, (lo, hi, size) in enumerate(zip(point_range[:2], point_range[3:5], pillar_size[:2])):
        v.positive(f"pillar_size[{axis}]", size)
        if not hi > lo:
            raise ValueError(f"point_range must have max > min on axis {axis}, got {point_range!r}")
        out.append(int(grid_cells(L=hi - lo, v=size)))
    if min(out) < 8:
        raise ValueError(f"grid {out} is too small for three stride-2 blocks; check point_range and pillar_size")
    return out[0], out[1]


def pointpillars(n_pillars: int | None = None, point_range: Sequence[float] = KITTI_RANGE,
                 pillar_size: Sequence[float] = KITTI_PILLAR, max_points: int = MAX_POINTS_PER_PILLAR,
                 num_classes: int = 3, rotations: int = 2, pad_canvas: bool = False, fused: bool = True,
                 dtype: str = "fp16", batch: int = 1) -> Network:
    """PointPillars (OpenPCDet KITTI configuration) as a layer list.

    Parameters
    ----------
    n_pillars : int, optional
        Non-empty pillars per point cloud (what the PFN processes). Default: 10 % of the grid
        (assumption, the draft's figure). OpenPCDet caps it at 40,000 at test time on KITTI.
    point_range : (x_min, y_min, z_min, x_max, y_max, z_max) [m]
    pillar_size : (x, y) or (x, y, z) [m]
    max_points : points per pillar (padded; the PFN runs on all of them)
    num_classes, rotations : anchors per location = classes × rotations
    pad_canvas : bool
        The three stride-2 blocks are upsampled back and concatenated, which only works when the
        grid is a multiple of 8 (OpenPCDet fails otherwise). ``False``: ValueError for such a grid;
        ``True``: zero-pad the canvas up to the next multiple of 8.
    fused : BatchNorm folded into the preceding conv / linear, ReLU in its epilogue
    dtype, batch :

    Returns
    -------
    Network
        Stages ``pfn`` and ``scatter`` (scale with ``n_pillars``), ``backbone``, ``upsample``,
        ``head`` (dense over the canvas). ``config["grid"] = (nx, ny)``.
    """
    nx, ny = pillar_grid(point_range, pillar_size)
    total = LAYER_STRIDES[0] * LAYER_STRIDES[1] * LAYER_STRIDES[2]
    cx, cy = nx, ny
    if nx % total or ny % total:
        if not pad_canvas:
            raise ValueError(
                f"pillar grid {nx}×{ny} is not a multiple of the backbone stride {total}: the upsampled "
                f"feature maps would not concatenate; choose point_range/pillar_size accordingly or pass "
                f"pad_canvas=True")
        cx, cy = -(-nx // total) * total, -(-ny // total) * total
    if n_pillars is None:
        n_pillars = max(1, round(DEFAULT_OCCUPANCY * nx * ny))
    v.positive_int("n_pillars", n_pillars)
    if n_pillars > nx * ny:
        raise ValueError(f"n_pillars must be at most the {nx}×{ny} = {nx * ny} pillars of the grid, got {n_pillars!r}")
    v.positive_int("max_points", max_points)
    v.positive_int("num_classes", num_classes)
    v.positive_int("rotations", rotations)
    v.positive_int("batch", batch)
    P = int(n_pillars) * int(batch)
    b = LayerList()
    # --- PFN (per pillar, per point) --------------------------------------------------------
    pts: tuple[int, ...] = (P, PFN_IN, max_points)
    b.add("pfn", elementwise(pts, 1, 1.0, dtype, name="pfn.decorate"))  # offsets: 1 subtraction each
    lin = gemm(P * max_points, PFN_OUT, PFN_IN, dtype, name="pfn.linear")
    feat: tuple[int, ...] = (P, PFN_OUT, max_points)
    lin = replace(lin, out_shape=feat)
    if fused:  # BatchNorm folded into the linear layer: a 64-element bias, one add per output
        s = elem_bytes(dtype)
        lin = replace(lin, params=lin.params + PFN_OUT, weight_bytes=lin.weight_bytes + PFN_OUT * s,
                      flops=lin.flops + P * max_points * PFN_OUT)
        b.add("pfn", blk.with_epilogue(lin, "relu"))
    else:
        b.add("pfn", lin)
        b.add("pfn", batchnorm(feat, dtype, name="pfn.bn"))
        b.add("pfn", activation(feat, "relu", dtype, name="pfn.relu"))
    b.add("pfn", pool2d((P, PFN_OUT, max_points, 1), "max", kernel=(max_points, 1), dtype=dtype, name="pfn.max"))
    # --- scatter to the BEV canvas -----------------------------------------------------------
    b.add("scatter", blk.scatter_to_dense("scatter", P, PFN_OUT, (int(batch), PFN_OUT, cy, cx), dtype, INDEX_BYTES))
    # --- dense 2-D backbone ------------------------------------------------------------------
    x: Shape = (int(batch), PFN_OUT, cy, cx)
    ups: list[Shape] = []
    for i, (n_layers, stride, c) in enumerate(zip(LAYER_NUMS, LAYER_STRIDES, NUM_FILTERS)):
        # ZeroPad2d(1) + Conv2d(k=3, stride, padding=0) == Conv2d(k=3, stride, padding=1)
        x = blk.conv_norm_act(b, "backbone", f"block{i}.0", x, c, 3, stride, "relu", fused, dtype, padding=1)
        for j in range(n_layers):
            x = blk.conv_norm_act(b, "backbone", f"block{i}.{j + 1}", x, c, 3, 1, "relu", fused, dtype)
        up = UPSAMPLE_STRIDES[i]
        ups.append(blk.conv_transpose_norm_act(b, "upsample", f"deblock{i}", x, NUM_UPSAMPLE_FILTERS[i],
                                               kernel=up, stride=up, act="relu", fused=fused, dtype=dtype))
    cat = b.add("upsample", blk.concat("concat", ups, dtype)).out_shape
    # --- anchor head -------------------------------------------------------------------------
    anchors = num_classes * rotations
    for name, n_out in (("conv_cls", anchors * num_classes), ("conv_box", anchors * BOX_CODE),
                        ("conv_dir_cls", anchors * DIR_BINS)):
        blk.conv_norm_act(b, "head", name, cat, n_out, 1, 1, None, fused, dtype,  # type: ignore[arg-type]
                          norm=False, conv_bias=True)
    return b.build(f"pointpillars@{nx}x{ny}", source=SOURCE, grid=(nx, ny), canvas=(cx, cy),
                   n_pillars=int(n_pillars),
                   point_range=tuple(point_range), pillar_size=tuple(pillar_size), max_points=max_points,
                   fused=fused, dtype=dtype, batch=batch, head_shape=cat)


SPARSE_STAGES = ("pfn", "scatter")


def occupancy_split(net: Network) -> dict[str, float]:
    """MACs and FLOPs of the occupancy-dependent part (PFN, scatter) and of the dense part."""
    sparse = [ly.cost for ly in net.layers if ly.stage in SPARSE_STAGES]
    dense = [ly.cost for ly in net.layers if ly.stage not in SPARSE_STAGES]
    return {"sparse_macs": float(sum(c.macs for c in sparse)), "dense_macs": float(sum(c.macs for c in dense)),
            "sparse_flops": float(sum(c.flops for c in sparse)), "dense_flops": float(sum(c.flops for c in dense))}


def effective_compute_fraction(occupancy: float = DEFAULT_OCCUPANCY, point_range: Sequence[float] = KITTI_RANGE,
                               pillar_size: Sequence[float] = KITTI_PILLAR, **kwargs: object) -> float:
    """FLOPs at ``occupancy`` over FLOPs with every pillar non-empty (the "dense" network).

    Only the PFN and scatter shrink with the occupancy, so the fraction stays close to 1 — not the
    draft's occupancy² (exercise 2.2).
    """
    v.probability("occupancy", occupancy)
    nx, ny = pillar_grid(point_range, pillar_size)
    n = max(1, round(occupancy * nx * ny))
    part = pointpillars(n, point_range, pillar_size, **kwargs)  # type: ignore[arg-type]
    full = pointpillars(nx * ny, point_range, pillar_size, **kwargs)  # type: ignore[arg-type]
    return part.flops / full.flops


def occupancy_table(occupancies: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0),
                    point_range: Sequence[float] = KITTI_RANGE, pillar_size: Sequence[float] = KITTI_PILLAR,
                    **kwargs: object) -> "pd.DataFrame":
    """GFLOPs of the sparse part (PFN + scatter) and the dense part per occupancy."""
    import pandas as pd

    nx, ny = pillar_grid(point_range, pillar_size)
    rows = []
    for occ in occupancies:
        v.probability("occupancy", occ)
        n = max(1, round(occ * nx * ny))
        split = occupancy_split(pointpillars(n, point_range, pillar_size, **kwargs))  # type: ignore[arg-type]
        rows.append({"occupancy": occ, "n_pillars": n, "sparse_gflops": split["sparse_flops"] / 1e9,
                     "dense_gflops": split["dense_flops"] / 1e9,
                     "total_gflops": (split["sparse_flops"] + split["dense_flops"]) / 1e9})
    return pd.DataFrame(rows)
