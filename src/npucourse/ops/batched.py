"""Batched GEMM cost model (Chapter 2 §2.3.1): operand sharing and stationary dataflows.

``C_i[M, N] = A_i[M, K] @ B_i[K, N]`` for ``i = 1..batch``. Which operand is shared across the
batch, and which tensor the dataflow keeps stationary on chip, decide the DRAM traffic:

==================  ==========================  ===========================================
dataflow            kept on chip                consequence
==================  ==========================  ===========================================
``"weight"``        a tile of B                 a shared B is read once (reuse = batch)
``"input"``         a tile of A                 a shared A is read once (reuse = batch)
``"output"``        the C tile (partial sums)   C written once even when K is split
==================  ==========================  ===========================================

With the reduction split into ``n_k = ceil(K / k_tile)`` passes, weight- and input-stationary
dataflows spill partial sums to DRAM between passes; output-stationary never does. Re-reads
caused by tiling M and N are not modelled (as in :func:`npucourse.ops.gemm`, each operand crosses
DRAM once per use). Formulas ``bgemm_macs``, ``bgemm_operand_bytes``, ``bgemm_output_bytes`` in
the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost, Num
from ..formulas._gen.batched_gemm import bgemm_macs, bgemm_operand_bytes, bgemm_output_bytes
from ._common import canonical, dims, elem_bytes

__all__ = ["batched_gemm", "operand_loads", "Loads", "SHARED", "DATAFLOWS"]

SHARED = ("B", "A", "none")
DATAFLOWS = ("weight", "input", "output")


@dataclass(frozen=True)
class Loads:
    """How often each operand crosses DRAM in a batched GEMM.

    Attributes
    ----------
    a_loads : M×K matrices read (u_A)
    b_loads : K×N matrices read (u_B)
    k_passes : passes over K whose partial sums cross DRAM (n_k; 1 when C is stationary)
    """

    a_loads: Num
    b_loads: Num
    k_passes: Num


def operand_loads(batch: Num, K: Num, shared: str = "B", dataflow: str = "weight",
                  k_tile: Num | None = None) -> Loads:
    """Operand load counts for ``shared`` ∈ {"B", "A", "none"} and ``dataflow`` ∈ {"weight", "input", "output"}.

    A shared operand is read once only if the dataflow keeps it stationary (B for "weight", A for
    "input"); otherwise every batch item reads it again. ``k_passes = ceil(K / k_tile)`` for
    weight/input-stationary (``k_tile=None``: K fits, one pass) and 1 for output-stationary.
    """
    v.choice("shared", shared, SHARED)
    v.choice("dataflow", dataflow, DATAFLOWS)
    dims(batch=batch, K=K)
    bt = np.asarray(batch, dtype=float)
    a = np.where(shared == "A" and dataflow == "input", 1.0, bt)
    b = np.where(shared == "B" and dataflow == "weight", 1.0, bt)
    if k_tile is None or dataflow == "output":
        if k_tile is not None:
            v.positive_int("k_tile", k_tile)
        nk = np.ones_like(np.asarray(K, dtype=float))
    else:
        v.positive_int("k_tile", k_tile)
        nk = np.ceil(np.asarray(K, dtype=float) / np.asarray(k_tile, dtype=float))

    def out(x: np.ndarray) -> Num:
        return float(x) if np.ndim(x) == 0 else x

    return Loads(out(a), out(b), out(nk))


def batched_gemm(
    batch: Num,
    M: Num,
    N: Num,
    K: Num,
    dtype: str = "fp16",
    shared: str = "B",
    dataflow: str = "weight",
    *,
    k_tile: Num | None = None,
    acc_dtype: str | None = None,
    weights: str | None = None,
    name: str = "batched_gemm",
) -> Cost:
    """Cost of ``batch`` GEMMs ``C_i = A_i @ B_i`` under a stationary dataflow.

    Parameters
    ----------
    batch, M, N, K : int or array of int (>= 1), vectorised
    dtype : element type of A, B and C
    shared : "B" (one weight matrix for the batch: a linear layer over b inputs), "A" (one input
        for b weight matrices, e.g. Q/K/V projections of the same X) or "none" (per-head
        attention products)
    dataflow : "weight", "input" or "output"-stationary (see module docstring)
    k_tile : reduction elements per pass (weight/input-stationary spill partial sums when
        ``k_tile < K``); None = K fits
    acc_dtype : type of spilled partial sums (default ``dtype``; e.g. "fp32" or "int32")
    weights : which operand counts as parameters: default "B" if ``shared == "B"`` else "none"

    Returns
    -------
    Cost
        macs = b·M·N·K; DRAM reads ``s·(u_A·M·K + u_B·K·N)`` plus partial-sum reloads; writes
        ``b·M·N·s`` plus partial-sum spills (``bgemm_output_bytes`` in total);
        out_shape (b, M, N).
    """
    dims(M=M, N=N)
    ld = operand_loads(batch, K, shared, dataflow, k_tile)
    weights = ("B" if shared == "B" else "none") if weights is None else weights
    v.choice("weights", weights, SHARED)
    s = elem_bytes(dtype)
    s_acc = s if acc_dtype is None else elem_bytes(acc_dtype)
    bt = np.asarray(batch, dtype=float)
    macs = 1.0 * bgemm_macs(b=bt, M=M, N=N, K=K)
    ab = 1.0 * bgemm_operand_bytes(s=s, u_A=ld.a_loads, u_B=ld.b_loads, M=M, N=N, K=K)
    c_total = 1.0 * bgemm_output_bytes(b=bt, M=M, N=N, s=s, s_acc=s_acc, n_k=ld.k_passes)
    c_final = bt * M * N * s
    spill = (c_total - c_final) / 2  # as many partial-sum bytes read back as spilled
    params = {"B": (1.0 if shared == "B" else bt) * K * N,
              "A": (1.0 if shared == "A" else bt) * M * K, "none": 0.0}[weights]
    scalar = all(np.ndim(x) == 0 for x in (batch, M, N, K))
    return Cost(
        name=name,
        macs=macs,
        flops=2.0 * macs,
        reads={DRAM: ab + spill},
        writes={DRAM: c_final + spill},
        params=1.0 * params,
        weight_bytes=1.0 * params * s,
        out_bytes=1.0 * c_final,
        out_shape=(int(batch), int(M), int(N)) if scalar else None,
        dtype=canonical(dtype),
    )
