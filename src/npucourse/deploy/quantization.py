"""Uniform quantization: parameters, calibration and error (Chapter 21 §21.1.2–21.1.4).

Parameters follow PyTorch's observers (``torch/ao/quantization/observer.py::_calculate_qparams``;
registry ``quant_scale_affine``, ``quant_zero_point_affine``, ``quant_scale_symmetric``):

* ``symmetric=False`` — affine, unsigned codes ``[0, 2^b − 1]`` (PyTorch's default ``quint8``);
* ``symmetric=True`` — signed codes ``[−2^(b−1), 2^(b−1) − 1]``, zero point 0 (``qint8``),
  ``scale = amax / ((q_max − q_min)/2)`` (= amax/127.5 for 8 bits, as PyTorch).

The range ``[x_min, x_max]`` that goes into these formulas comes from a calibration method:

* ``"minmax"`` — the observed extremes;
* ``"percentile"`` — the ``percentile``-th percentile of |x| (symmetric), or the
  (100 − p)-th and p-th percentiles of x (affine);
* ``"mse"`` — the range scaled by α ∈ (0, 1], α searched on a grid to minimise the mean squared
  fake-quantization error on the data;
* ``"kl"`` — TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT", GTC 2017),
  as NVIDIA's pytorch-quantization implements it (``calib/histogram.py::_compute_amax_entropy``):
  a 2048-bin histogram of |x| on [0, max|x|]; for every candidate threshold bin i = 128 ... 2048,
  the first i bins (the tail folded into bin i−1) are the reference P, the same bins merged into
  128 levels (2^(b−1), or 2^b for unsigned data) and spread back evenly over their non-empty bins
  are Q; the threshold with the smallest KL(P‖Q) wins (the last one on ties). See
  :func:`entropy_amax`.

Quantize / dequantize: registry ``quantize_affine`` (round half to even, clamp) and
``dequantize_affine``. Inside ``[clip_min, clip_max]`` the error is at most ``scale/2``
(``quant_rounding_bound``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as v
from ..formulas._gen.deploy_quantization import (
    dequantize_affine,
    kl_term,
    quant_clip_max,
    quant_clip_min,
    quant_rounding_bound,
    quant_scale_affine,
    quant_scale_symmetric,
    quant_zero_point_affine,
    quantize_affine,
    rel_l2_error,
    sqnr_db,
)

__all__ = ["QuantParams", "METHODS", "quant_params", "quantize", "dequantize", "fake_quant", "entropy_amax",
           "QuantError", "quant_error", "relative_error", "code_range", "FLOAT32_EPS"]

METHODS = ("minmax", "percentile", "mse", "kl")
#: PyTorch observers floor the scale at float32 machine epsilon (torch.finfo(torch.float32).eps).
FLOAT32_EPS = float(np.finfo(np.float32).eps)


@dataclass(frozen=True)
class QuantParams:
    """Quantization parameters of a tensor (per tensor, or per channel along ``axis``).

    Attributes
    ----------
    scale : float or ndarray (C,)
    zero_point : int or ndarray (C,) of int
    qmin, qmax : integer code range
    clip_min, clip_max : float or ndarray — real values of ``qmin`` and ``qmax``; inputs outside
        saturate (registry ``quant_clip_min``/``quant_clip_max``)
    bits : int
    symmetric : bool
    axis : int or None — channel axis of per-channel parameters
    method : calibration method used
    """

    scale: Any
    zero_point: Any
    qmin: int
    qmax: int
    clip_min: Any
    clip_max: Any
    bits: int
    symmetric: bool
    axis: int | None
    method: str

    @property
    def error_bound(self) -> Any:
        """Largest rounding error inside the clipping range: ``scale/2``."""
        return quant_rounding_bound(s=self.scale)

    def _shaped(self, a: Any, ndim: int) -> Any:
        if self.axis is None:
            return a
        shape = [1] * ndim
        shape[self.axis] = -1
        return np.asarray(a).reshape(shape)


def code_range(bits: int, symmetric: bool) -> tuple[int, int]:
    """Integer code range: signed ``[−2^(b−1), 2^(b−1)−1]`` if symmetric, else ``[0, 2^b−1]``."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be a whole number in [2, 16], got {bits!r}")
    if symmetric:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def _data(x: Any) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x must be an array of numbers, got {type(x).__name__}") from None
    if a.size == 0:
        raise ValueError("x must not be empty")
    if not np.all(np.isfinite(a)):
        raise ValueError("x must be finite (no NaN or inf)")
    return a


