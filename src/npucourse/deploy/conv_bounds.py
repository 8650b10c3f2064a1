"""Where 1×1 and 3×3 convolutions sit on a device's roofline (Chapter 21 §21.2.3, exercise 21.2).

A convolution's intensity depends on its channel counts and feature-map size, not only on its
kernel: with every tensor crossing DRAM once (``npucourse.ops.conv2d``) and a large map it tends
to ``2·C_in·C_out·K²/((C_in + C_out)·s)`` (registry ``conv_intensity_large_map``) — C/4 for a
1×1 C→C conv in fp32, 9C/4 for a 3×3. The draft's "1×1 AI ≈ 2, 3×3 AI ≈ 18" corresponds to
about 8 channels; at 64 channels on a 56×56 map the 1×1 conv is already near 16 FLOP/B and the
3×3 conv far past the ridge of a 1 TFLOPS / 25.6 GB/s GPU (39 FLOP/B).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..hardware import Hardware
from ..ops.conv import conv2d
from ..roofline import analyze

__all__ = ["ConvBound", "conv_bound", "conv_bounds"]


@dataclass(frozen=True)
class ConvBound:
    """One convolution on one device.

    Attributes
    ----------
    label : e.g. ``"3x3 64->64 @56x56"``
    intensity : FLOP per DRAM byte
    ridge : device ridge point for the dtype [FLOP/B]
    bound : "compute" or "memory"
    time_s : roofline time [s]
    utilization : attainable / peak
    """

    label: str
    intensity: float
    ridge: float
    bound: str
    time_s: float
    utilization: float


def conv_bound(hw: Hardware, c_in: int, c_out: int, h: int, w: int, kernel: int = 3, stride: int = 1,
               dtype: str = "fp32", batch: int = 1) -> ConvBound:
    """Roofline position of a 'same'-padded convolution (``ops.conv2d``, each tensor moved once)."""
    c = conv2d(c_in, c_out, h, w, kernel=kernel, stride=stride, batch=batch, dtype=dtype,
               name=f"{kernel}x{kernel} {c_in}->{c_out} @{h}x{w}")
    r = analyze(c, hw, levels="dram")
    return ConvBound(label=c.name, intensity=float(c.intensity), ridge=float(r.ridge), bound=str(r.bound),
                     time_s=float(r.time_s), utilization=float(r.utilization))


def conv_bounds(hw: Hardware, layers: Iterable[tuple[int, int, int, int, int]], dtype: str = "fp32") -> list[ConvBound]:
    """:func:`conv_bound` for each ``(c_in, c_out, h, w, kernel)``."""
    return [conv_bound(hw, ci, co, h, w, k, dtype=dtype) for ci, co, h, w, k in layers]
