"""Conv2D cost (Chapter 2 §2.1.1 and §2.3.2): output size, MACs, im2col size and expansion.

Conventions follow ONNX Conv / torch.nn.Conv2d: stride S, symmetric padding P, dilation D,
groups G; MACs count one multiply-accumulate per weight tap per output element.
"""

import sympy as sp

from ..registry import Topic

t = Topic("conv", section="2.3.2")
H = t.symbol("H", "input height", "1", integer=True)
W = t.symbol("W", "input width", "1", integer=True)
Ci = t.symbol("C_in", "input channels", "1", integer=True)
Co = t.symbol("C_out", "output channels", "1", integer=True)
Kh = t.symbol("K_h", "kernel height", "1", integer=True)
Kw = t.symbol("K_w", "kernel width", "1", integer=True)
S = t.symbol("S", "stride", "1", integer=True)
P = t.symbol("P", "padding on each side", "1", integer=True, nonnegative=True, positive=None)
D = t.symbol("D", "dilation", "1", integer=True)
G = t.symbol("G", "groups", "1", integer=True)
Ho = t.symbol("H_out", "output height", "1", integer=True)
Wo = t.symbol("W_out", "output width", "1", integer=True)
s = t.symbol("s", "bytes per element", "B")
Th = t.symbol("T_h", "input tile height", "1", integer=True)
Tw = t.symbol("T_w", "input tile width", "1", integer=True)

ONNX = "ONNX operator Conv (opset 11+); torch.nn.Conv2d documentation"
t.formula("conv_out_size", sp.floor((H + 2 * P - D * (Kh - 1) - 1) / S) + 1, unit="1",
          description="output height (same rule for width)", source=ONNX, lhs=r"H_{\mathrm{out}}")
macs = t.formula("conv_macs", Ho * Wo * Co * (Ci / G) * Kh * Kw, unit="MAC",
                 description="Conv2D multiply-accumulates", source=ONNX, lhs=r"\mathrm{MACs}")
t.formula("conv_flops", 2 * macs.expr, unit="FLOP", description="Conv2D FLOPs, 2 per MAC (bias excluded)",
          source=ONNX, lhs=r"\mathrm{FLOPs}")
t.formula("im2col_elements", (Ci * Kh * Kw) * (Ho * Wo), unit="1",
          description="elements of the im2col matrix (C_in·K_h·K_w) × (H_out·W_out)",
          source="Chellapilla et al., High Performance CNNs for Document Processing, 2006",
          lhs=r"\lvert X_{\mathrm{col}}\rvert")
t.formula("im2col_expansion", (Ci * Kh * Kw * Ho * Wo) / (Ci * H * W), unit="1",
          description="im2col size over input size (→ K_h·K_w/S² for 'same' padding)",
          source="derived: im2col_elements / (C_in·H·W)", lhs=r"\mathrm{Expansion}")
t.formula("conv_tile_sram_bytes", Th * Tw * Ci * s, unit="B",
          description="SRAM bytes of one input tile holding all input channels (draft's tiling rule)",
          source="draft §2.3.2 (input tile only; weights and outputs add to it, see ops.conv2d_tiled)",
          lhs=r"\mathrm{SRAM}_{\mathrm{tile}}")
