"""Operator fusion (Chapter 2 §2.3.5): DRAM traffic saved and BatchNorm folding.

Vertical (producer–consumer) fusion keeps an intermediate tensor of B bytes on chip: the
producer's write and the consumer's read of it disappear, 2·B per link — or B when the
intermediate is still needed later and must be written anyway. Horizontal fusion of n operators
that read the same input X reads X once instead of n times.

BatchNorm folding into the preceding convolution (inference): PyTorch
``torch/nn/utils/fusion.py::fuse_conv_bn_weights`` computes
``w' = w·γ·rsqrt(σ² + ε)`` (per output channel) and ``b' = (b − μ)·rsqrt(σ² + ε)·γ + β``.
"""

import sympy as sp

from ..registry import Topic

t = Topic("fusion", section="2.3.5")
B = t.symbol("B", "bytes of the intermediate tensor of one producer–consumer link", "B")
kappa = t.symbol("kappa", "1 if the intermediate must still be written to DRAM (used later), else 0", "1",
                 integer=True, nonnegative=True, positive=None)
n = t.symbol("n", "number of fused operators", "1", integer=True)
Bx = t.symbol("B_x", "bytes of the input shared by horizontally fused operators", "B")
E = t.symbol("E", "elements of each activation tensor of the chain", "1", integer=True)
s = t.symbol("s", "bytes per element", "B")
X = t.symbol("X", "elements of the convolution input", "1", integer=True)
Y = t.symbol("Y", "elements of the convolution output (= BN and ReLU tensors)", "1", integer=True)
Pe = t.symbol("P_e", "parameter elements read (conv weights and BN vectors)", "1", integer=True,
              nonnegative=True, positive=None)
w = t.symbol("w", "convolution weight (one element)", "1", real=True, positive=None)
bias = t.symbol("b", "convolution bias of the channel (0 if none)", "1", real=True, positive=None)
gamma = t.symbol("gamma", "BN scale γ of the channel", "1", real=True, positive=None)
beta = t.symbol("beta", "BN shift β of the channel", "1", real=True, positive=None)
mu = t.symbol("mu", "BN running mean μ of the channel", "1", real=True, positive=None)
var = t.symbol("var", "BN running variance σ² of the channel", "1", real=True, nonnegative=True, positive=None)
eps = t.symbol("epsilon", "BN ε (PyTorch default 1e-5)", "1")

TORCH = "PyTorch torch/nn/utils/fusion.py::fuse_conv_bn_weights"

t.formula("bn_fold_weight", w * gamma / sp.sqrt(var + eps), unit="1",
          description="conv weight after folding the following BatchNorm: w·γ/√(σ²+ε)", source=TORCH,
          lhs=r"w'")
t.formula("bn_fold_bias", (bias - mu) * gamma / sp.sqrt(var + eps) + beta, unit="1",
          description="conv bias after folding the following BatchNorm: (b−μ)·γ/√(σ²+ε) + β", source=TORCH,
          lhs=r"b'")

link = t.formula("fusion_link_saved_bytes", (2 - kappa) * B, unit="B",
                 description="DRAM bytes a fused producer–consumer link saves: write and read of the intermediate",
                 source="derived: ops.fuse_vertical", lhs=r"\Delta Q_{\mathrm{link}}")
t.formula("horizontal_fusion_saved_bytes", (n - 1) * Bx, unit="B",
          description="DRAM bytes saved by reading a shared input once for n fused operators",
          source="derived: ops.fuse_horizontal", lhs=r"\Delta Q_{\mathrm{horiz}}")

# A chain of n single-input element-wise operators on E-element tensors, no parameters:
# unfused every op reads and writes E·s; fused the chain reads once and writes once.
unfused_chain = n * 2 * E * s
saved_chain = (n - 1) * link.expr.subs(kappa, 0).subs(B, E * s)
chain = t.formula("pointwise_chain_saved_fraction", sp.simplify(saved_chain / unfused_chain), unit="1",
                  description="fraction of DRAM traffic saved by fusing n same-size single-input operators",
                  source="derived: fusion_link_saved_bytes over n links of E·s bytes",
                  lhs=r"\Delta Q / Q_{\mathrm{unfused}}")

# Conv -> BN -> ReLU: unfused conv reads X writes Y, BN reads Y writes Z, ReLU reads Z writes A
# (all Y elements), plus the parameters; fused: reads X and the parameters, writes A.
cbr = t.formula("conv_bn_relu_saved_fraction", 4 * Y / (X + 5 * Y + Pe), unit="1",
                description="Conv-BN-ReLU fusion: 4·Y saved of X + 5·Y + parameters (2/3 only if X = Y, P_e → 0)",
                source="derived: two fused links of Y elements each (fusion_link_saved_bytes)",
                lhs=r"\Delta Q / Q_{\mathrm{unfused}}")
assert sp.simplify(cbr.expr.subs({X: Y, Pe: 0}) - chain.expr.subs(n, 3)) == 0
