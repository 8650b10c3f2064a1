"""Folding inference BatchNorm into the preceding convolution (Chapter 21 §21.1.3, Chapter 2 §2.3.5).

For a convolution ``y = conv(x, w) + b`` followed by ``BN(y) = γ·(y − μ)/√(σ² + ε) + β`` with
running statistics μ, σ² (inference), both are linear in ``y`` per output channel, so::

    w' = w·γ/√(σ² + ε)              (scaled per output channel, axis 0 of w)
    b' = (b − μ)·γ/√(σ² + ε) + β    (b = 0 when the conv has no bias)

give ``conv(x, w') + b' = BN(conv(x, w) + b)`` exactly (up to float rounding). Formulas
``bn_fold_weight`` and ``bn_fold_bias`` of the registry (topic ``fusion``), as PyTorch's
``torch/nn/utils/fusion.py::fuse_conv_bn_weights``. The draft's formula (§21.1.3) is right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _validate as v
from ..formulas._gen.fusion import bn_fold_bias, bn_fold_weight

__all__ = ["fold_bn"]


def _vec(name: str, x: Any, c: int) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {x!r}") from None
    if a.shape != (c,):
        raise ValueError(f"{name} must have shape ({c},) (one value per output channel), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return a


def fold_bn(w: Any, b: Any, gamma: Any, beta: Any, mean: Any, var: Any, eps: float = 1e-5) -> tuple[np.ndarray,
                                                                                                     np.ndarray]:
    """Fold a BatchNorm (inference statistics) into the weights and bias of the layer before it.

    Parameters
    ----------
    w : array (C_out, ...) — conv weight (C_out, C_in/groups, kH, kW) or linear weight (C_out, C_in)
    b : array (C_out,) or None (no bias: treated as zeros)
    gamma, beta : BN affine parameters, shape (C_out,)
    mean, var : BN running mean and variance, shape (C_out,); var >= 0
    eps : BN epsilon (> 0; PyTorch default 1e-5)

    Returns
    -------
    (w_folded, b_folded) : float64 arrays of the shapes of ``w`` and ``(C_out,)``

    Raises
    ------
    ValueError
        For mismatched shapes, a negative variance, a non-positive eps or non-finite values.

    Examples
    --------
    >>> wf, bf = fold_bn([[2.0]], None, gamma=[3.0], beta=[1.0], mean=[0.5], var=[3.0], eps=1.0)
    >>> wf.tolist(), bf.tolist()      # 3/√4 = 1.5: w' = 2·1.5, b' = (0 − 0.5)·1.5 + 1
    ([[3.0]], [0.25])
    """
    try:
        wa = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"w must be an array of numbers, got {type(w).__name__}") from None
    if wa.ndim < 1 or wa.size == 0:
        raise ValueError(f"w must have at least one axis (C_out first) and not be empty, got shape {wa.shape}")
    if not np.all(np.isfinite(wa)):
        raise ValueError("w must be finite")
    c = wa.shape[0]
    ba = np.zeros(c) if b is None else _vec("b", b, c)
    g, bt, mu, var_ = (_vec(n, a, c) for n, a in (("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var)))
    v.nonnegative("var", var_)
    v.positive("eps", eps)
    per_channel = (c,) + (1,) * (wa.ndim - 1)
    wf = bn_fold_weight(w=wa, gamma=g.reshape(per_channel), var=var_.reshape(per_channel), epsilon=eps)
    bf = bn_fold_bias(b=ba, gamma=g, beta=bt, mu=mu, var=var_, epsilon=eps)
    return np.asarray(wf, dtype=float), np.asarray(bf, dtype=float)
