"""Operator cost models. Each returns one :class:`npucourse.cost.Cost` record.

All operator modules are imported here (they need numpy only). The imports are eager on purpose:
several functions share their module's name (``elementwise``, ``attention``), and a lazily
exported function would be shadowed by the submodule once anything imported it.
"""

from .attention import attention, flash_attention, flash_block_sizes, online_softmax
from .batched import batched_gemm
from .conv import conv2d, conv2d_best_tile, conv2d_im2col, conv2d_tiled, depthwise_conv2d, out_size
from .elementwise import activation, batchnorm, elementwise, layernorm, pool2d, rmsnorm, softmax
from .fusion import fuse_horizontal, fuse_vertical, transformer_block_fusion, transformer_block_ops
from .gemm import gemm
from .sparsity import sparse_2to4

__all__ = [
    "gemm", "batched_gemm",
    "conv2d", "conv2d_im2col", "conv2d_tiled", "conv2d_best_tile", "depthwise_conv2d", "out_size",
    "elementwise", "activation", "batchnorm", "layernorm", "rmsnorm", "softmax", "pool2d",
    "fuse_vertical", "fuse_horizontal", "transformer_block_ops", "transformer_block_fusion",
    "attention", "flash_attention", "flash_block_sizes", "online_softmax",
    "sparse_2to4",
]
