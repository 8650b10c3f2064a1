"""Conv2D cost models (Chapter 2 §2.1.1, §2.3.2) with ONNX/PyTorch semantics.

Three dataflows for the same convolution (same MACs, different DRAM traffic):

- :func:`conv2d` — direct convolution, every input and weight element read from DRAM once and
  the output written once (the ideal of a dataflow with enough on-chip buffering);
- :func:`conv2d_im2col` — the im2col matrix is materialised (in DRAM, or built on chip) and a
  GEMM consumes it;
- :func:`conv2d_tiled` — output-tiled direct convolution against an SRAM capacity: each tile
  loads its input halo box and the weights it needs; :func:`conv2d_best_tile` picks the tile
  that minimises DRAM traffic.

Formulas (registry topic ``conv``): ``conv_out_size``, ``conv_input_row``, ``conv_macs``,
``im2col_elements``, ``conv_halo_extent``, ``conv_tile_sram_bytes``, ``conv_tile_cout_max``,
``conv_tiled_input_bytes``, ``conv_tiled_weight_bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.conv import (
    conv_halo_extent,
    conv_input_row,
    conv_macs,
    conv_out_size,
    conv_tile_cout_max,
    conv_tile_sram_bytes,
    conv_tiled_input_bytes,
    conv_tiled_weight_bytes,
    im2col_elements,
)
from ._common import canonical, dims, elem_bytes

__all__ = ["out_size", "conv2d", "depthwise_conv2d", "conv2d_im2col", "conv2d_tiled", "conv2d_best_tile",
           "ConvGeometry", "TileChoice"]

#: On-chip level name used by the im2col-on-chip variant.
SRAM = "sram"


def _pair(name: str, x: int | Sequence[int], minimum: int = 1) -> tuple[int, int]:
    """``x`` as an (h, w) pair of whole numbers >= ``minimum`` (ValueError naming ``name`` otherwise)."""
    vals = tuple(x) if isinstance(x, (tuple, list)) else (x, x)
    if len(vals) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {x!r}")
    for val in vals:
        if isinstance(val, bool) or not isinstance(val, (int, np.integer, float)) or val != int(val) \
                or val < minimum:
            raise ValueError(f"{name} must be a whole number >= {minimum} or a pair of them, got {x!r}")
    return int(vals[0]), int(vals[1])


def out_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ``floor((H + 2P − D(K−1) − 1)/S) + 1`` (ONNX Conv).

    Raises ValueError when the (dilated) kernel does not fit the padded input.
    """
    v.positive_int("size", size)
    v.positive_int("kernel", kernel)
    v.positive_int("stride", stride)
    v.nonnegative_int("padding", padding)
    v.positive_int("dilation", dilation)
    o = int(conv_out_size(H=size, K_h=kernel, S=stride, P=padding, D=dilation))
    if o < 1:
        raise ValueError(
            f"kernel {kernel} (dilation {dilation}) does not fit input size {size} with padding {padding}"
        )
    return o


