"""Operator cost models. Each returns one :class:`npucourse.cost.Cost` record."""

from .conv import conv2d, depthwise_conv2d, out_size
from .gemm import gemm

__all__ = ["gemm", "conv2d", "depthwise_conv2d", "out_size"]
