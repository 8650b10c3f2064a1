"""Conv2D cost (Chapter 2 §2.1.1 and §2.3.2): output size, MACs, intensity, im2col, SRAM tiling.

Conventions follow ONNX Conv / torch.nn.Conv2d: stride S, symmetric padding P, dilation D,
groups G; MACs count one multiply-accumulate per weight tap per output element. The formulas
below use one stride/dilation for both axes where both axes appear; the numeric code applies
the one-axis formulas (``conv_out_size``, ``conv_input_row``, ``conv_halo_extent``) to each axis.

Derived results (large-map intensity, the 1×1 limit, the im2col expansion limit, the largest
output-channel tile for an SRAM capacity) are computed here by sympy, not typed.
"""

import sympy as sp

from ..registry import Topic

t = Topic("conv", section="2.3.2")
N = t.symbol("N", "batch size", "1", integer=True)
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
s_acc = t.symbol("s_acc", "bytes per output (accumulator) element held on chip", "B")
ho = t.symbol("h_o", "output row index", "1", integer=True, nonnegative=True, positive=None)
k = t.symbol("k", "kernel tap index along the axis", "1", integer=True, nonnegative=True, positive=None)
Th = t.symbol("T_h", "output tile height", "1", integer=True)
Tw = t.symbol("T_w", "output tile width", "1", integer=True)
Tco = t.symbol("T_co", "output channels per tile", "1", integer=True)
Xh = t.symbol("X_h", "input tile rows (halo extent of an output tile)", "1", integer=True)
Xw = t.symbol("X_w", "input tile columns (halo extent of an output tile)", "1", integer=True)
Rh = t.symbol("R_h", "input rows loaded, summed over all row tiles", "1", integer=True)
Rw = t.symbol("R_w", "input columns loaded, summed over all column tiles", "1", integer=True)
SRAM = t.symbol("M_sram", "on-chip SRAM capacity", "B")

ONNX = "ONNX operator Conv (opset 11+); torch.nn.Conv2d documentation"

# -- size, work, intensity -------------------------------------------------------------------------
t.formula("conv_out_size", sp.floor((H + 2 * P - D * (Kh - 1) - 1) / S) + 1, unit="1",
          description="output height (same rule for width)", source=ONNX, lhs=r"H_{\mathrm{out}}")
row = t.formula("conv_input_row", ho * S - P + k * D, unit="1",
                description="input row read by output row h_o at kernel tap k (negative or >= H: padding)",
                source=ONNX + " (index arithmetic of the convolution sum)", lhs=r"h_{\mathrm{in}}")
macs = t.formula("conv_macs", Ho * Wo * Co * (Ci / G) * Kh * Kw, unit="MAC",
                 description="Conv2D multiply-accumulates", source=ONNX, lhs=r"\mathrm{MACs}")
t.formula("conv_flops", 2 * macs.expr, unit="FLOP", description="Conv2D FLOPs, 2 per MAC (bias excluded)",
          source=ONNX, lhs=r"\mathrm{FLOPs}")
w_elems = Co * (Ci / G) * Kh * Kw
intensity = t.formula(
    "conv_intensity",
    2 * macs.expr / (s * (Ci * H * W + w_elems + Co * Ho * Wo)),
    unit="FLOP/B",
    description="direct conv intensity: input, weights read once, output written once (batch 1)",
    source="derived: conv_flops / DRAM bytes of ops.conv2d", lhs=r"\mathrm{AI}_{\mathrm{conv}}")

# Large feature map ('same'-style sizing H_out = H/S): let H, W -> oo. Derived by sympy.
_large = sp.limit(sp.limit(intensity.expr.subs({Ho: H / S, Wo: W / S}), W, sp.oo), H, sp.oo)
large = t.formula(
    "conv_intensity_large_map", sp.simplify(_large), unit="FLOP/B",
    description="conv intensity for H, W -> oo with H_out = H/S (weights amortised away)",
    source="derived: limit of conv_intensity", lhs=r"\lim_{HW\to\infty}\mathrm{AI}_{\mathrm{conv}}")
t.formula(
    "conv1x1_intensity_limit", sp.simplify(large.expr.subs({Kh: 1, Kw: 1, S: 1, G: 1})), unit="FLOP/B",
    description="1×1 stride-1 conv intensity for large maps: 2·C_in·C_out/((C_in+C_out)·s), not C_in",
    source="derived: conv_intensity_large_map with K = S = G = 1", lhs=r"\mathrm{AI}_{1\times 1}")

# -- im2col ------------------------------------------------------------------------------------------
col = t.formula("im2col_elements", (Ci * Kh * Kw) * (Ho * Wo), unit="1",
                description="elements of the im2col matrix (C_in·K_h·K_w) × (H_out·W_out), per image",
                source="Chellapilla et al., High Performance CNNs for Document Processing, 2006",
                lhs=r"\lvert X_{\mathrm{col}}\rvert")
