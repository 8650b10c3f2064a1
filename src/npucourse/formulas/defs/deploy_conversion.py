"""ONNX Conv output shapes beyond symmetric padding (Chapter 21 §21.1.1).

ONNX ``Conv`` takes ``pads = [x1_begin, x2_begin, ..., x1_end, x2_end]`` (for 2-D:
``[top, left, bottom, right]``) and the legacy ``auto_pad`` attribute. The symmetric-padding
output size is ``conv_out_size`` of the ``conv`` topic; the asymmetric one is *derived* from it
here (``2P`` becomes ``P_begin + P_end``), and the ``SAME_*`` rules are ONNX's own.

Source: ONNX operator Conv (opset 11+), attributes ``pads`` and ``auto_pad``; the reference
shape inference ``convPoolShapeInference`` in ``onnx/defs/nn/defs.cc``.
"""

import sympy as sp

from ..registry import REGISTRY, Topic
from . import conv as _conv  # noqa: F401  (registers conv_out_size, from which we derive)

t = Topic("deploy_conversion", section="21.1.1")
# Same names and assumptions as in the conv topic, so sympy treats them as the same symbols.
H = t.symbol("H", "input height (same rule for width)", "1", integer=True)
Kh = t.symbol("K_h", "kernel height", "1", integer=True)
S = t.symbol("S", "stride", "1", integer=True)
D = t.symbol("D", "dilation", "1", integer=True)
Pb = t.symbol("P_b", "padding before (top or left)", "1", integer=True, nonnegative=True, positive=None)
Pe = t.symbol("P_e", "padding after (bottom or right)", "1", integer=True, nonnegative=True, positive=None)

ONNX = "ONNX operator Conv (opset 11+): pads = [top, left, bottom, right], auto_pad"

_sym = REGISTRY["conv_out_size"].expr
P = {info.name: info.symbol for info in REGISTRY["conv_out_size"].symbols}["P"]
assert {H, Kh, S, D, P} <= _sym.free_symbols, "conv_out_size changed its symbols"
t.formula(
    "onnx_conv_out_size_pads",
    _sym.subs(P, (Pb + Pe) / 2),
    unit="1",
    description="ONNX Conv output height with asymmetric padding P_b (begin) and P_e (end)",
    source="derived: conv_out_size with 2P -> P_b + P_e; " + ONNX,
    lhs=r"H_{\mathrm{out}}",
)
same_out = t.formula(
    "onnx_same_out_size",
    sp.ceiling(H / S),
    unit="1",
    description="ONNX auto_pad SAME_UPPER / SAME_LOWER output height: ceil(H / S)",
    source=ONNX,
    lhs=r"H_{\mathrm{out}}^{\mathrm{SAME}}",
)
t.formula(
    "onnx_same_total_pad",
    sp.Max((same_out.expr - 1) * S + D * (Kh - 1) + 1 - H, 0),
    unit="1",
    description="total padding ONNX adds for SAME_*: (H_out-1)·S + D·(K-1) + 1 - H, at least 0; "
                "SAME_UPPER puts the odd element at the end, SAME_LOWER at the beginning",
    source=ONNX + "; onnx/defs/nn/defs.cc convPoolShapeInference",
    lhs=r"P_{\mathrm{total}}",
)