@dataclass(frozen=True)
class ConvGeometry:
    """A validated Conv2D shape: every size the cost models need, per axis as (h, w) pairs.

    Built by :meth:`of`; ``padding=None`` means ``(k−1)//2·dilation`` ("same" for odd k, stride 1).
    """

    batch: int
    c_in: int
    c_out: int
    h: int
    w: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    h_out: int
    w_out: int

    @classmethod
    def of(cls, c_in: int, c_out: int, h: int, w: int, kernel: int | Sequence[int] = 3,
           stride: int | Sequence[int] = 1, padding: int | Sequence[int] | None = None,
           dilation: int | Sequence[int] = 1, groups: int = 1, batch: int = 1) -> "ConvGeometry":
        """Validate and resolve a convolution shape (ValueError naming the bad parameter)."""
        sizes = dict(c_in=c_in, c_out=c_out, h=h, w=w, groups=groups, batch=batch)
        for pname, val in sizes.items():
            if np.ndim(val) != 0:
                raise ValueError(f"{pname} must be a single whole number (conv models are not vectorised), got {val!r}")
        dims(**sizes)
        kh, kw = _pair("kernel", kernel)
        sh, sw = _pair("stride", stride)
        dh, dw = _pair("dilation", dilation)
        if padding is None:
            ph, pw = (kh - 1) // 2 * dh, (kw - 1) // 2 * dw
        else:
            ph, pw = _pair("padding", padding, minimum=0)
        if c_in % groups or c_out % groups:
            raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
        return cls(int(batch), int(c_in), int(c_out), int(h), int(w), (kh, kw), (sh, sw), (ph, pw), (dh, dw),
                   int(groups), out_size(h, kh, sh, ph, dh), out_size(w, kw, sw, pw, dw))

    @property
    def weight_elems(self) -> int:
        """Weight elements ``C_out·(C_in/G)·K_h·K_w`` (no bias)."""
        return self.c_out * (self.c_in // self.groups) * self.kernel[0] * self.kernel[1]

    @property
    def in_elems(self) -> int:
        return self.batch * self.c_in * self.h * self.w

    @property
    def out_elems(self) -> int:
        return self.batch * self.c_out * self.h_out * self.w_out

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.c_out, self.h_out, self.w_out)

    @property
    def macs(self) -> float:
        """``N·H_out·W_out·C_out·(C_in/G)·K_h·K_w`` (registry ``conv_macs``)."""
        return self.batch * float(conv_macs(C_in=self.c_in, C_out=self.c_out, K_h=self.kernel[0],
                                            K_w=self.kernel[1], G=self.groups, H_out=self.h_out, W_out=self.w_out))

    @property
    def im2col_elems(self) -> int:
        """Elements of the im2col matrices of the whole batch (registry ``im2col_elements``, × N)."""
        return self.batch * int(im2col_elements(C_in=self.c_in, K_h=self.kernel[0], K_w=self.kernel[1],
                                                H_out=self.h_out, W_out=self.w_out))

    def axis(self, i: int) -> tuple[int, int, int, int, int, int]:
        """(input size, output size, kernel, stride, padding, dilation) along axis 0 (h) or 1 (w)."""
        return ((self.h, self.w)[i], (self.h_out, self.w_out)[i], self.kernel[i], self.stride[i],
                self.padding[i], self.dilation[i])


def _direct(g: ConvGeometry, bias: bool, dtype: str, name: str) -> Cost:
    s = elem_bytes(dtype)
    params = g.weight_elems + (g.c_out if bias else 0)
    macs = g.macs
    return Cost(
        name=name,
        macs=macs,
        flops=2 * macs + (g.out_elems if bias else 0),
        reads={DRAM: (g.in_elems + params) * s},
        writes={DRAM: g.out_elems * s},
        params=float(params),
        weight_bytes=params * s,
        out_bytes=g.out_elems * s,
        out_shape=g.out_shape,
        dtype=canonical(dtype),
    )


def conv2d(
    c_in: int,
    c_out: int,
    h: int,
    w: int,
    kernel: int | tuple[int, int] = 3,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | None = None,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = False,
    batch: int = 1,
    dtype: str = "fp16",
    name: str = "conv2d",
) -> Cost:
    """Cost of a 2-D convolution on an N×C_in×H×W input (direct dataflow, DRAM traffic once each).

    Parameters
    ----------
    c_in, c_out : channels (each divisible by ``groups``)
    h, w : input height and width
    kernel, stride, dilation : int or (h, w) pair
    padding : int, pair, or None for ``(k-1)//2·dilation`` ("same" for odd k at stride 1)
    groups : channel groups (``groups == c_in == c_out`` is depthwise)
    bias : add C_out bias parameters (and H_out·W_out·C_out adds)
    batch : N
    dtype : element type of activations and weights

    Returns
    -------
    Cost
        macs = N·H_out·W_out·C_out·(C_in/G)·K_h·K_w; flops = 2·macs (+ bias adds);
        DRAM reads = input + weights, writes = output.
    """
    g = ConvGeometry.of(c_in, c_out, h, w, kernel, stride, padding, dilation, groups, batch)
    return _direct(g, bias, dtype, name)


def depthwise_conv2d(channels: int, h: int, w: int, kernel: int = 3, stride: int = 1,
                     padding: int | None = None, dilation: int = 1, bias: bool = False, batch: int = 1,
                     dtype: str = "fp16", name: str = "dwconv2d") -> Cost:
    """Depthwise convolution: :func:`conv2d` with ``groups = c_in = c_out = channels``."""
    return conv2d(channels, channels, h, w, kernel, stride, padding, dilation, groups=channels,
                  bias=bias, batch=batch, dtype=dtype, name=name)