def _rows(a: np.ndarray, axis: int | None) -> tuple[np.ndarray, int | None]:
    """(C, rest) view with the channel axis first; C = 1 for per-tensor."""
    if axis is None:
        return a.reshape(1, -1), None
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis must be None or an int in [{-a.ndim}, {a.ndim - 1}] for shape {a.shape}, got {axis!r}")
    ax = int(axis) % a.ndim
    return np.moveaxis(a, ax, 0).reshape(a.shape[ax], -1), ax


def _params_from_range(lo: np.ndarray, hi: np.ndarray, qmin: int, qmax: int, symmetric: bool,
                       eps: float) -> tuple[np.ndarray, np.ndarray]:
    if symmetric:
        scale = quant_scale_symmetric(x_min=lo, x_max=hi, q_min=qmin, q_max=qmax, epsilon=eps)
        zp = np.zeros_like(scale)
    else:
        scale = quant_scale_affine(x_min=lo, x_max=hi, q_min=qmin, q_max=qmax, epsilon=eps)
        zp = quant_zero_point_affine(x_min=lo, q_min=qmin, q_max=qmax, s=scale)
    return np.asarray(scale, dtype=float), np.asarray(zp, dtype=float)


def _fake(row: np.ndarray, scale: Any, zp: Any, qmin: int, qmax: int) -> np.ndarray:
    q = quantize_affine(x=row, s=scale, z=zp, q_min=qmin, q_max=qmax)
    return dequantize_affine(q=q, s=scale, z=zp)


def entropy_amax(hist: Any, bin_edges: Any, bits: int = 8, unsigned: bool = False, start_bin: int = 128,
                 stride: int = 1) -> float:
    """TensorRT entropy (KL) calibration threshold from a histogram of |x|.

    Follows NVIDIA pytorch-quantization ``calib/histogram.py::_compute_amax_entropy``:

    1. the first bin's count is replaced by the second's (it holds the many exact zeros);
    2. for every i = start_bin, start_bin + stride, ..., len(hist): P = the first i bins with the
       count of all later bins added to bin i−1; Q = those i bins merged into
       ``2^(bits−1+unsigned)`` equal groups (``digitize`` on ``linspace(0, i, levels+1)``), each
       group's total spread evenly over its non-empty bins (empty bins stay empty);
    3. KL(P‖Q) after normalising both (registry ``kl_term``; infinite where P > 0 and Q = 0);
    4. the threshold is ``bin_edges[i]`` of the smallest divergence, the largest i on ties.

    Parameters
    ----------
    hist : counts, length n >= start_bin
    bin_edges : n + 1 increasing edges (starting at 0 for |x|)
    bits : quantization bits (>= 2)
    unsigned : True for non-negative data (one more bit of levels)
    start_bin : first candidate threshold bin (128 in TensorRT)
    stride : candidate step

    Returns
    -------
    float
        The clipping threshold amax.
    """
    h = np.asarray(hist, dtype=float).copy()
    e = np.asarray(bin_edges, dtype=float)
    if h.ndim != 1 or e.shape != (h.size + 1,):
        raise ValueError(f"bin_edges must have len(hist) + 1 entries, got {e.shape} for hist of {h.shape}")
    if np.any(h < 0) or not np.all(np.isfinite(h)) or h.sum() <= 0:
        raise ValueError("hist must be finite, non-negative and not all zero")
    code_range(bits, False)
    v.positive_int("start_bin", start_bin)
    v.positive_int("stride", stride)
    if h.size < start_bin:
        raise ValueError(f"hist must have at least start_bin={start_bin} bins, got {h.size}")
    if h.size >= 2:
        h[0] = h[1]
    levels = 1 << (int(bits) - 1 + int(bool(unsigned)))
    tail = np.concatenate([np.cumsum(h[::-1])[::-1], [0.0]])  # tail[i] = sum(h[i:])
    candidates = np.arange(start_bin, h.size + 1, stride)
    div = np.empty(candidates.size)
    for k, i in enumerate(candidates):
        ref = h[:i].copy()
        ref[-1] += tail[i]
        level = np.digitize(np.arange(i), np.linspace(0, i, levels + 1)) - 1
        nz = h[:i] != 0
        counts = np.bincount(level[nz], weights=h[:i][nz], minlength=levels)
        members = np.bincount(level[nz], minlength=levels)
        cand = np.zeros(i)
        cand[nz] = counts[level[nz]] / members[level[nz]]
        p = ref / ref.sum()
        qd = cand / cand.sum() if cand.sum() > 0 else cand
        m = p > 0
        if np.any(qd[m] == 0):
            div[k] = np.inf
        else:
            div[k] = float(np.sum(kl_term(p=p[m], q_p=qd[m])))
    best = len(div) - 1 - int(np.argmin(div[::-1]))
    return float(e[candidates[best]])