exp = t.formula("im2col_expansion", col.expr / (Ci * H * W), unit="1",
                description="im2col size over input size: K_h·K_w·H_out·W_out/(H·W)",
                source="derived: im2col_elements / (C_in·H·W)", lhs=r"\mathrm{Expansion}")
_ho_nofloor = (H + 2 * P - D * (Kh - 1) - 1) / S + 1
_exp_limit = sp.limit(sp.limit(exp.expr.subs({Ho: _ho_nofloor, Wo: _ho_nofloor.subs({H: W, Kh: Kw})}), W, sp.oo),
                      H, sp.oo)
t.formula("im2col_expansion_large_map", sp.simplify(_exp_limit), unit="1",
          description="im2col expansion for large maps: K_h·K_w/S² (K_h·K_w only at stride 1)",
          source="derived: limit of im2col_expansion with conv_out_size (floor dropped)",
          lhs=r"\lim_{HW\to\infty}\mathrm{Expansion}")

# -- output-tiled direct conv against an SRAM capacity ----------------------------------------------
halo = t.formula("conv_halo_extent", (Th - 1) * S + D * (Kh - 1) + 1, unit="1",
                 description="input rows an output tile of T_h rows needs (same rule for columns)",
                 source="derived: conv_input_row(h0+T_h-1, k=K_h-1) - conv_input_row(h0, k=0) + 1",
                 lhs=r"X_h")
assert sp.simplify(row.expr.subs({ho: ho + Th - 1, k: Kh - 1}) - row.expr.subs({k: 0}) + 1 - halo.expr) == 0

sram = t.formula(
    "conv_tile_sram_bytes",
    s * (Ci * Xh * Xw + Tco * (Ci / G) * Kh * Kw) + s_acc * Tco * Th * Tw,
    unit="B",
    description="SRAM held by one tile: input halo tile (all C_in) + weights of T_co outputs + output tile",
    source="derived: ops.conv2d_tiled working set (input, weight and output buffers)",
    lhs=r"\mathrm{SRAM}_{\mathrm{tile}}")
t.formula(
    "conv_tile_sram_bytes_square",
    sram.expr.subs({Xh: halo.expr, Xw: halo.expr.subs({Th: Tw, Kh: Kw})}),
    unit="B",
    description="conv_tile_sram_bytes with the halo written out (X_h, X_w from conv_halo_extent)",
    source="derived: conv_tile_sram_bytes with conv_halo_extent", lhs=r"\mathrm{SRAM}_{\mathrm{tile}}")
t.formula("conv_tile_sram_draft", Th * Tw * Ci * s, unit="B",
          description="the draft's tiling rule: T_h·T_w·C_in·s (input only, no halo, no weights, no outputs)",
          source="draft §2.3.2 (kept to show what it leaves out; compare conv_tile_sram_bytes)",
          lhs=r"\mathrm{SRAM}_{\mathrm{draft}}")
_tco = sp.solve(sp.Eq(sram.expr, SRAM), Tco)
assert len(_tco) == 1
t.formula("conv_tile_cout_max", sp.floor(_tco[0]), unit="1",
          description="largest output-channel tile that fits M_sram next to the input tile (< 1: none fits)",
          source="derived: conv_tile_sram_bytes = M_sram solved for T_co", lhs=r"T_{co}^{\max}")

n_tiles = sp.ceiling(Ho / Th) * sp.ceiling(Wo / Tw)
t.formula("conv_tiled_input_bytes", s * N * Ci * Rh * Rw, unit="B",
          description="DRAM bytes of input loaded: every spatial tile loads its clipped halo box, all C_in",
          source="derived: ops.conv2d_tiled (spatial tiles outer, output-channel tiles inner)",
          lhs=r"Q_{\mathrm{in}}")
t.formula("conv_tiled_weight_bytes",
          s * w_elems * sp.Piecewise((1, Tco >= Co), (N * n_tiles, True)),
          unit="B",
          description="DRAM bytes of weights: once if all C_out fit one tile (resident), else once per spatial tile",
          source="derived: ops.conv2d_tiled (spatial tiles outer, output-channel tiles inner)",
          lhs=r"Q_{\mathrm{w}}")
_reread = halo.expr / (Th * S)
t.formula("conv_halo_reread", _reread, unit="1",
          description="input loaded / input size along one axis for large maps (-> 1 as T_h -> oo)",
          source="derived: (H_out/T_h)·conv_halo_extent / H with H = S·H_out",
          lhs=r"\rho_{\mathrm{halo}}")
assert sp.limit(_reread, Th, sp.oo) == 1
