"""Attention cost models (Chapter 2 §2.3.3): standard attention and FlashAttention.

Only the attention core ``O = softmax(QKᵀ/√d)·V`` is modelled; the Q/K/V/O projections are
GEMMs (:func:`npucourse.ops.gemm`). Source: Dao et al., FlashAttention, arXiv 2205.14135.

* :func:`attention` follows the paper's Algorithm 0: Q and K are read, ``S = QKᵀ`` is written to
  HBM, read back for the softmax, ``P`` is written, read back with V for ``O = PV``, O is written.
* :func:`flash_attention` follows Algorithm 1: an outer loop over the T_c blocks of K and V, an
  inner loop over the blocks of Q that loads Q_i, O_i, ℓ_i, m_i and writes O_i, ℓ_i, m_i back.
* :func:`online_softmax` is a small numpy reference of the running-max/running-sum recurrence.

Counting conventions (operations per score entry, what a causal mask changes, grouped-query
attention, ℓ and m counted at the attention dtype) are stated once, in
``npucourse/formulas/defs/attention.py``; the formulas are registered there.

Grouped-query attention: the ``heads / kv_heads`` query heads that share a K/V head are processed
together (their rows stacked head after head), so each K/V head is read from DRAM once.
Causal mask: query i sees keys j ≤ i + (seq_kv − seq_q) (aligned bottom-right, so a single
decoding query sees the whole cache); requires ``seq_q <= seq_kv``. MACs and FLOPs count the
unmasked entries only. Standard attention still materialises the full N_q×N_kv matrices S and P;
FlashAttention skips the (i, j) block pairs that are entirely masked.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost, Num
from ..formulas._gen.attention import (
    attn_entries,
    attn_entries_causal,
    attn_macs,
    attn_softmax_ops,
    attn_standard_reads,
    attn_standard_writes,
    flash_block_cols,
    flash_block_rows,
    flash_kv_blocks,
    flash_reads,
    flash_row_visits,
    flash_softmax_ops,
    flash_writes,
    online_softmax_max,
    online_softmax_sum,
)
from ..units import KIB
from ._common import canonical, dims, elem_bytes

__all__ = ["attention", "flash_attention", "flash_block_sizes", "FlashBlocks", "online_softmax",
           "sram_elements", "kv_blocks", "A100_SRAM_PER_SM"]

#: On-chip SRAM per streaming multiprocessor that the FlashAttention paper assumes [B].
A100_SRAM_PER_SM = 192 * KIB
A100_SRAM_PER_SM_SOURCE = ("Dao et al., FlashAttention, arXiv 2205.14135, §2.1: A100 has 192 KB of "
                           "on-chip SRAM per each of 108 streaming multiprocessors")


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def _common_checks(seq_q: Num, seq_kv: Num, d_head: Num, heads: Num, batch: Num, causal: bool,
                   kv_heads: Num | None) -> Num:
    """Validate the shared arguments; return the number of K/V heads."""
    dims(seq_q=seq_q, seq_kv=seq_kv, d_head=d_head, heads=heads, batch=batch)
    _check_bool("causal", causal)
    if kv_heads is None:
        kv_heads = heads
    dims(kv_heads=kv_heads)
    sizes = dict(seq_q=seq_q, seq_kv=seq_kv, d_head=d_head, heads=heads, batch=batch, kv_heads=kv_heads)
    try:
        np.broadcast_shapes(*(np.shape(x) for x in sizes.values()))
    except ValueError:
        shapes = ", ".join(f"{k}: {np.shape(x)}" for k, x in sizes.items())
        raise ValueError(f"array sizes must broadcast together, got shapes {shapes}") from None
    if np.any(np.asarray(heads) % np.asarray(kv_heads) != 0):
        raise ValueError(f"kv_heads={kv_heads!r} must divide heads={heads!r} (grouped-query attention)")
    if causal and np.any(np.asarray(seq_q) > np.asarray(seq_kv)):
        raise ValueError(f"a causal mask needs seq_q <= seq_kv, got seq_q={seq_q!r}, seq_kv={seq_kv!r}")
    return kv_heads


def _shape(batch: Num, heads: Num, seq_q: Num, d_head: Num) -> tuple[int, ...] | None:
    if all(np.ndim(x) == 0 for x in (batch, heads, seq_q, d_head)):
        return (int(batch), int(heads), int(seq_q), int(d_head))
    return None


def _entries(seq_q: Num, seq_kv: Num, heads: Num, causal: bool) -> Num:
    f = attn_entries_causal if causal else attn_entries
    return 1.0 * f(N_q=seq_q, N_kv=seq_kv, H=heads)


def attention(seq_q: Num, seq_kv: Num, d_head: Num, heads: Num = 1, batch: Num = 1, dtype: str = "fp16",
              causal: bool = False, kv_heads: Num | None = None, name: str = "attention") -> Cost:
    """Cost of standard attention with the score matrix materialised in DRAM (Algorithm 0).

    Parameters
    ----------
    seq_q, seq_kv : int or array of int
        Query and key/value sequence lengths N_q, N_kv (>= 1).
    d_head : int or array of int
        Head dimension d.
    heads : int
        Query heads H.
    batch : int
        Batch size; every count is multiplied by it.
    dtype : str
        Element type of Q, K, V, S, P and O.
    causal : bool
        Causal mask (needs ``seq_q <= seq_kv``): MACs and softmax count the
        ``N_q(N_kv − N_q) + N_q(N_q + 1)/2`` unmasked entries per head; S and P stay full-size.
    kv_heads : int, optional
        K/V heads H_kv for grouped-query attention (must divide ``heads``; default ``heads``).
    name : str

    Returns
    -------
    Cost
        ``macs = 2·E·d`` (QKᵀ and PV), ``flops = 2·macs + 6·E`` (scale, max, subtract, exp, sum,
        divide per entry), with E the computed score entries (``attn_entries``);
        DRAM reads ``s·(H(N_q·d + 2·N_q·N_kv) + 2·H_kv·N_kv·d)`` (Q, S, P, K, V) and writes
        ``s·H(2·N_q·N_kv + N_q·d)`` (S, P, O), each times ``batch``.

    Examples
    --------
    >>> c = attention(1024, 1024, 64, heads=1, dtype="fp16")
    >>> c.macs == 2 * 1024 * 1024 * 64
    True
    >>> c.bytes == 2 * (4 * 1024 * 64 + 4 * 1024 * 1024)   # Θ(Nd + N²) with constants 4 and 4
    True
    """
    kv_heads = _common_checks(seq_q, seq_kv, d_head, heads, batch, causal, kv_heads)
    s = elem_bytes(dtype)
    e = _entries(seq_q, seq_kv, heads, causal)
    macs = batch * attn_macs(E=e, d=d_head)
    shape = dict(N_q=seq_q, N_kv=seq_kv, d=d_head, H=heads, s=s)
    out_bytes = 1.0 * batch * heads * seq_q * d_head * s
    return Cost(
        name=name,
        macs=1.0 * macs,
        flops=1.0 * (2 * macs + batch * attn_softmax_ops(E=e)),
        reads={DRAM: 1.0 * batch * attn_standard_reads(H_kv=kv_heads, **shape)},
        writes={DRAM: 1.0 * batch * attn_standard_writes(**shape)},
        out_bytes=out_bytes,
        out_shape=_shape(batch, heads, seq_q, d_head),
        dtype=canonical(dtype),
    )


class FlashBlocks(NamedTuple):
    """FlashAttention block sizes: ``B_r`` rows of Q per block, ``B_c`` rows of K and V per block."""

    B_r: Num
    B_c: Num


def sram_elements(sram_bytes: Num, dtype: str) -> Num:
    """SRAM size in elements, ``M = floor(sram_bytes / sizeof(dtype))`` (the paper's M)."""
    v.positive("sram_bytes", sram_bytes)
    m = np.floor(np.asarray(sram_bytes, dtype=float) / elem_bytes(dtype))
    return float(m) if m.ndim == 0 else m


def flash_block_sizes(sram_bytes: Num, d_head: Num, dtype: str = "fp16") -> FlashBlocks:
    """Block sizes of FlashAttention, Algorithm 1 line 1: ``B_c = ⌈M/4d⌉``, ``B_r = min(⌈M/4d⌉, d)``.

    ``M = floor(sram_bytes / sizeof(dtype))`` is the SRAM size in elements.

    Raises
    ------
    ValueError
        If ``M < 4d``: the SRAM cannot hold one row each of Q_i, K_j, V_j and O_i. (The paper's
        sizes budget about M/4 for each of K_j, V_j and Q_i, O_i together; with S_ij, P_ij, ℓ and
        m the working set exceeds M by up to ~25% — the paper's Θ-level argument ignores that.)

    Examples
    --------
    >>> flash_block_sizes(96 * 1024, 64, "fp16")   # M = 49152: B_c = ceil(49152/256) = 192
    FlashBlocks(B_r=64, B_c=192)
    """
    dims(d_head=d_head)
    m = sram_elements(sram_bytes, dtype)
    if np.any(m < 4 * np.asarray(d_head)):
        raise ValueError(
            f"sram_bytes={sram_bytes!r} holds M={m!r} {canonical(dtype)} elements; FlashAttention needs "
            f"M >= 4*d_head = {4 * np.asarray(d_head)!r} (one row each of Q_i, K_j, V_j, O_i)")
    bc, br = flash_block_cols(M=m, d=d_head), flash_block_rows(M=m, d=d_head)
    if np.ndim(bc) == 0 and np.ndim(br) == 0:
        return FlashBlocks(int(br), int(bc))
    return FlashBlocks(np.asarray(br) * 1.0, np.asarray(bc) * 1.0)


def _causal_visits_one(nq: int, nkv: int, group: int, br: int, bc: int) -> float:
    """Row visits of one K/V head under a causal mask: Σ over Q blocks of rows × needed K/V blocks.

    Rows of the ``group`` query heads are stacked head after head; row r is position r mod N_q.
    Block j (keys from j·B_c) is needed by Q block i when its first key is visible to the block's
    latest position: j·B_c <= maxpos_i + (N_kv − N_q).
    """
    nr = group * nq
    tc = -(-nkv // bc)
    start = np.arange(0, nr, br, dtype=np.int64)
    end = np.minimum(start + br, nr) - 1
    spans_heads = (end // nq) > (start // nq)
    maxpos = np.where(spans_heads, nq - 1, end % nq)
    needed = np.minimum(tc, (maxpos + (nkv - nq)) // bc + 1)
    return float(np.sum((end - start + 1) * needed))


_causal_visits = np.vectorize(_causal_visits_one, otypes=[float])


def flash_attention(seq_q: Num, seq_kv: Num, d_head: Num, heads: Num = 1, batch: Num = 1, dtype: str = "fp16",
                    sram_bytes: Num = A100_SRAM_PER_SM, causal: bool = False, kv_heads: Num | None = None,
                    name: str = "flash_attention") -> Cost:
    """Cost of FlashAttention (Algorithm 1), HBM traffic counted from its loop structure.

    Parameters
    ----------
    seq_q, seq_kv, d_head, heads, batch, dtype, causal, kv_heads, name
        As in :func:`attention`.
    sram_bytes : float
        On-chip SRAM available to one thread block [B]; default 192 KiB, one A100 SM as in the
        paper (:data:`A100_SRAM_PER_SM`). ``M = floor(sram_bytes / sizeof(dtype))`` elements.

    Returns
    -------
    Cost
        Same MACs as :func:`attention`; ``flops = 2·macs + 5·E + (4d + 9)·n_v``
        (``flash_softmax_ops``), where n_v counts the visits of a query row to a K/V block
        (``H·N_q·T_c`` without a mask, ``T_c = ⌈N_kv/B_c⌉``).
        DRAM reads ``s·(2·H_kv·N_kv·d + (2d + 2)·n_v)``: K_j, V_j once, then Q_i, O_i, ℓ_i, m_i
        at every visit; writes ``s·(d + 2)·(H·N_q + n_v)``: O, ℓ, m initialised, then O_i, ℓ_i,
        m_i after every visit. Each times ``batch``.

    Examples
    --------
    >>> c = flash_attention(4096, 4096, 64, dtype="fp16", sram_bytes=96 * 1024)
    >>> int(c.bytes)  # 2 B × (2·4096·64 + 22·4096·(3·64 + 4) + 4096·(64 + 2)), T_c = ceil(4096/192) = 22
    36913152
    """
    kv_heads = _common_checks(seq_q, seq_kv, d_head, heads, batch, causal, kv_heads)
    s = elem_bytes(dtype)
    br, bc = flash_block_sizes(sram_bytes, d_head, dtype)
    m = sram_elements(sram_bytes, dtype)
    e = _entries(seq_q, seq_kv, heads, causal)
    if causal:
        group = np.asarray(heads) // np.asarray(kv_heads)
        nv = kv_heads * _causal_visits(seq_q, seq_kv, group, br, bc)
    else:
        nv = flash_row_visits(N_q=seq_q, N_kv=seq_kv, d=d_head, H=heads, M=m)
    macs = batch * attn_macs(E=e, d=d_head)
    out_bytes = 1.0 * batch * heads * seq_q * d_head * s
    return Cost(
        name=name,
        macs=1.0 * macs,
        flops=1.0 * (2 * macs + batch * flash_softmax_ops(E=e, n_v=nv, d=d_head)),
        reads={DRAM: 1.0 * batch * flash_reads(N_kv=seq_kv, d=d_head, H_kv=kv_heads, n_v=nv, s=s)},
        writes={DRAM: 1.0 * batch * flash_writes(N_q=seq_q, d=d_head, H=heads, n_v=nv, s=s)},
        out_bytes=out_bytes,
        out_shape=_shape(batch, heads, seq_q, d_head),
        dtype=canonical(dtype),
    )


def kv_blocks(seq_kv: Num, d_head: Num, sram_bytes: Num, dtype: str = "fp16") -> Num:
    """Number of K/V blocks ``T_c = ⌈N_kv / B_c⌉`` (= passes over Q and O in Algorithm 1)."""
    dims(seq_kv=seq_kv)
    flash_block_sizes(sram_bytes, d_head, dtype)  # validates
    return flash_kv_blocks(N_kv=seq_kv, d=d_head, M=sram_elements(sram_bytes, dtype))


def online_softmax(x: np.ndarray, block: int) -> np.ndarray:
    """Softmax along the last axis, computed block by block with the online recurrence.

    For each block of ``block`` values: ``m_new = max(m, m̃)``,
    ``ℓ_new = e^{m − m_new}·ℓ + e^{m̃ − m_new}·ℓ̃`` (formulas ``online_softmax_max``,
    ``online_softmax_sum``; FlashAttention Algorithm 1 line 11), starting from m = −∞, ℓ = 0;
    finally ``exp(x − m)/ℓ``. Equals ``exp(x − max x) / Σ exp(x − max x)``.

    Raises
    ------
    ValueError
        If ``x`` is empty or not finite, or ``block`` is not a whole number >= 1.
    """
    v.positive_int("block", block)
    a = np.asarray(x, dtype=float)
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ValueError(f"x must have at least one element along its last axis, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("x must be finite (no NaN or inf)")
    block = int(block)
    m = np.full(a.shape[:-1], -np.inf)
    ell = np.zeros(a.shape[:-1])
    for j in range(0, a.shape[-1], block):
        xb = a[..., j:j + block]
        mb = xb.max(axis=-1)
        lb = np.exp(xb - mb[..., None]).sum(axis=-1)
        ell = online_softmax_sum(m_old=m, m_blk=mb, l_old=ell, l_blk=lb)
        m = online_softmax_max(m_old=m, m_blk=mb)
    return np.exp(a - m[..., None]) / ell[..., None]
