"""Operator cost models. Each returns one :class:`npucourse.cost.Cost` record.

Names load lazily from the module that defines them.
"""

from __future__ import annotations

import importlib
from typing import Any

from .conv import conv2d, depthwise_conv2d, out_size
from .gemm import gemm

_LAZY = {
    # conv variants, batched GEMM, element-wise family, fusion
    "conv2d_im2col": "conv", "conv2d_tiled": "conv",
    "batched_gemm": "batched",
    "elementwise": "elementwise", "batchnorm": "elementwise", "layernorm": "elementwise",
    "rmsnorm": "elementwise", "softmax": "elementwise", "pool2d": "elementwise",
    "fuse_vertical": "fusion", "fuse_horizontal": "fusion",
    # attention and sparsity
    "attention": "attention", "flash_attention": "attention", "flash_block_sizes": "attention",
    "sparse_2to4": "sparsity",
}

__all__ = ["gemm", "conv2d", "depthwise_conv2d", "out_size", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        mod = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(mod, name)
    raise AttributeError(f"module 'npucourse.ops' has no attribute {name!r}")
