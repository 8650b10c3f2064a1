"""Point-cloud grids and sparse 3-D convolution (Chapter 2 §2.1.2, exercise 2.2).

Sparse convolution (spconv, Graham et al. arXiv 1711.10275) computes only at active sites. Its
work is the number of (input site, output site) pairs that meet through a kernel tap, times
C_in·C_out ("rulebook" size):

- submanifold conv: outputs only at the active input sites; an active site pairs with itself and
  with each active neighbour in its window of K = k^d taps;
- regular sparse conv: an output is active wherever its window holds any active input; every
  active input pairs with every output whose window covers it — K/V = (k/S)^d of them on
  average (V = S^d).

Expected values below assume each of the K − 1 off-centre neighbours of an active site is active
with probability q (q = p, the occupancy, when sites are occupied uniformly at random; LiDAR
points lie on surfaces, so q is much larger than p) and ignore the grid border.
"""

import sympy as sp

from ..registry import Topic

t = Topic("pointcloud", section="2.1.2")
L = t.symbol("L", "extent of the range along one axis", "m")
vs = t.symbol("v", "voxel / pillar size along that axis", "m")
N = t.symbol("N", "grid sites at the input resolution", "1", integer=True)
Na = t.symbol("N_a", "active (non-empty) input sites", "1", integer=True)
p = t.symbol("p", "occupancy: active fraction of the sites", "1")
q = t.symbol("q", "probability that an off-centre neighbour of an active site is active", "1")
K = t.symbol("K", "kernel taps k^d (27 for a 3×3×3 kernel)", "1", integer=True)
V = t.symbol("V", "stride volume S^d (input sites per output site; 1 at stride 1, 8 at stride 2 in 3-D)",
             "1", integer=True)
Ci = t.symbol("C_in", "input channels", "1", integer=True)
Co = t.symbol("C_out", "output channels", "1", integer=True)

SPCONV = "Graham, Engelcke & van der Maaten, 3D Semantic Segmentation with Submanifold Sparse Conv Nets, arXiv 1711.10275"

t.formula("grid_cells", sp.floor(L / vs + sp.Rational(1, 2)), unit="1",
          description="grid cells along an axis: round(extent / voxel size)",
          source="OpenPCDet pcdet/datasets/processor/data_processor.py (grid_size = round((max − min) / voxel_size))",
          lhs=r"n_{\mathrm{cells}}")
dense = t.formula("dense_conv_macs", N / V * K * Ci * Co, unit="MAC",
                  description="dense convolution over the whole grid (N/V output sites, K taps each)",
                  source="textbook definition (ONNX Conv, d spatial axes)", lhs=r"\mathrm{MACs}_{\mathrm{dense}}")
subm = t.formula("subm_conv_macs", Na * (1 + (K - 1) * q) * Ci * Co, unit="MAC",
                 description="expected submanifold sparse conv MACs: each active site meets itself and "
                             "q·(K − 1) active neighbours",
                 source=SPCONV, lhs=r"\mathrm{MACs}_{\mathrm{subm}}")
regular = t.formula("regular_sparse_conv_macs", Na * K / V * Ci * Co, unit="MAC",
                    description="expected regular sparse conv MACs: each active input meets K/V outputs "
                                "((k/S)^d; 1.5³ = 3.375 for k = 3, S = 2 in 3-D)",
                    source=SPCONV, lhs=r"\mathrm{MACs}_{\mathrm{reg}}")
t.formula("regular_sparse_active_fraction", 1 - (1 - sp.Min(p, 1))**K, unit="1",
          description="active fraction of the outputs of a stride-1 regular sparse conv under uniform "
                      "random occupancy p ≤ 1 (its window holds at least one active input)",
          source="derived: independent sites, P(no active input among k^d)", lhs=r"p_{\mathrm{out}}")
t.formula("sparse_draft_macs", N / V * K * Ci * Co * p**2, unit="MAC",
          description="the draft's rule: dense × (1 − sparsity)² with 1 − sparsity = p",
          source="draft §2.1.2 (wrong)", lhs=r"\mathrm{MACs}_{\mathrm{draft}}")

# Derived by sympy: submanifold / dense at stride 1 with N_a = p·N and uniform occupancy (q = p).
t.formula("subm_dense_ratio_uniform",
          sp.factor(sp.simplify((subm.expr / dense.expr).subs({Na: p * N, q: p, V: 1}))), unit="1",
          description="submanifold / dense MACs under uniform random occupancy: p(1 + (K − 1)p)/K",
          source="derived: subm_conv_macs / dense_conv_macs with N_a = pN, q = p, V = 1",
          lhs=r"\rho_{\mathrm{subm}}")
t.formula("regular_dense_ratio",
          sp.simplify((regular.expr / dense.expr).subs({Na: p * N})), unit="1",
          description="regular sparse / dense MACs: exactly p, linear in the occupancy (not p²)",
          source="derived: regular_sparse_conv_macs / dense_conv_macs with N_a = pN",
          lhs=r"\rho_{\mathrm{reg}}")