def _range_kl(row: np.ndarray, bits: int, symmetric: bool, num_bins: int, start_bin: int) -> tuple[float, float]:
    lo, hi = float(row.min()), float(row.max())
    amax_data = float(np.max(np.abs(row)))
    if amax_data == 0:
        return 0.0, 0.0
    hist, edges = np.histogram(np.abs(row), bins=num_bins, range=(0.0, amax_data))
    unsigned = (not symmetric) and lo >= 0
    amax = entropy_amax(hist, edges, bits=bits, unsigned=unsigned, start_bin=start_bin)
    if symmetric:
        return -amax, amax
    return max(lo, -amax), min(hi, amax)


def quant_params(x: Any, bits: int = 8, symmetric: bool = False, axis: int | None = None, method: str = "minmax",
                 percentile: float = 99.99, num_bins: int = 2048, start_bin: int = 128, n_grid: int = 100,
                 eps: float = FLOAT32_EPS) -> QuantParams:
    """Quantization parameters of ``x``.

    Parameters
    ----------
    x : array (non-empty, finite)
    bits : 2 ... 16
    symmetric : signed codes and zero point 0 (True) or affine unsigned codes (False)
    axis : None (per tensor) or the channel axis (per channel, e.g. 0 for conv weights)
    method : "minmax", "percentile", "mse" or "kl" (see the module docstring)
    percentile : for "percentile", in (0, 100]
    num_bins, start_bin : histogram size and first candidate for "kl" (TensorRT: 2048, 128)
    n_grid : candidates α = 1/n_grid ... 1 for "mse"
    eps : smallest scale

    Returns
    -------
    QuantParams
        Scalars per tensor; arrays of length C per channel.

    Examples
    --------
    >>> p = quant_params([-1.0, 0.5, 2.0])        # affine uint8: scale 3/255, zero point 85
    >>> round(p.scale * 255, 12), p.zero_point
    (3.0, 85)
    """
    a = _data(x)
    qmin, qmax = code_range(bits, symmetric)
    v.choice("method", method, METHODS)
    v.positive("eps", eps)
    rows, ax = _rows(a, axis)
    if method == "percentile":
        v.positive("percentile", percentile)
        if percentile > 100:
            raise ValueError(f"percentile must lie in (0, 100], got {percentile!r}")
    if method == "kl":
        v.positive_int("num_bins", num_bins)
        v.positive_int("start_bin", start_bin)
        if num_bins < start_bin:
            raise ValueError(f"num_bins={num_bins} must be >= start_bin={start_bin}")
    if method == "mse":
        v.positive_int("n_grid", n_grid)

    lo, hi = rows.min(axis=1), rows.max(axis=1)
    if method == "percentile":
        if symmetric:
            amax = np.percentile(np.abs(rows), percentile, axis=1)
            lo, hi = -amax, amax
        else:
            lo = np.percentile(rows, 100 - percentile, axis=1)
            hi = np.percentile(rows, percentile, axis=1)
    elif method == "kl":
        pairs = [_range_kl(r, bits, symmetric, int(num_bins), int(start_bin)) for r in rows]
        lo, hi = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    elif method == "mse":
        alphas = np.arange(1, int(n_grid) + 1) / int(n_grid)
        best = np.ones(rows.shape[0])
        for c, r in enumerate(rows):
            s, z = _params_from_range(alphas * lo[c], alphas * hi[c], qmin, qmax, symmetric, eps)
            err = [np.mean((_fake(r, s[k], z[k], qmin, qmax) - r) ** 2) for k in range(alphas.size)]
            best[c] = alphas[int(np.argmin(err))]
        lo, hi = best * lo, best * hi
    scale, zp = _params_from_range(lo, hi, qmin, qmax, symmetric, eps)
    cmin = quant_clip_min(q_min=qmin, s=scale, z=zp)
    cmax = quant_clip_max(q_max=qmax, s=scale, z=zp)

    def out(arr: Any, integer: bool = False) -> Any:
        arr = np.asarray(arr)
        if ax is None:
            return int(arr[0]) if integer else float(arr[0])
        return arr.astype(np.int64) if integer else arr.astype(float)

    return QuantParams(scale=out(scale), zero_point=out(zp, True), qmin=qmin, qmax=qmax, clip_min=out(cmin),
                       clip_max=out(cmax), bits=int(bits), symmetric=bool(symmetric), axis=ax, method=method)


