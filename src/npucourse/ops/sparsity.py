"""2:4 structured sparsity (Chapter 2 §2.3.4, exercise 2.6).

Two of every four weights are kept. The kept values are stored compressed with a 2-bit index per
kept value (metadata), and sparse tensor cores do the remaining MACs at twice the dense rate
(Mishra et al., arXiv 2104.08378). For fp16 the metadata is 2 bits per 16-bit kept value (1/8 on
top of the kept values; compressed weights = 9/16 of dense); for int8 it is 2/8 (5/8 of dense).

Only the weights shrink: activations and outputs move as before. Formulas ``sparse_weight_ratio``,
``sparse_dram_bytes``, ``sparse_time``, ``sparse_speedup`` and the speed-up regions are derived in
``npucourse/formulas/defs/sparsity.py``.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost, Num
from ..formulas._gen.sparsity import sparse_dram_bytes, sparse_weight_ratio as _ratio
from ..hardware import Hardware
from ..units import dtype as _dtype
from .gemm import gemm

__all__ = ["sparse_2to4", "speedup_2to4", "weight_ratio", "METADATA_BITS"]

#: Metadata bits stored per kept value of a 2:4 group (index of its position among the four).
METADATA_BITS = 2.0
METADATA_BITS_SOURCE = ("Mishra et al., Accelerating Sparse Deep Neural Networks, arXiv 2104.08378: "
                        "2:4 compressed format stores a 2-bit index per non-zero value")


def weight_ratio(dtype: str, metadata_bits: float = METADATA_BITS) -> float:
    """Compressed over dense weight bytes, ``r = (b + b_m)/(2b)`` (fp16: 9/16, int8: 5/8)."""
    v.nonnegative("metadata_bits", metadata_bits)
    return float(_ratio(b=_dtype(dtype).bits, b_m=metadata_bits))


def sparse_2to4(dense: Cost | tuple[Num, Num, Num], dtype: str | None = None, *, sparse_math: bool = True,
                metadata_bits: float = METADATA_BITS, name: str | None = None) -> Cost:
    """Cost of an operator whose weights are pruned 2:4 and stored compressed.

    Parameters
    ----------
    dense : Cost or (M, N, K)
        The dense operator (its ``weight_bytes`` must be part of its DRAM reads, as for
        :func:`~npucourse.ops.gemm` and :func:`~npucourse.ops.conv2d`), or GEMM sizes for
        ``gemm(M, N, K, dtype)`` with B as the weights.
    dtype : str, optional
        Element type for GEMM sizes (default fp16); for a Cost, must match ``dense.dtype`` if given.
    sparse_math : bool
        True for hardware with sparse tensor cores: half the MACs are executed (at the dense
        peak this is the 2x math throughput). False: only the weight traffic shrinks.
    metadata_bits : float
        Index bits per kept value (2 for 2:4).
    name : str, optional
        Defaults to ``dense.name + "@2:4"``.

    Returns
    -------
    Cost
        ``macs = macs/2`` and ``flops = flops − macs`` (two FLOPs per removed MAC; the non-MAC
        operations stay);
        ``params = params/2`` (kept values); ``weight_bytes = r·weight_bytes`` with
        ``r = (b + b_m)/(2b)``; DRAM reads ``Q_read − Q_w(1 − r)`` (``sparse_dram_bytes``);
        writes, other memory levels and the output unchanged.

    Raises
    ------
    ValueError
        If the dense cost has no parameters, no dtype, or weight bytes exceeding its DRAM reads.
    """
    if isinstance(dense, tuple):
        if len(dense) != 3:
            raise ValueError(f"dense must be a Cost or GEMM sizes (M, N, K), got {dense!r}")
        dense = gemm(*dense, dtype=dtype or "fp16", name="gemm")
    elif not isinstance(dense, Cost):
        raise ValueError(f"dense must be a Cost or GEMM sizes (M, N, K), got {type(dense).__name__}")
    if not isinstance(sparse_math, (bool, np.bool_)):
        raise ValueError(f"sparse_math must be True or False, got {sparse_math!r}")
    if dense.dtype is None:
        raise ValueError(f"dense cost {dense.name!r} has no single dtype; 2:4 needs the weight element size")
    if dtype is not None and _dtype(dtype).name != dense.dtype:
        raise ValueError(f"dtype={dtype!r} does not match dense.dtype={dense.dtype!r}")
    if np.any(np.asarray(dense.params) <= 0):
        raise ValueError(f"dense cost {dense.name!r} has params={dense.params!r}: 2:4 sparsity prunes weights")
    reads = dict(dense.reads)
    dram_reads = np.asarray(reads.get(DRAM, 0.0), dtype=float)
    if np.any(np.asarray(dense.weight_bytes) > dram_reads):
        raise ValueError(f"dense cost {dense.name!r}: weight_bytes exceed its DRAM reads; weights must be read "
                         "from DRAM for compression to save traffic")
    r = weight_ratio(dense.dtype, metadata_bits)
    bits = _dtype(dense.dtype).bits
    reads[DRAM] = 1.0 * sparse_dram_bytes(Q=dram_reads, Q_w=dense.weight_bytes, b=bits, b_m=metadata_bits)
    half = 0.5 * np.asarray(dense.macs, dtype=float) if sparse_math else 0.0
    macs, flops = dense.macs - half, dense.flops - 2 * half
    return Cost(
        name=name or f"{dense.name}@2:4",
        macs=_plain(macs),
        flops=_plain(flops),
        reads=reads,
        writes=dict(dense.writes),
        params=_plain(0.5 * np.asarray(dense.params, dtype=float)),
        weight_bytes=_plain(r * np.asarray(dense.weight_bytes, dtype=float)),
        out_bytes=dense.out_bytes,
        out_shape=dense.out_shape,
        dtype=dense.dtype,
    )


def _plain(x: Num) -> Num:
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a


def speedup_2to4(dense: Cost | tuple[Num, Num, Num], hw: Hardware, dtype: str | None = None, *,
                 levels: str = "dram", sparse_math: bool = True) -> Num:
    """Roofline speed-up ``T_dense / T_2:4`` of pruning ``dense`` 2:4 on ``hw``.

    Equals the registry formula ``sparse_speedup = max(1, I/R) / max(q, I/(2R))`` for a one-level
    (``levels="dram"``) analysis; lies in [1, 2].
    """
    from ..roofline import analyze

    if isinstance(dense, tuple):
        dense = gemm(*dense, dtype=dtype or "fp16", name="gemm")
        dtype = None
    sparse = sparse_2to4(dense, dtype, sparse_math=sparse_math)
    t_dense = analyze(dense, hw, levels=levels).time_s
    t_sparse = analyze(sparse, hw, levels=levels).time_s
    return _plain(np.asarray(t_dense) / np.asarray(t_sparse))
