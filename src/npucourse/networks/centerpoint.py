"""Sparse 3-D convolution and CenterPoint-VoxelNet (Chapter 2 §2.1.2).

Sparse convolution (spconv) keeps features only at active (non-empty) voxels and computes only
the (input site, output site) pairs that meet through a kernel tap — its "rulebook". Its cost is
``pairs · C_in · C_out`` MACs:

- **submanifold** (``SubMConv3d``): outputs only at the active input sites; each active site
  pairs with every active site of its k×k×k window, itself included;
- **regular** (``SparseConv3d``): an output is active wherever its window holds an active input
  (the active set dilates); each active input pairs with every output whose window covers it.

Two ways to count, both here:

- exactly, from the active sites — a boolean occupancy grid (:func:`submanifold_macs_exact`,
  shifted-window sums in numpy) or a coordinate list (:func:`sparse_conv3d` with an ``(N, 3)``
  integer array, hashing; what the network builder uses);
- in expectation, from a count of active sites, when each off-centre neighbour is active with
  probability q (registry ``subm_conv_macs``, ``regular_sparse_conv_macs``): q = p (the occupancy)
  for uniformly random sites; real LiDAR points lie on surfaces, so q ≫ p
  (:func:`synthetic_lidar_voxels` builds such a scene; :func:`neighbour_fraction` measures q).

The draft's rule "sparse = dense × (1 − sparsity)²" matches neither: a regular sparse conv costs
``p × dense`` (linear, registry ``regular_dense_ratio``) and a submanifold conv
``p·(1 + (K − 1)·q)/K × dense`` — p(1 + 26p)/27 for uniform sites, which is ≈ p/27 + p², not p².

:func:`centerpoint` builds CenterPoint's VoxelNet (``tianweiy/CenterPoint``
``configs/nusc/voxelnet/nusc_centerpoint_voxelnet_0075voxel_fix_bn_z.py`` and ``..._01voxel.py``):
``VoxelFeatureExtractorV3`` (mean of the points of a voxel), ``SpMiddleResNetFHD``
(``det3d/models/backbones/scn.py``), the ``RPN`` neck (``det3d/models/necks/rpn.py``) and the
``CenterHead`` (``det3d/models/bbox_heads/center_head.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.pointcloud import (
    dense_conv_macs,
    grid_cells,
    regular_sparse_active_fraction,
    regular_sparse_conv_macs,
    subm_conv_macs,
)
from ..ops._common import canonical, elem_bytes
from ..ops.elementwise import activation, batchnorm, elementwise
from . import _blocks as blk
from ._blocks import Shape
from .base import LayerList, Network

if TYPE_CHECKING:
    import pandas as pd

SOURCE = ("tianweiy/CenterPoint configs/nusc/voxelnet/nusc_centerpoint_voxelnet_{0075voxel_fix_bn_z,01voxel}.py; "
          "det3d/models/backbones/scn.py (SpMiddleResNetFHD); det3d/models/necks/rpn.py; "
          "det3d/models/bbox_heads/center_head.py")

#: Bytes per rulebook entry read by a gather–GEMM–scatter implementation (two int32 indices).
RULEBOOK_BYTES = 8.0

Triple = tuple[int, int, int]


# ------------------------------------------------------------------------------------------------
# Exact counting
# ------------------------------------------------------------------------------------------------
def _triple(name: str, x: int | Sequence[int]) -> Triple:
    t = (x, x, x) if isinstance(x, (int, np.integer)) else tuple(x)
    if len(t) != 3:
        raise ValueError(f"{name} must be an int or a triple, got {x!r}")
    return int(t[0]), int(t[1]), int(t[2])


def _offsets(kernel: Triple) -> np.ndarray:
    """All (dz, dy, dx) taps of a kernel, relative to its first tap."""
    grids = np.meshgrid(*(np.arange(k) for k in kernel), indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def neighbour_counts_grid(occupancy: np.ndarray, kernel: int = 3) -> np.ndarray:
    """Active sites in the k×k×k window centred on every site (itself included), by shifted sums.

    ``kernel`` must be odd (a centred window). Returns an int array shaped like ``occupancy``.
    """
    occ = np.asarray(occupancy)
    if occ.dtype != bool or occ.ndim != 3:
        raise ValueError(f"occupancy must be a 3-D boolean array, got dtype {occ.dtype} and {occ.ndim} axes")
    v.positive_int("kernel", kernel)
    if kernel % 2 == 0:
        raise ValueError(f"kernel must be odd for a centred window, got {kernel!r}")
    r = kernel // 2
    padded = np.pad(occ.astype(np.int32), r)
    counts = np.zeros(occ.shape, dtype=np.int64)
    nz, ny, nx = occ.shape
    for dz, dy, dx in _offsets((kernel,) * 3):
        counts += padded[dz:dz + nz, dy:dy + ny, dx:dx + nx]
    return counts


def submanifold_macs_exact(occupancy: np.ndarray, c_in: int, c_out: int, kernel: int = 3) -> int:
    """Exact submanifold-conv MACs on a boolean occupancy grid: Σ_active (active in window)·C_in·C_out."""
    v.positive_int("c_in", c_in)
    v.positive_int("c_out", c_out)
    counts = neighbour_counts_grid(occupancy, kernel)
    return int(counts[np.asarray(occupancy)].sum()) * int(c_in) * int(c_out)


def _as_coords(active: np.ndarray, grid_shape: Sequence[int] | None) -> tuple[np.ndarray, Triple]:
    a = np.asarray(active)
    if a.dtype == bool:
        if a.ndim != 3:
            raise ValueError(f"a boolean occupancy grid must have 3 axes, got {a.ndim}")
        return np.argwhere(a).astype(np.int64), (int(a.shape[0]), int(a.shape[1]), int(a.shape[2]))
    if a.ndim != 2 or a.shape[1] != 3 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"active sites must be a boolean grid or an (N, 3) integer array, got {a.shape} {a.dtype}")
    if grid_shape is None:
        raise ValueError("grid_shape is required with a coordinate list")
    g = _triple("grid_shape", grid_shape)  # type: ignore[arg-type]
    if len(a) and (a.min() < 0 or np.any(a.max(axis=0) >= np.array(g))):
        raise ValueError(f"coordinates fall outside grid_shape {g}")
    if len(np.unique(_linear(a, g))) != len(a):
        raise ValueError("active coordinates must be unique")
    return a.astype(np.int64), g


def _linear(c: np.ndarray, g: Sequence[int]) -> np.ndarray:
    return (c[:, 0] * g[1] + c[:, 1]) * g[2] + c[:, 2]


def _pairs_subm(coords: np.ndarray, g: Triple, kernel: Triple) -> np.ndarray:
    """Per active site: active sites in its centred window (itself included)."""
    lin = np.sort(_linear(coords, g))
    counts = np.zeros(len(coords), dtype=np.int64)
    r = np.array(kernel) // 2
    for off in _offsets(kernel) - r:
        nb = coords + off
        ok = np.all((nb >= 0) & (nb < np.array(g)), axis=1)
        key = _linear(nb[ok], g)
        pos = np.searchsorted(lin, key)
        pos[pos == len(lin)] = 0
        hit = np.zeros(len(coords), dtype=bool)
        hit[ok] = lin[pos] == key if len(lin) else False
        counts += hit
    return counts


def _regular_out(coords: np.ndarray, g: Triple, kernel: Triple, stride: Triple, padding: Triple
                 ) -> tuple[np.ndarray, Triple, int]:
    """Output sites of a regular sparse conv, its output grid and its rulebook size."""
    go = tuple((g[i] + 2 * padding[i] - kernel[i]) // stride[i] + 1 for i in range(3))
    if min(go) < 1:
        raise ValueError(f"kernel {kernel} with padding {padding} does not fit grid {g}")
    outs = []
    pairs = 0
    for off in _offsets(kernel):
        num = coords + np.array(padding) - off  # = o·stride
        ok = np.all(num % np.array(stride) == 0, axis=1)
        o = num[ok] // np.array(stride)
        ok2 = np.all((o >= 0) & (o < np.array(go)), axis=1)
        o = o[ok2]
        pairs += len(o)
        outs.append(_linear(o, go))
    lin = np.unique(np.concatenate(outs)) if outs else np.zeros(0, np.int64)
    oz = lin // (go[1] * go[2])
    rem = lin % (go[1] * go[2])
    out = np.stack([oz, rem // go[2], rem % go[2]], axis=1).astype(np.int64)
    return out, go, int(pairs)  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------------
# The operator
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sites:
    """Active sites of a sparse tensor: exact (``coords``) or a count with a neighbour model."""

    grid: Triple
    count: float
    coords: np.ndarray | None = field(default=None, compare=False, repr=False)
    neighbour_fraction: float | None = None  # q for expected counts; None → uniform (q = p)

    @property
    def occupancy(self) -> float:
        return self.count / float(np.prod(self.grid))


@dataclass(frozen=True)
class SparseConvResult:
    """A sparse conv's cost record, its output sites and its rulebook size (pairs)."""

    cost: Cost
    out: Sites
    pairs: float
    dense_macs: float


