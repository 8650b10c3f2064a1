"""Conv2D cost models (Chapter 2 §2.1.1, §2.3.2) with ONNX/PyTorch semantics.

Direct convolution: every input and weight element read from DRAM once, the output written once
(the ideal of a dataflow with enough on-chip buffering). Variants with explicit im2col and SRAM
tiling live beside it. Formulas ``conv_out_size``, ``conv_macs``, ``conv_flops`` in the registry.
"""

from __future__ import annotations

from ..cost import DRAM, Cost
from ..formulas._gen.conv import conv_macs, conv_out_size
from ._common import canonical, dims, elem_bytes
from .. import _validate as v


def _pair(name: str, x: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(x, (tuple, list)):
        if len(x) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {x!r}")
        return int(x[0]), int(x[1])
    return int(x), int(x)


def out_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ``floor((H + 2P − D(K−1) − 1)/S) + 1`` (ONNX Conv).

    Raises ValueError when the (dilated) kernel does not fit the padded input.
    """
    v.positive_int("size", size)
    v.positive_int("kernel", kernel)
    v.positive_int("stride", stride)
    v.nonnegative_int("padding", padding)
    v.positive_int("dilation", dilation)
    o = int(conv_out_size(H=size, K_h=kernel, S=stride, P=padding, D=dilation))
    if o < 1:
        raise ValueError(
            f"kernel {kernel} (dilation {dilation}) does not fit input size {size} with padding {padding}"
        )
    return o


def conv2d(
    c_in: int,
    c_out: int,
    h: int,
    w: int,
    kernel: int | tuple[int, int] = 3,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | None = None,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    bias: bool = False,
    batch: int = 1,
    dtype: str = "fp16",
    name: str = "conv2d",
) -> Cost:
    """Cost of a 2-D convolution on an N×C_in×H×W input (direct dataflow, DRAM traffic once each).

    Parameters
    ----------
    c_in, c_out : channels (each divisible by ``groups``)
    h, w : input height and width
    kernel, stride, dilation : int or (h, w) pair
    padding : int, pair, or None for ``(k-1)//2·dilation`` ("same" for odd k at stride 1)
    groups : channel groups (``groups == c_in == c_out`` is depthwise)
    bias : add C_out bias parameters (and H_out·W_out·C_out adds)
    batch : N
    dtype : element type of activations and weights

    Returns
    -------
    Cost
        macs = N·H_out·W_out·C_out·(C_in/G)·K_h·K_w; flops = 2·macs (+ bias adds);
        DRAM reads = input + weights, writes = output.
    """
    dims(c_in=c_in, c_out=c_out, h=h, w=w, groups=groups, batch=batch)
    kh, kw = _pair("kernel", kernel)
    sh, sw = _pair("stride", stride)
    dh, dw = _pair("dilation", dilation)
    if padding is None:
        ph, pw = (kh - 1) // 2 * dh, (kw - 1) // 2 * dw
    else:
        ph, pw = _pair("padding", padding)
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    ho = out_size(h, kh, sh, ph, dh)
    wo = out_size(w, kw, sw, pw, dw)
    s = elem_bytes(dtype)
    macs = batch * float(conv_macs(C_in=c_in, C_out=c_out, K_h=kh, K_w=kw, G=groups, H_out=ho, W_out=wo))
    n_w = c_out * (c_in // groups) * kh * kw
    params = n_w + (c_out if bias else 0)
    out_elems = batch * c_out * ho * wo
    return Cost(
        name=name,
        macs=macs,
        flops=2 * macs + (out_elems if bias else 0),
        reads={DRAM: (batch * c_in * h * w + params) * s},
        writes={DRAM: out_elems * s},
        params=float(params),
        weight_bytes=params * s,
        out_bytes=out_elems * s,
        out_shape=(batch, c_out, ho, wo),
        dtype=canonical(dtype),
    )


def depthwise_conv2d(channels: int, h: int, w: int, kernel: int = 3, stride: int = 1,
                     padding: int | None = None, dilation: int = 1, bias: bool = False, batch: int = 1,
                     dtype: str = "fp16", name: str = "dwconv2d") -> Cost:
    """Depthwise convolution: :func:`conv2d` with ``groups = c_in = c_out = channels``."""
    return conv2d(channels, channels, h, w, kernel, stride, padding, dilation, groups=channels,
                  bias=bias, batch=batch, dtype=dtype, name=name)