def conv2d_im2col(
    c_in: int,
    c_out: int,
    h: int,
    w: int,
    kernel: int | tuple[int, int] = 3,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | None = None,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = False,
    batch: int = 1,
    dtype: str = "fp16",
    materialize: str = "dram",
    name: str = "conv2d_im2col",
) -> Cost:
    """Convolution lowered to GEMM through an explicit im2col matrix.

    The im2col matrix of each image has ``(C_in·K_h·K_w) × (H_out·W_out)`` elements (registry
    ``im2col_elements``; for grouped conv, G blocks of ``C_in/G·K_h·K_w`` rows — the same total).
    Its size relative to the input is ``im2col_expansion = K_h·K_w·H_out·W_out/(H·W)``, which is
    ``K_h·K_w`` only at stride 1 with "same" padding (``K_h·K_w/S²`` for large maps in general).

    Parameters
    ----------
    (as :func:`conv2d`), and
    materialize : {"dram", "sram"}
        ``"dram"``: the lowering kernel reads the input and writes the im2col matrix to DRAM; the
        GEMM reads it back with the weights and writes the output. DRAM bytes =
        input + 2·|X_col| + weights (reads/writes split accordingly) + output.
        ``"sram"``: the matrix is built on chip from an input read once (DRAM traffic as
        :func:`conv2d`); its write and read-back appear at memory level ``"sram"``.

    Returns
    -------
    Cost
        Same macs/flops/params as :func:`conv2d`; traffic as above.
    """
    v.choice("materialize", materialize, ("dram", "sram"))
    g = ConvGeometry.of(c_in, c_out, h, w, kernel, stride, padding, dilation, groups, batch)
    base = _direct(g, bias, dtype, name)
    col_bytes = g.im2col_elems * elem_bytes(dtype)
    level = DRAM if materialize == "dram" else SRAM
    reads = dict(base.reads)
    writes = dict(base.writes)
    reads[level] = reads.get(level, 0.0) + col_bytes
    writes[level] = writes.get(level, 0.0) + col_bytes
    return Cost(name=name, macs=base.macs, flops=base.flops, reads=reads, writes=writes, params=base.params,
                weight_bytes=base.weight_bytes, out_bytes=base.out_bytes, out_shape=base.out_shape,
                dtype=base.dtype)


# -- output-tiled direct convolution -----------------------------------------------------------------
def _axis_tiles(g: ConvGeometry, i: int, tile: int) -> tuple[int, int, int]:
    """Along axis ``i`` for output tile length ``tile``: (number of tiles, Σ loaded input lines over
    tiles, largest loaded line count). Loaded lines of a tile: the box from the first to the last
    input line its outputs touch (registry ``conv_input_row``), clipped to the real input (padding
    is never loaded)."""
    size, n_out, kern, stride, pad, dil = g.axis(i)
    starts = np.arange(0, n_out, tile)
    ends = np.minimum(starts + tile, n_out) - 1
    first = conv_input_row(h_o=starts, S=stride, P=pad, k=0, D=dil)
    last = conv_input_row(h_o=ends, S=stride, P=pad, k=kern - 1, D=dil)
    lines = np.maximum(np.minimum(last, size - 1) - np.maximum(first, 0) + 1, 0)
    return len(starts), int(lines.sum()), int(lines.max())


@dataclass(frozen=True)
class _Tiling:
    tile_h: int
    tile_w: int
    tile_cout: int
    n_tiles: int
    input_bytes: float
    weight_bytes: float
    sram_bytes: float


