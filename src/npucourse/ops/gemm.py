"""GEMM cost model (Chapter 2 §2.3.1).

``C[M, N] = A[M, K] @ B[K, N]``: M·N·K MACs, 2·M·N·K FLOPs; with no on-chip reuse across
calls, A and B are read from DRAM once and C is written once.
Formulas ``gemm_macs``, ``gemm_flops``, ``gemm_bytes``, ``gemm_intensity`` in the registry.
"""

from __future__ import annotations

import numpy as np

from ..cost import DRAM, Cost, Num
from ..formulas._gen.gemm import gemm_flops, gemm_macs
from ._common import canonical, dims, elem_bytes


def gemm(M: Num, N: Num, K: Num, dtype: str = "fp16", *, weights: str = "B", name: str = "gemm") -> Cost:
    """Cost of ``C[M,N] = A[M,K] @ B[K,N]``, each operand crossing DRAM once.

    Parameters
    ----------
    M, N, K : int or array of int
        Sizes (>= 1). Vectorised.
    dtype : str
        Element type of A, B and C.
    weights : {"B", "A", "none"}
        Which operand counts as parameters (``"B"``: a linear layer ``X @ W``).
    name : str

    Returns
    -------
    Cost
        macs = M·N·K, flops = 2·M·N·K, DRAM reads (M·K + K·N)·s, writes M·N·s.

    Examples
    --------
    >>> c = gemm(512, 768, 256, dtype="fp16")
    >>> c.flops, c.bytes
    (201326592.0, 1441792.0)
    """
    dims(M=M, N=N, K=K)
    try:
        np.broadcast_shapes(np.shape(M), np.shape(N), np.shape(K))
    except ValueError:
        raise ValueError(
            f"M, N and K must broadcast together, got shapes {np.shape(M)}, {np.shape(N)}, {np.shape(K)}"
        ) from None
    if weights not in ("A", "B", "none"):
        raise ValueError(f"weights must be 'A', 'B' or 'none', got {weights!r}")
    s = elem_bytes(dtype)
    a, b, c = M * K * s, K * N * s, M * N * s
    params = {"A": M * K, "B": K * N, "none": 0.0}[weights]
    return Cost(
        name=name,
        macs=1.0 * gemm_macs(M=M, N=N, K=K),
        flops=1.0 * gemm_flops(M=M, N=N, K=K),
        reads={DRAM: 1.0 * (a + b)},
        writes={DRAM: 1.0 * c},
        params=1.0 * params,
        weight_bytes=1.0 * params * s,
        out_bytes=1.0 * c,
        out_shape=(int(M), int(N)) if _scalar(M, N) else None,
        dtype=canonical(dtype),
    )


def _scalar(*xs: Num) -> bool:
    return all(np.ndim(x) == 0 for x in xs)