def _check_axis(a: np.ndarray, qp: QuantParams) -> None:
    if not isinstance(qp, QuantParams):
        raise ValueError(f"qp must be a QuantParams record, got {type(qp).__name__}")
    if qp.axis is not None:
        n = np.asarray(qp.scale).size
        if a.ndim <= qp.axis or a.shape[qp.axis] != n:
            raise ValueError(f"per-channel parameters along axis {qp.axis} have {n} channels; "
                             f"array of shape {a.shape} does not match")


def quantize(x: Any, qp: QuantParams) -> np.ndarray:
    """Integer codes ``clamp(round(x/scale) + z, qmin, qmax)`` (int64 array; ties to even)."""
    a = _data(x)
    _check_axis(a, qp)
    q = quantize_affine(x=a, s=qp._shaped(qp.scale, a.ndim), z=qp._shaped(qp.zero_point, a.ndim),
                        q_min=qp.qmin, q_max=qp.qmax)
    return np.asarray(q).astype(np.int64)


def dequantize(q: Any, qp: QuantParams) -> np.ndarray:
    """Real values ``(q − z)·scale``."""
    a = np.asarray(q)
    if a.size == 0:
        raise ValueError("q must not be empty")
    if not np.all(np.isfinite(a.astype(float))) or np.any(a != np.round(a)):
        raise ValueError("q must hold integer codes")
    _check_axis(a, qp)
    if np.any(a < qp.qmin) or np.any(a > qp.qmax):
        raise ValueError(f"q must lie in [{qp.qmin}, {qp.qmax}]")
    return np.asarray(dequantize_affine(q=a.astype(float), s=qp._shaped(qp.scale, a.ndim),
                                        z=qp._shaped(qp.zero_point, a.ndim)), dtype=float)


def fake_quant(x: Any, qp: QuantParams) -> np.ndarray:
    """``dequantize(quantize(x))``: x as the quantized model sees it."""
    return dequantize(quantize(x, qp), qp)


@dataclass(frozen=True)
class QuantError:
    """Error of an approximation ``y`` of a reference ``x``.

    Attributes
    ----------
    mse : mean of (x − y)²
    sqnr_db : 10·log10(Σx² / Σ(x − y)²) (inf when y == x)
    max_abs : max |x − y|
    rel_l2 : ‖x − y‖₂ / ‖x‖₂ (the draft's per-layer ε; registry ``rel_l2_error``)
    """

    mse: float
    sqnr_db: float
    max_abs: float
    rel_l2: float


def quant_error(x: Any, y: Any) -> QuantError:
    """Error metrics of ``y`` (e.g. ``fake_quant(x, qp)``) against the reference ``x``.

    Raises ValueError for different shapes, an empty or all-zero reference.
    """
    a, b = _data(x), _data(y)
    if a.shape != b.shape:
        raise ValueError(f"x and y must have the same shape, got {a.shape} and {b.shape}")
    px, pe = float(np.sum(a * a)), float(np.sum((a - b) ** 2))
    if px == 0:
        raise ValueError("the reference x is all zeros: relative error and SQNR are undefined")
    return QuantError(
        mse=pe / a.size,
        sqnr_db=float("inf") if pe == 0 else float(sqnr_db(P_x=px, P_e=pe)),
        max_abs=float(np.max(np.abs(a - b))),
        rel_l2=float(rel_l2_error(P_x=px, P_e=pe)),
    )


def relative_error(reference: Any, approx: Any) -> float:
    """The draft's per-layer error ``‖Y_ref − Y‖₂ / ‖Y_ref‖₂`` (§21.1.2)."""
    return quant_error(reference, approx).rel_l2