def _tiling(g: ConvGeometry, s: float, s_acc: float, tile_h: int, tile_w: int, tile_cout: int) -> _Tiling:
    n_h, rows, max_rows = _axis_tiles(g, 0, tile_h)
    n_w, cols, max_cols = _axis_tiles(g, 1, tile_w)
    kh, kw = g.kernel
    common = dict(C_in=g.c_in, K_h=kh, K_w=kw, G=g.groups, s=s)
    inp = float(conv_tiled_input_bytes(s=s, N=g.batch, C_in=g.c_in, R_h=rows, R_w=cols))
    wts = float(conv_tiled_weight_bytes(N=g.batch, C_out=g.c_out, H_out=g.h_out, W_out=g.w_out,
                                        T_h=tile_h, T_w=tile_w, T_co=tile_cout, **common))
    sram = float(conv_tile_sram_bytes(s_acc=s_acc, T_h=tile_h, T_w=tile_w, T_co=tile_cout, X_h=max_rows,
                                      X_w=max_cols, **common))
    n_co = -(-g.c_out // tile_cout)
    return _Tiling(tile_h, tile_w, tile_cout, g.batch * n_h * n_w * n_co, inp, wts, sram)


def conv2d_tiled(
    c_in: int,
    c_out: int,
    h: int,
    w: int,
    kernel: int | tuple[int, int] = 3,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | None = None,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = False,
    batch: int = 1,
    dtype: str = "fp16",
    *,
    sram_bytes: float,
    tile_h: int,
    tile_w: int,
    tile_cout: int | None = None,
    acc_dtype: str | None = None,
    name: str = "conv2d_tiled",
) -> Cost:
    """Output-tiled direct convolution under an SRAM capacity, with its DRAM traffic.

    Loop order: for each image, for each spatial output tile ``T_h × T_w`` (outer), load the
    input halo box of that tile — ``X_h = (T_h−1)·S + D·(K_h−1) + 1`` rows (registry
    ``conv_halo_extent``; clipped at the borders, padding is not loaded) × ``X_w`` columns × all
    ``C_in`` channels — and keep it; for each output-channel tile of ``T_co`` channels (inner),
    load the weights of those channels, accumulate the ``T_h × T_w × T_co`` outputs completely on
    chip (all of C_in is present, no partial sums leave the chip) and write them once.

    DRAM traffic (registry ``conv_tiled_input_bytes``, ``conv_tiled_weight_bytes``):

    - input: ``s·N·C_in·R_h·R_w``, ``R_h`` the loaded rows summed over row tiles — larger than
      ``H`` by the halo overlap of neighbouring tiles;
    - weights: once if ``T_co = C_out`` (they stay resident), else once per spatial tile;
    - output: written once. Bias (if any) is read once.

    SRAM constraint (registry ``conv_tile_sram_bytes``): input tile + weight tile + output tile
    ``s·(C_in·X_h·X_w + T_co·(C_in/G)·K_h·K_w) + s_acc·T_co·T_h·T_w ≤ sram_bytes``.

    Parameters
    ----------
    (as :func:`conv2d`), and
    sram_bytes : on-chip capacity available to the three buffers [B]
    tile_h, tile_w : output tile size (1 ≤ tile ≤ H_out, W_out)
    tile_cout : output channels per tile (default all C_out)
    acc_dtype : type of the on-chip output/accumulator tile (default ``dtype``; e.g. ``"int32"``
        for int8 convolution)

    Returns
    -------
    Cost
        macs/flops/params as :func:`conv2d`; DRAM reads input + weights as above, writes output.

    Raises
    ------
    ValueError
        If a tile size is out of range, or the tile does not fit ``sram_bytes`` (the message gives
        the input, weight and output tile bytes).
    """
    g = ConvGeometry.of(c_in, c_out, h, w, kernel, stride, padding, dilation, groups, batch)
    v.positive("sram_bytes", sram_bytes)
    tile_cout = g.c_out if tile_cout is None else tile_cout
    for pname, val, hi in (("tile_h", tile_h, g.h_out), ("tile_w", tile_w, g.w_out),
                           ("tile_cout", tile_cout, g.c_out)):
        v.positive_int(pname, val)
        if val > hi:
            raise ValueError(f"{pname} must lie in [1, {hi}] for this convolution, got {val!r}")
    s = elem_bytes(dtype)
    s_acc = s if acc_dtype is None else elem_bytes(acc_dtype)
    t = _tiling(g, s, s_acc, int(tile_h), int(tile_w), int(tile_cout))
    if t.sram_bytes > sram_bytes:
        n_h, _, xh = _axis_tiles(g, 0, tile_h)
        n_w, _, xw = _axis_tiles(g, 1, tile_w)
        raise ValueError(
            f"sram_bytes={sram_bytes!r} is too small for tile {tile_h}x{tile_w}x{tile_cout}: it needs "
            f"{t.sram_bytes:.0f} B (input {xh}x{xw}x{g.c_in}, weights {tile_cout}x{g.c_in // g.groups}x"
            f"{g.kernel[0]}x{g.kernel[1]}, outputs {tile_h}x{tile_w}x{tile_cout})"
        )
    base = _direct(g, bias, dtype, name)
    bias_bytes = (g.c_out if bias else 0) * s
    return Cost(name=name, macs=base.macs, flops=base.flops,
                reads={DRAM: t.input_bytes + t.weight_bytes + bias_bytes}, writes=dict(base.writes),
                params=base.params, weight_bytes=base.weight_bytes, out_bytes=base.out_bytes,
                out_shape=base.out_shape, dtype=base.dtype)


@dataclass(frozen=True)
class TileChoice:
    """The tile :func:`conv2d_best_tile` picked.

    Attributes
    ----------
    tile_h, tile_w, tile_cout : int
    dram_bytes : float  DRAM bytes read + written by the tiled convolution [B]
    sram_bytes : float  SRAM the tile's three buffers need [B]
    n_tiles : int       tiles executed (batch × spatial × output-channel tiles)
    cost : Cost         :func:`conv2d_tiled` at this tile
    """

    tile_h: int
    tile_w: int
    tile_cout: int
    dram_bytes: float
    sram_bytes: float
    n_tiles: int
    cost: Cost


def conv2d_best_tile(
    c_in: int,
    c_out: int,
    h: int,
    w: int,
    kernel: int | tuple[int, int] = 3,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | None = None,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = False,
    batch: int = 1,
    dtype: str = "fp16",
    *,
    sram_bytes: float,
    acc_dtype: str | None = None,
) -> TileChoice:
    """The output tile of :func:`conv2d_tiled` with the least DRAM traffic that fits ``sram_bytes``.

    Every ``(T_h, T_w)`` in ``[1, H_out] × [1, W_out]`` is tried. Weight traffic depends on
    ``T_co`` only through whether it equals ``C_out``, so for each spatial tile two candidates
    suffice: ``T_co = C_out`` (weights resident) and the largest ``T_co`` that fits (registry
    ``conv_tile_cout_max``). Ties go to fewer tiles, then to larger ``T_co``.

    Raises
    ------
    ValueError
        If even a 1×1×1 tile does not fit ``sram_bytes``.
    """
    g = ConvGeometry.of(c_in, c_out, h, w, kernel, stride, padding, dilation, groups, batch)
    v.positive("sram_bytes", sram_bytes)
    s = elem_bytes(dtype)
    s_acc = s if acc_dtype is None else elem_bytes(acc_dtype)
    th = np.arange(1, g.h_out + 1)
    tw = np.arange(1, g.w_out + 1)
    ax_h = np.array([_axis_tiles(g, 0, int(t)) for t in th], dtype=float)  # (n, Σlines, max lines)
    ax_w = np.array([_axis_tiles(g, 1, int(t)) for t in tw], dtype=float)
    TH, TW = th[:, None], tw[None, :]
    kh, kw = g.kernel
    common = dict(C_in=g.c_in, K_h=kh, K_w=kw, G=g.groups, s=s)
    xh, xw = ax_h[:, 2][:, None], ax_w[:, 2][None, :]
    inp = conv_tiled_input_bytes(s=s, N=g.batch, C_in=g.c_in, R_h=ax_h[:, 1][:, None], R_w=ax_w[:, 1][None, :])
    n_spatial = ax_h[:, 0][:, None] * ax_w[:, 0][None, :]
    # Two candidates per spatial tile: all C_out (weights resident), or the largest T_co < C_out that fits.
    fit = conv_tile_cout_max(s_acc=s_acc, T_h=TH, T_w=TW, X_h=xh, X_w=xw, M_sram=sram_bytes, **common)
    tco = np.stack([np.full(inp.shape, float(g.c_out)), np.clip(fit, 0, g.c_out - 1)])
    sram = conv_tile_sram_bytes(s_acc=s_acc, T_h=TH, T_w=TW, T_co=np.maximum(tco, 1), X_h=xh, X_w=xw, **common)
    ok = (tco >= 1) & (sram <= sram_bytes)
    if not ok.any():
        raise ValueError(f"sram_bytes={sram_bytes!r} is too small for any tile of this convolution "
                         f"(a 1x1x1 output tile needs more)")
    wts = conv_tiled_weight_bytes(N=g.batch, C_out=g.c_out, H_out=g.h_out, W_out=g.w_out,
                                  T_h=TH, T_w=TW, T_co=np.maximum(tco, 1), **common)
    traffic = np.where(ok, inp + wts, np.inf)
    # least traffic, then fewest spatial tiles, then the largest T_co
    i = np.lexsort((-tco.ravel(), np.broadcast_to(n_spatial, tco.shape).ravel(), traffic.ravel()))[0]
    _, ih, iw = np.unravel_index(i, tco.shape)
    bh, bw, bco = int(ih) + 1, int(iw) + 1, int(tco.ravel()[i])
    cost = conv2d_tiled(c_in, c_out, h, w, kernel, stride, padding, dilation, groups, bias, batch, dtype,
                        sram_bytes=sram_bytes, tile_h=bh, tile_w=bw, tile_cout=bco, acc_dtype=acc_dtype,
                        name="conv2d_tiled")
    t = _tiling(g, s, s_acc, bh, bw, bco)
    return TileChoice(bh, bw, bco, float(cost.bytes), t.sram_bytes, t.n_tiles, cost)