def _sparse_conv(sites: Sites, c_in: int, c_out: int, kernel: Triple, mode: str, stride: Triple,
                 padding: Triple, bias: bool, dtype: str, name: str,
                 rulebooks: dict[tuple[int, Triple], float] | None = None) -> SparseConvResult:
    K = int(np.prod(kernel))
    V = int(np.prod(stride))
    if mode == "submanifold":
        if stride != (1, 1, 1):
            raise ValueError(f"a submanifold conv has stride 1, got stride={stride}")
        if any(k % 2 == 0 for k in kernel):
            raise ValueError(f"a submanifold conv needs an odd kernel, got {kernel}")
        if sites.coords is not None:
            key = (id(sites.coords), kernel)  # spconv's indice_key: layers on one site set share a rulebook
            if rulebooks is None or key not in rulebooks:
                pairs = float(_pairs_subm(sites.coords, sites.grid, kernel).sum())
                if rulebooks is not None:
                    rulebooks[key] = pairs
            pairs = rulebooks[key] if rulebooks is not None else pairs
        else:
            q = sites.occupancy if sites.neighbour_fraction is None else sites.neighbour_fraction
            pairs = float(subm_conv_macs(N_a=sites.count, q=q, K=K, C_in=1, C_out=1))
        out = sites
        grid_out = sites.grid
    else:
        if sites.coords is not None:
            coords, grid_out, n_pairs = _regular_out(sites.coords, sites.grid, kernel, stride, padding)
            pairs = float(n_pairs)
            out = Sites(grid_out, float(len(coords)), coords)
        else:
            grid_out = tuple((sites.grid[i] + 2 * padding[i] - kernel[i]) // stride[i] + 1 for i in range(3))  # type: ignore
            if min(grid_out) < 1:
                raise ValueError(f"kernel {kernel} with padding {padding} does not fit grid {sites.grid}")
            pairs = float(regular_sparse_conv_macs(N_a=sites.count, K=K, V=V, C_in=1, C_out=1))
            frac = float(regular_sparse_active_fraction(p=min(sites.occupancy, 1.0), K=K))
            out = Sites(grid_out, frac * float(np.prod(grid_out)))  # type: ignore[arg-type]
    s = elem_bytes(dtype)
    macs = pairs * c_in * c_out
    params = K * c_in * c_out + (c_out if bias else 0)
    n_out = out.count
    cost = Cost(
        name=name, macs=macs, flops=2 * macs + (n_out * c_out if bias else 0),
        reads={DRAM: (sites.count * c_in + params) * s + pairs * RULEBOOK_BYTES},
        writes={DRAM: n_out * c_out * s}, params=float(params), weight_bytes=params * s,
        out_bytes=n_out * c_out * s, out_shape=(int(round(n_out)), int(c_out)), dtype=canonical(dtype),
    )
    dense = float(dense_conv_macs(N=float(np.prod(sites.grid)), V=V, K=K, C_in=c_in, C_out=c_out))
    return SparseConvResult(cost, out, pairs, dense)


def _sites(active_in: object, grid_shape: Sequence[int] | None, neighbour_fraction: float | None) -> Sites:
    if isinstance(active_in, Sites):
        return active_in
    if isinstance(active_in, np.ndarray) and (active_in.dtype == bool or active_in.ndim == 2):
        coords, g = _as_coords(active_in, grid_shape)
        return Sites(g, float(len(coords)), coords)
    v.nonnegative("active_in", active_in)
    if grid_shape is None:
        raise ValueError("grid_shape is required when active_in is a count (it sets the occupancy)")
    g = _triple("grid_shape", grid_shape)  # type: ignore[arg-type]
    for i, d in enumerate(g):
        v.positive_int(f"grid_shape[{i}]", d)
    if float(active_in) > float(np.prod(g)):  # type: ignore[arg-type]
        raise ValueError(f"active_in must be at most the {int(np.prod(g))} sites of grid {g}, got {active_in!r}")
    if neighbour_fraction is not None:
        v.probability("neighbour_fraction", neighbour_fraction)
    return Sites(g, float(active_in), None, neighbour_fraction)  # type: ignore[arg-type]


def sparse_conv3d(active_in: object, c_in: int, c_out: int, kernel: int | Sequence[int] = 3,
                  mode: str = "submanifold", stride: int | Sequence[int] = 1,
                  padding: int | Sequence[int] | None = None, grid_shape: Sequence[int] | None = None,
                  neighbour_fraction: float | None = None, bias: bool = False, dtype: str = "fp16",
                  name: str = "sparse_conv3d") -> Cost:
    """Cost of a sparse 3-D convolution (spconv ``SubMConv3d`` / ``SparseConv3d``).

    Parameters
    ----------
    active_in : bool ndarray (D, H, W), int ndarray (N, 3), or a number
        The active input sites: an occupancy grid or coordinates (exact counting), or how many
        there are (expected counting: each off-centre neighbour active with probability
        ``neighbour_fraction``, by default the occupancy p — uniform random sites).
    c_in, c_out : channels
    kernel, stride, padding : int or (z, y, x); padding defaults to k//2 (ignored by submanifold)
    mode : "submanifold" or "regular"
    grid_shape : (D, H, W), required with coordinates or a count
    neighbour_fraction : q in [0, 1] for expected counting (clustered data: q ≫ p)
    bias, dtype, name :

    Returns
    -------
    Cost
        macs = pairs·C_in·C_out (pairs = rulebook size); flops = 2·macs (+ bias adds); DRAM reads =
        input features + weights + rulebook indices (8 B per pair), writes = output features;
        ``out_shape = (active outputs, C_out)``.
    """
    v.choice("mode", mode, ("submanifold", "regular"))
    v.positive_int("c_in", c_in)
    v.positive_int("c_out", c_out)
    k = _triple("kernel", kernel)  # type: ignore[arg-type]
    s = _triple("stride", stride)  # type: ignore[arg-type]
    p = tuple(x // 2 for x in k) if padding is None else _triple("padding", padding)  # type: ignore[arg-type]
    for label, t, lo in (("kernel", k, 1), ("stride", s, 1), ("padding", p, 0)):
        for x in t:
            (v.positive_int if lo else v.nonnegative_int)(label, x)
    sites = _sites(active_in, grid_shape, neighbour_fraction)
    return _sparse_conv(sites, c_in, c_out, k, mode, s, p, bias, dtype, name).cost  # type: ignore[arg-type]


def neighbour_fraction(active: np.ndarray, grid_shape: Sequence[int] | None = None, kernel: int = 3) -> float:
    """Measured q: mean fraction of the K − 1 off-centre window sites of an active site that are active."""
    coords, g = _as_coords(active, grid_shape)
    k = _triple("kernel", kernel)
    counts = _pairs_subm(coords, g, k)
    return float((counts.mean() - 1) / (int(np.prod(k)) - 1)) if len(coords) else 0.0


# ------------------------------------------------------------------------------------------------
# A synthetic LiDAR scene (to show clustering)
# ------------------------------------------------------------------------------------------------
def synthetic_lidar_voxels(point_range: Sequence[float] = (-54, -54, -5, 54, 54, 3),
                           voxel_size: Sequence[float] = (0.075, 0.075, 0.2), n_beams: int = 32,
                           elevation_deg: tuple[float, float] = (-30.67, 10.67), n_azimuth: int = 1084,
                           sweeps: int = 10, ego_speed: float = 10.0, sweep_dt: float = 0.05,
                           sensor_height: float = 1.84, n_objects: int = 40, seed: int = 0) -> tuple[np.ndarray, Triple]:
    """Voxel coordinates (z, y, x) of a synthetic spinning-LiDAR scene, and the voxel grid shape.

    assumption: a 32-beam sensor (nuScenes' Velodyne HDL-32E: elevation −30.67° … +10.67°) on a
    flat ground plane, ``n_objects`` car-sized boxes (4.5 × 1.9 × 1.6 m) within 5–45 m, and a
    ring of 8 m-high building façades at 35–50 m; ``sweeps`` sweeps accumulated while the ego
    car drives at ``ego_speed`` (nuScenes stacks 10). The grid follows spconv's layout
    (z, y, x) with one extra z cell, as ``SpMiddleResNetFHD`` builds it.
    """
    rng = np.random.default_rng(seed)
    lo, hi = np.array(point_range[:3], float), np.array(point_range[3:], float)
    vs = np.array(voxel_size, float)
    nx, ny, nz = (int(grid_cells(L=hi[i] - lo[i], v=vs[i])) for i in range(3))
    grid: Triple = (nz + 1, ny, nx)
    el = np.deg2rad(np.linspace(*elevation_deg, n_beams))
    az = np.linspace(0, 2 * np.pi, n_azimuth, endpoint=False)
    E, A = np.meshgrid(el, az, indexing="ij")  # ray index = beam · n_azimuth + azimuth step
    d = np.stack([np.cos(E) * np.cos(A), np.cos(E) * np.sin(A), np.sin(E)], -1).reshape(-1, 3)
    centres = rng.uniform(5, 45, n_objects)[:, None] * np.stack(
        [np.cos(th := rng.uniform(0, 2 * np.pi, n_objects)), np.sin(th)], 1)
    box_lo = np.concatenate([centres - [2.25, 0.95], np.full((n_objects, 1), -sensor_height)], 1)
    box_hi = np.concatenate([centres + [2.25, 0.95], np.full((n_objects, 1), -sensor_height + 1.6)], 1)
    wall_r = np.interp(az, np.linspace(0, 2 * np.pi, 13), rng.uniform(35, 50, 13))
    inv = 1.0 / np.where(np.abs(d) < 1e-12, 1e-12, d)  # finite slabs: no 0·inf
    pts = []
    for k in range(sweeps):
        origin = np.array([-ego_speed * sweep_dt * k, 0.0, 0.0])
        t = np.full(len(d), np.inf)
        down = d[:, 2] < 0
        t[down] = (-sensor_height - origin[2]) / d[down, 2]
        # façades: vertical cylinder around the start position, 8 m high
        horiz = np.hypot(d[:, 0], d[:, 1])
        r_wall = np.tile(wall_r, n_beams)
        tw = (r_wall + origin[0] * np.cos(A.ravel())) / np.maximum(horiz, 1e-9)
        zw = origin[2] + tw * d[:, 2]
        tw[(zw < -sensor_height) | (zw > 8 - sensor_height)] = np.inf
        t = np.minimum(t, tw)
        # boxes: slab test only on the rays within each box's azimuth span
        for lo_b, hi_b in zip(box_lo, box_hi):
            corners = np.array([[lo_b[0], lo_b[1]], [lo_b[0], hi_b[1]], [hi_b[0], lo_b[1]], [hi_b[0], hi_b[1]]])
            ang = np.arctan2(corners[:, 1] - origin[1], corners[:, 0] - origin[0])
            mid = np.arctan2(np.sin(ang).mean(), np.cos(ang).mean())
            half = np.abs((ang - mid + np.pi) % (2 * np.pi) - np.pi).max()
            steps = np.arange(int(np.floor((mid - half) / (2 * np.pi) * n_azimuth)),
                              int(np.ceil((mid + half) / (2 * np.pi) * n_azimuth)) + 1) % n_azimuth
            rays = (np.arange(n_beams)[:, None] * n_azimuth + steps[None, :]).ravel()
            t1 = (lo_b - origin) * inv[rays]
            t2 = (hi_b - origin) * inv[rays]
            tmin = np.minimum(t1, t2).max(axis=1)
            tmax = np.maximum(t1, t2).min(axis=1)
            t[rays] = np.minimum(t[rays], np.where((tmax >= tmin) & (tmin > 0), tmin, np.inf))
        hit = np.isfinite(t)
        pts.append(origin + d[hit] * t[hit, None])
    p = np.concatenate(pts)
    idx = np.floor((p - lo) / vs).astype(np.int64)
    ok = np.all((idx >= 0) & (idx < np.array([nx, ny, nz])), axis=1)
    zyx = np.unique(idx[ok][:, ::-1], axis=0)
    return zyx, grid


# ------------------------------------------------------------------------------------------------
# CenterPoint-VoxelNet
# ------------------------------------------------------------------------------------------------
#: nuScenes configurations: (point range, voxel size) per voxel variant.
CONFIGS: dict[str, tuple[tuple[float, ...], tuple[float, float, float]]] = {
    "0.075": ((-54, -54, -5, 54, 54, 3), (0.075, 0.075, 0.2)),
    "0.1": ((-51.2, -51.2, -5, 51.2, 51.2, 3), (0.1, 0.1, 0.2)),
}
TASK_CLASSES = (1, 2, 2, 1, 2, 2)  # car | truck, c.vehicle | bus, trailer | barrier | moto, bicycle | ped, cone
COMMON_HEADS = {"reg": 2, "height": 1, "dim": 3, "rot": 2, "vel": 2}
#: Default active voxels (assumption: a 10-sweep nuScenes frame after voxelisation, below the
#: config's test cap max_voxel_num = 160,000).
DEFAULT_VOXELS = 100_000


def _sparse_bn_relu(b: LayerList, stage: str, name: str, res: SparseConvResult, fused: bool, relu: bool,
                    dtype: str, conv_bias: bool) -> None:
    n = max(1, int(round(res.out.count)))
    c = res.cost.out_shape[1]  # type: ignore[index]
    if fused:  # BN folded into the conv's bias (a new bias unless the conv has one), ReLU in the epilogue
        s = elem_bytes(dtype)
        cost = res.cost if conv_bias else replace(res.cost, flops=res.cost.flops + n * c,
                                                  params=res.cost.params + c,
                                                  weight_bytes=res.cost.weight_bytes + c * s)
        b.add(stage, blk.with_epilogue(cost, "relu" if relu else None))
        return
    b.add(stage, res.cost)
    b.add(stage, batchnorm((n, c), dtype, name=f"{name}.bn"))
    if relu:
        b.add(stage, activation((n, c), "relu", dtype, name=f"{name}.relu"))


def center_head(b: LayerList, x: Shape, tasks: Sequence[int] = TASK_CLASSES,
                heads: dict[str, int] = COMMON_HEADS, share_channels: int = 64, head_conv: int = 64,
                final_kernel: int = 3, bias_with_bn: bool = True, fused: bool = True, dtype: str = "fp16",
                stage: str = "head") -> None:
    """CenterPoint's ``CenterHead``: a shared 3×3 conv (+BN+ReLU), then per task one branch per
    output (``heads`` plus the heatmap with the task's classes), each a 3×3 conv to ``head_conv``
    (+BN+ReLU) and a ``final_kernel`` conv (with bias) to the output channels.

    ``bias_with_bn``: det3d (CenterPoint) gives the BN-followed convs a bias as well; mmdet3d's
    ``ConvModule(bias='auto')`` (BEVDet) does not.
    """
    sh = blk.conv_norm_act(b, stage, "shared_conv", x, share_channels, 3, 1, "relu", fused, dtype,
                           conv_bias=bias_with_bn)
    for t, n_cls in enumerate(tasks):
        for head, n_out in {**heads, "hm": n_cls}.items():
            hh = blk.conv_norm_act(b, stage, f"task{t}.{head}.0", sh, head_conv, 3, 1, "relu", fused, dtype,
                                   conv_bias=bias_with_bn)
            blk.conv_norm_act(b, stage, f"task{t}.{head}.1", hh, n_out, final_kernel, 1, None, fused, dtype,
                              norm=False, conv_bias=True)


def centerpoint(voxel: str = "0.075", active: object = None, neighbour_q: float | None = None,
                fused: bool = True, dtype: str = "fp16") -> Network:
    """CenterPoint-VoxelNet for nuScenes as a layer list.

    Parameters
    ----------
    voxel : {"0.075", "0.1"}
        Voxel-size variant (KeyError for another).
    active : None, int, or (N, 3) int array of (z, y, x) voxel coordinates
        The non-empty voxels. Coordinates: exact rulebooks through the whole sparse backbone.
        A count (default :data:`DEFAULT_VOXELS`): expected rulebooks, each level's neighbour
        fraction ``neighbour_q`` (default: uniform random sites, q = p) — the uniform model
        dilates the active set at each strided conv, real scenes do not.
    neighbour_q : q for expected counting (measure it with :func:`neighbour_fraction`)
    fused, dtype :

    Returns
    -------
    Network
        Stages ``vfe``, ``sparse`` (SpMiddleResNetFHD), ``to_bev`` (dense scatter), ``rpn``,
        ``head``; ``config["sparse_layers"]`` lists each sparse conv with its sites, rulebook,
        dense MACs and the draft's dense × p² estimate.
    """
    if voxel not in CONFIGS:
        raise KeyError(f"unknown CenterPoint voxel variant {voxel!r}; known: {', '.join(CONFIGS)}")
    pr, vs = CONFIGS[voxel]
    nx, ny, nz = (int(grid_cells(L=pr[i + 3] - pr[i], v=vs[i])) for i in range(3))
    grid: Triple = (nz + 1, ny, nx)  # spconv sparse_shape: z gets one extra cell (scn.py)
    if active is None:
        active = DEFAULT_VOXELS
    if isinstance(active, np.ndarray):
        sites = _sites(active, grid, None)
    else:
        sites = _sites(active, grid, neighbour_q)
    b = LayerList()
    s = elem_bytes(dtype)
    n0 = max(1, int(round(sites.count)))
    b.add("vfe", elementwise((n0, 5, 10), 1, 1.0, dtype, name="vfe.mean"))  # mean of ≤ 10 points, 5 features
    rows: list[dict[str, object]] = []
    rulebooks: dict[tuple[int, Triple], float] = {}

    def conv(name: str, x: Sites, c_in: int, c_out: int, mode: str = "submanifold", k: Triple = (3, 3, 3),
             st: Triple = (1, 1, 1), pad: Triple = (1, 1, 1), bias: bool = False, relu: bool = True) -> Sites:
        if x.coords is None and neighbour_q is not None:
            x = replace(x, neighbour_fraction=neighbour_q)
        res = _sparse_conv(x, c_in, c_out, k, mode, st, pad, bias, dtype, f"{name}.conv", rulebooks)
        _sparse_bn_relu(b, "sparse", name, res, fused, relu, dtype, bias)
        rows.append({"layer": name, "mode": mode, "grid": x.grid, "active_in": x.count, "occupancy": x.occupancy,
                     "active_out": res.out.count, "pairs": res.pairs, "macs": res.cost.macs,
                     "dense_macs": res.dense_macs, "draft_macs": res.dense_macs * x.occupancy ** 2})
        return res.out

    def basic_block(name: str, x: Sites, c: int) -> Sites:
        y = conv(f"{name}.conv1", x, c, c, bias=True)
        y = conv(f"{name}.conv2", y, c, c, bias=True, relu=False)
        n = max(1, int(round(y.count)))
        b.add("sparse", elementwise((n, c), 2, 1.0, dtype, name=f"{name}.add"))
        b.add("sparse", activation((n, c), "relu", dtype, name=f"{name}.relu"))
        return y

    x = conv("conv_input", sites, 5, 16)
    x = basic_block("conv1.0", x, 16)
    x = basic_block("conv1.1", x, 16)
    x = conv("conv2.0", x, 16, 32, "regular", st=(2, 2, 2))
    x = basic_block("conv2.1", x, 32)
    x = basic_block("conv2.2", x, 32)
    x = conv("conv3.0", x, 32, 64, "regular", st=(2, 2, 2))
    x = basic_block("conv3.1", x, 64)
    x = basic_block("conv3.2", x, 64)
    x = conv("conv4.0", x, 64, 128, "regular", st=(2, 2, 2), pad=(0, 1, 1))
    x = basic_block("conv4.1", x, 128)
    x = basic_block("conv4.2", x, 128)
    x = conv("extra_conv", x, 128, 128, "regular", k=(3, 1, 1), st=(2, 1, 1), pad=(0, 0, 0))
    dz, hy, wx = x.grid
    bev: Shape = (1, 128 * dz, hy, wx)
    b.add("to_bev", blk.scatter_to_dense("to_bev", x.count, 128, bev, dtype, index_bytes=16.0))
    # RPN: layer_nums [5, 5], ds strides [1, 2], filters [128, 256], us strides [1, 2] → 256 each
    y = bev
    ups: list[Shape] = []
    for i, (n_layers, st, c) in enumerate(((5, 1, 128), (5, 2, 256))):
        y = blk.conv_norm_act(b, "rpn", f"rpn.block{i}.0", y, c, 3, st, "relu", fused, dtype, padding=1)
        for j in range(n_layers):
            y = blk.conv_norm_act(b, "rpn", f"rpn.block{i}.{j + 1}", y, c, 3, 1, "relu", fused, dtype)
        if st == 1:  # us stride 1: Conv2d(k=1)
            ups.append(blk.conv_norm_act(b, "rpn", f"rpn.deblock{i}", y, 256, 1, 1, "relu", fused, dtype))
        else:
            ups.append(blk.conv_transpose_norm_act(b, "rpn", f"rpn.deblock{i}", y, 256, kernel=2, stride=2,
                                                   act="relu", fused=fused, dtype=dtype))
    feat = b.add("rpn", blk.concat("rpn.concat", ups, dtype)).out_shape
    center_head(b, feat, fused=fused, dtype=dtype, bias_with_bn=True)  # type: ignore[arg-type]
    del s
    return b.build(f"centerpoint-voxelnet-{voxel}", source=SOURCE, voxel=voxel, grid=grid,
                   active_voxels=sites.count, exact=sites.coords is not None, neighbour_q=neighbour_q,
                   fused=fused, dtype=dtype, bev_shape=bev, sparse_layers=rows)


def sparse_layer_table(net: Network) -> "pd.DataFrame":
    """Per sparse conv: sites, rulebook pairs, MACs, dense MACs and the draft's dense × p²."""
    import pandas as pd

    df = pd.DataFrame(net.config["sparse_layers"])
    df["macs_over_dense"] = df["macs"] / df["dense_macs"]
    df["draft_over_macs"] = df["draft_macs"] / df["macs"]
    return df
