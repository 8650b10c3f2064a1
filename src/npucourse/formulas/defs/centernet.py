"""CenterNet heatmap Gaussian (Chapter 2 §2.1.1).

CornerNet/CenterNet choose the Gaussian radius r so that a box whose corners move by up to r
still has IoU ≥ o with the ground truth; three cases (both corners inside / outside / one each)
give three quadratics in r, and the smallest root wins. The drawn Gaussian has diameter
2·⌊r⌋ + 1 and σ = diameter / 6.
"""

import sympy as sp

from ..registry import Topic

t = Topic("centernet", section="2.1.1")
h = t.symbol("h", "box height on the output heatmap", "px")
w = t.symbol("w", "box width on the output heatmap", "px")
o = t.symbol("o", "minimum IoU overlap (min_overlap)", "1")

SRC = "xingyizhou/CenterNet src/lib/utils/image.py::gaussian_radius, draw_umich_gaussian (from CornerNet)"


def _root(a, b, c, sign):
    return (b + sign * sp.sqrt(b**2 - 4 * a * c)) / (2 * a)


# Case 1: one corner inside, one outside (a1 = 1).
r1 = _root(1, h + w, w * h * (1 - o) / (1 + o), -1)
# Case 2: both corners inside the ground-truth box.
r2 = _root(4, 2 * (h + w), (1 - o) * w * h, -1)
# Case 3: both corners outside.
r3 = _root(4 * o, -2 * o * (h + w), (o - 1) * w * h, +1)

radius = t.formula("gaussian_radius", sp.Min(r1, r2, r3), unit="px",
                   description="Gaussian radius: smallest root of the three CornerNet IoU cases",
                   source=SRC, lhs="r")
t.formula("heatmap_sigma", (2 * sp.floor(radius.expr) + 1) / 6, unit="px",
          description="σ of the drawn Gaussian: diameter (2⌊r⌋ + 1) over 6",
          source=SRC + " (radius = max(0, int(radius)); sigma = diameter / 6)", lhs=r"\sigma")
t.formula("heatmap_sigma_draft", sp.Max(1, sp.sqrt(w * h) / 3), unit="px",
          description="σ as the draft states it: max(1, √(wh)/3)", source="draft §2.1.1 (not the CenterNet code)",
          lhs=r"\sigma_{\mathrm{draft}}")
