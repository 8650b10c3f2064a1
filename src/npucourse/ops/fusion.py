"""Operator fusion (Chapter 2 §2.3.5): what fusing operators saves in DRAM traffic.

- :func:`fuse_vertical` — a producer–consumer chain run as one kernel: each intermediate stays
  on chip, so the producer's DRAM write and the consumer's DRAM read of it disappear (registry
  ``fusion_link_saved_bytes``). Work, parameters and weight traffic are unchanged.
- :func:`fuse_horizontal` — operators that read the same input run as one kernel (e.g. the Q, K
  and V projections of the same X): the shared input is read once instead of n times (registry
  ``horizontal_fusion_saved_bytes``).

Assumptions: a fused kernel processes the chain tile by tile, and each tile of an intermediate
is consumed while on chip — exact for point-wise consumers (BN, activations, adds), and for
spatial consumers it assumes line buffers rather than recomputation. On-chip capacity is not
checked here.

BatchNorm folding (``w' = w·γ/√(σ²+ε)``, ``b' = (b−μ)·γ/√(σ²+ε) + β``) is registered as
``bn_fold_weight`` and ``bn_fold_bias``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping, Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.fusion import fusion_link_saved_bytes, horizontal_fusion_saved_bytes
from ._common import dims

__all__ = ["fuse_vertical", "fuse_horizontal", "FusionResult", "activation_reads", "BlockFusion",
           "transformer_block_ops", "transformer_block_fusion"]


@dataclass(frozen=True)
class FusionResult:
    """A fused kernel next to the operators it replaces.

    Attributes
    ----------
    fused : Cost        the fused kernel
    unfused : Cost      the sum of the separate operators
    saved_bytes : float DRAM bytes saved (``unfused.bytes − fused.bytes``) [B]
    saved_fraction : float  ``saved_bytes / unfused.bytes``
    """

    fused: Cost
    unfused: Cost
    saved_bytes: float
    saved_fraction: float


def activation_reads(c: Cost) -> float:
    """DRAM bytes ``c`` reads that are not its parameters: ``reads[dram] − weight_bytes`` [B]."""
    return float(c.reads.get(DRAM, 0.0)) - float(c.weight_bytes)


def _scalar_costs(name: str, costs: Sequence[Cost], minimum: int) -> list[Cost]:
    if isinstance(costs, Cost) or not isinstance(costs, Sequence):
        raise ValueError(f"{name} must be a sequence of Cost records, got {type(costs).__name__}")
    costs = list(costs)
    if len(costs) < minimum:
        raise ValueError(f"{name} needs at least {minimum} Cost records, got {len(costs)}")
    for i, c in enumerate(costs):
        if not isinstance(c, Cost):
            raise ValueError(f"{name}[{i}] must be a Cost record, got {type(c).__name__}")
        if any(np.ndim(x) for x in (c.bytes, c.out_bytes, c.weight_bytes)):
            raise ValueError(f"{name}[{i}] ({c.name!r}) is vectorised; fusion takes scalar records")
    return costs


def _result(fused: Cost, unfused: Cost) -> FusionResult:
    saved = float(unfused.bytes - fused.bytes)
    total = float(unfused.bytes)
    return FusionResult(fused, unfused, saved, saved / total if total > 0 else 0.0)


def _dtype(costs: Sequence[Cost]) -> str | None:
    kinds = {c.dtype for c in costs}
    return kinds.pop() if len(kinds) == 1 else None


def fuse_vertical(chain: Sequence[Cost], *, side_inputs: Mapping[int, float] | None = None,
                  keep: Collection[int] = (), onchip: str | None = None, name: str | None = None,
                  rtol: float = 1e-9) -> FusionResult:
    """Fuse a producer–consumer chain ``chain[0] → chain[1] → …`` into one kernel.

    Parameters
    ----------
    chain : sequence of Cost (>= 2)
        Operators in execution order; operator i+1 consumes the whole output of operator i.
    side_inputs : {index: bytes}, optional
        Activation bytes operator ``index`` (>= 1) reads from DRAM besides its producer's output
        (e.g. the skip tensor of a residual add). These reads remain.
    keep : collection of int
        Indices of operators (not the last) whose output is still needed after the kernel (e.g.
        the residual stream): it is still written, and only the consumer's read is saved.
    onchip : str, optional
        Memory level (e.g. ``"sram"``) at which to record the intermediates' write and read; by
        default the on-chip traffic is not recorded.
    name : str, optional
        Name of the fused record (default: operator names joined by ``+``).
    rtol : float
        Relative tolerance of the shape check.

    Returns
    -------
    FusionResult
        ``fused``: macs, flops, params and weight bytes summed; DRAM reads minus each
        intermediate, writes minus each intermediate not in ``keep``; output of the last operator.

    Raises
    ------
    ValueError
        If the chain has fewer than two records, a producer has no ``out_bytes``, or a consumer's
        activation reads (``reads − weight_bytes``) differ from its producer's output plus its
        side inputs — the tensors of the chain do not match.
    """
    ops = _scalar_costs("chain", chain, 2)
    side = dict(side_inputs or {})
    for i, b in side.items():
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 1 <= i < len(ops):
            raise ValueError(f"side_inputs keys must be operator indices in [1, {len(ops) - 1}], got {i!r}")
        v.nonnegative(f"side_inputs[{i}]", b)
    keep = set(keep)
    for i in keep:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(ops) - 1:
            raise ValueError(f"keep must hold producer indices in [0, {len(ops) - 2}], got {i!r}")
    saved_reads = saved_writes = 0.0
    for i in range(1, len(ops)):
        prod, cons = ops[i - 1], ops[i]
        b = float(prod.out_bytes)
        if b <= 0:
            raise ValueError(f"chain[{i - 1}] ({prod.name!r}) has no out_bytes: nothing to pass on chip")
        want = b + float(side.get(i, 0.0))
        got = activation_reads(cons)
        if not np.isclose(got, want, rtol=rtol, atol=0.0):
            raise ValueError(
                f"chain[{i}] ({cons.name!r}) reads {got:.6g} B of activations, but its producer chain[{i - 1}] "
                f"({prod.name!r}, out_shape {prod.out_shape}) writes {b:.6g} B"
                + (f" and side_inputs[{i}] = {side[i]:.6g} B" if i in side else "")
                + ": the tensors of the chain do not match"
            )
        kappa = 1 if (i - 1) in keep else 0
        saved = float(fusion_link_saved_bytes(B=b, kappa=kappa))
        saved_reads += b
        saved_writes += saved - b
    unfused = sum(ops[1:], ops[0])
    reads = dict(unfused.reads)
    writes = dict(unfused.writes)
    reads[DRAM] = reads[DRAM] - saved_reads
    writes[DRAM] = writes[DRAM] - saved_writes
    if onchip is not None:
        if onchip == DRAM:
            raise ValueError(f"onchip must name an on-chip level, not {DRAM!r}")
        reads[onchip] = reads.get(onchip, 0.0) + saved_reads
        writes[onchip] = writes.get(onchip, 0.0) + saved_reads
    last = ops[-1]
    fused = Cost(name=name or unfused.name, macs=unfused.macs, flops=unfused.flops, reads=reads, writes=writes,
                 params=unfused.params, weight_bytes=unfused.weight_bytes, out_bytes=last.out_bytes,
                 out_shape=last.out_shape, dtype=_dtype(ops))
    return _result(fused, unfused.renamed(name or unfused.name))


def fuse_horizontal(costs: Sequence[Cost], shared_input_bytes: float, *, name: str | None = None) -> FusionResult:
    """Fuse operators that read the same input into one kernel: the input is read once.

    Parameters
    ----------
    costs : sequence of Cost (>= 2)
        Operators that each read the same input of ``shared_input_bytes`` from DRAM (e.g. the
        Q, K and V projections of X).
    shared_input_bytes : float
        Bytes of the shared input [B].

    Returns
    -------
    FusionResult
        ``fused``: everything summed, DRAM reads minus ``(n − 1)·shared_input_bytes`` (registry
        ``horizontal_fusion_saved_bytes``); ``out_bytes`` is the sum of the outputs, and
        ``out_shape`` their concatenation along the last axis when the other axes agree
        (otherwise None).

    Raises
    ------
    ValueError
        If fewer than two records are given, or an operator reads fewer activation bytes than
        ``shared_input_bytes``.
    """
    ops = _scalar_costs("costs", costs, 2)
    v.positive("shared_input_bytes", shared_input_bytes)
    for i, c in enumerate(ops):
        if activation_reads(c) < shared_input_bytes * (1 - 1e-12):
            raise ValueError(f"costs[{i}] ({c.name!r}) reads only {activation_reads(c):.6g} B of activations, "
                             f"less than shared_input_bytes={shared_input_bytes!r}")
    unfused = sum(ops[1:], ops[0])
    saved = float(horizontal_fusion_saved_bytes(n=len(ops), B_x=shared_input_bytes))
    reads = dict(unfused.reads)
    reads[DRAM] = reads[DRAM] - saved
    shapes = [c.out_shape for c in ops]
    out_shape = None
    if all(sh is not None for sh in shapes) and len({sh[:-1] for sh in shapes}) == 1:  # type: ignore[index]
        out_shape = (*shapes[0][:-1], sum(sh[-1] for sh in shapes))  # type: ignore[index]
    label = name or unfused.name
    fused = Cost(name=label, macs=unfused.macs, flops=unfused.flops, reads=reads, writes=unfused.writes,
                 params=unfused.params, weight_bytes=unfused.weight_bytes,
                 out_bytes=sum(float(c.out_bytes) for c in ops), out_shape=out_shape, dtype=_dtype(ops))
    return _result(fused, unfused.renamed(label))


# -- exercise 2.4: one Transformer block, unfused and fused ------------------------------------------
@dataclass(frozen=True)
class BlockFusion:
    """DRAM traffic of one pre-norm Transformer block, operator by operator and fused.

    Attributes
    ----------
    ops : tuple of Cost            the unfused operators in execution order
    kernels : tuple of FusionResult  the fused kernels of the plan
    unfused, fused : Cost          sums over ``ops`` and over the fused kernels
    saved_bytes, saved_fraction : float
    weight_bytes : float           parameter bytes, read once either way [B]
    score_bytes : float            unfused traffic of the score matrices S and P [B]
    tensor_bytes : float           one L×d activation tensor, ``L·d·s`` [B]
    unfused_transfers, fused_transfers : float
        activation traffic other than S/P and weights, in units of ``tensor_bytes``
    """

    ops: tuple[Cost, ...]
    kernels: tuple[FusionResult, ...]
    unfused: Cost
    fused: Cost
    saved_bytes: float
    saved_fraction: float
    weight_bytes: float
    score_bytes: float
    tensor_bytes: float
    unfused_transfers: float
    fused_transfers: float


def transformer_block_ops(seq: int, hidden: int, heads: int = 12, ffn_mult: int = 4,
                          dtype: str = "fp16") -> tuple[Cost, ...]:
    """The operators of a pre-norm Transformer encoder block, each a separate kernel.

    ``LN1 → QKV projection → QKᵀ (per head) → softmax → P·V → output projection → residual add →
    LN2 → FC1 → GELU → FC2 → residual add``; sequence ``seq`` (L), width ``hidden`` (d), ``heads``
    heads of ``d/heads``, FFN width ``ffn_mult·d``. Biases of the linear layers and the 1/√d
    scaling are not modelled (they do not change the DRAM traffic of separate kernels by more than
    a bias vector). The attention core is built from :func:`npucourse.ops.batched_gemm` and
    :func:`npucourse.ops.softmax`; its DRAM bytes equal :func:`npucourse.ops.attention`'s.
    """
    from .batched import batched_gemm
    from .elementwise import activation, elementwise, layernorm, softmax
    from .gemm import gemm

    dims(seq=seq, hidden=hidden, heads=heads, ffn_mult=ffn_mult)
    if hidden % heads:
        raise ValueError(f"heads={heads} must divide hidden={hidden}")
    L, d, h = int(seq), int(hidden), int(heads)
    dh, f = d // h, int(ffn_mult) * d
    return (
        layernorm((L, d), dtype=dtype, name="ln1"),
        gemm(L, 3 * d, d, dtype, name="qkv_proj"),
        batched_gemm(h, L, L, dh, dtype, shared="none", dataflow="output", name="qk_scores"),
        softmax((h, L, L), dtype=dtype, name="softmax"),
        batched_gemm(h, L, dh, L, dtype, shared="none", dataflow="output", name="pv"),
        gemm(L, d, d, dtype, name="out_proj"),
        elementwise((L, d), 2, 1.0, dtype, name="residual1"),
        layernorm((L, d), dtype=dtype, name="ln2"),
        gemm(L, f, d, dtype, name="fc1"),
        activation((L, f), "gelu", dtype, name="gelu"),
        gemm(L, d, f, dtype, name="fc2"),
        elementwise((L, d), 2, 1.0, dtype, name="residual2"),
    )


def transformer_block_fusion(seq: int, hidden: int, heads: int = 12, ffn_mult: int = 4,
                             dtype: str = "fp16") -> BlockFusion:
    """Exercise 2.4's three-kernel fusion plan applied to :func:`transformer_block_ops`.

    Kernels (the draft's plan):

    1. LN1 + QKV projection + attention core (QKᵀ, softmax, P·V with S and P on chip; the V part
       of the QKV output is a side input of P·V inside the kernel);
    2. output projection + residual add + LN2 (the residual stream is still written: the second
       residual add needs it; the block input X is a side input);
    3. FC1 + GELU + FC2 + residual add (the residual stream is a side input).

    Returns
    -------
    BlockFusion
        With the model's unfused and fused traffic; for L = 512, d = 768, fp16 the activation
        transfers are 38 → 9 tensors of L·d·s, plus 4·h·L²·s of score traffic before fusion.
    """
    ops = transformer_block_ops(seq, hidden, heads, ffn_mult, dtype)
    ln1, qkv, qk, sm, pv, proj, add1, ln2, fc1, gelu, fc2, add2 = ops
    x_bytes = float(ln1.out_bytes)  # one L×d tensor (X, the residual stream, LN outputs...)
    core = fuse_vertical([qk, sm, pv], side_inputs={2: x_bytes}, name="attention_core")
    k1 = fuse_vertical([ln1, qkv, core.fused], name="k1_ln_qkv_attention")
    k2 = fuse_vertical([proj, add1, ln2], side_inputs={1: x_bytes}, keep={1}, name="k2_proj_residual_ln")
    k3 = fuse_vertical([fc1, gelu, fc2, add2], side_inputs={3: x_bytes}, name="k3_ffn_residual")
    kernels = (k1, k2, k3)
    unfused = sum(ops[1:], ops[0]).renamed("transformer_block")
    fused = sum((k.fused for k in kernels[1:]), kernels[0].fused).renamed("transformer_block_fused")
    weights = float(unfused.weight_bytes)
    scores = 2.0 * float(qk.out_bytes) + 2.0 * float(sm.out_bytes)
    unfused_act = float(unfused.bytes) - weights - scores
    fused_act = float(fused.bytes) - weights
    saved = float(unfused.bytes - fused.bytes)
    return BlockFusion(ops, kernels, unfused, fused, saved, saved / float(unfused.bytes), weights, scores,
                       x_bytes, unfused_act / x_bytes, fused_act / x_bytes)
