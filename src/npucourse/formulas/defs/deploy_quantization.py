"""Uniform (affine) quantization and its error metrics (Chapter 21 §21.1.2–21.1.4).

Affine quantization as PyTorch computes it (``torch/ao/quantization/observer.py``,
``UniformQuantizationObserverBase._calculate_qparams``): the range is first widened to contain
0 (``min_neg = min(x_min, 0)``, ``max_pos = max(x_max, 0)``), then

* affine:     ``scale = (max_pos - min_neg)/(q_max - q_min)``,
  ``zero_point = clamp(q_min - round(min_neg/scale), q_min, q_max)``;
* symmetric:  ``scale = max(-min_neg, max_pos) / ((q_max - q_min)/2)``, zero point 0;

both floored at ``eps`` (PyTorch: float32 machine epsilon). ``round`` is round-half-to-even
(``torch.round``, ``numpy.rint``), declared below as the sympy function :class:`rint` so that
the generated code calls ``numpy.rint`` and the exact check rounds ties the same way.

Quantize/dequantize: ``q = clamp(round(x/scale) + z, q_min, q_max)``, ``x̂ = (q - z)·scale``
(``torch.quantize_per_tensor`` / ``torch.fake_quantize_per_tensor_affine``).
"""

import sympy as sp

from ..registry import Topic


class rint(sp.Function):  # noqa: N801 (reads like numpy.rint, which it prints as)
    """Round half to even: ``rint(5/2) = 2``, ``rint(7/2) = 4``, ``rint(-5/2) = -2``."""

    is_integer = True

    @classmethod
    def eval(cls, a):  # type: ignore[override]
        if not (a.is_number and a.is_extended_real):
            return None
        f = sp.floor(a)  # exact for rationals and for algebraic numbers (sympy evaluates them)
        if not f.is_Integer:
            return None
        r = a - f - sp.Rational(1, 2)
        if r.is_zero:
            return f + f % 2  # a tie: to the even neighbour
        return f + 1 if bool(r > 0) else f

    def _numpycode(self, printer):  # noqa: D401 (sympy printer hook)
        return f"numpy.rint({printer._print(self.args[0])})"

    def _latex(self, printer):
        return r"\operatorname{round}\left(" + printer._print(self.args[0]) + r"\right)"


t = Topic("deploy_quantization", section="21.1.3")
xmin = t.symbol("x_min", "smallest observed (or clipped) value", "1", real=True, positive=None)
xmax = t.symbol("x_max", "largest observed (or clipped) value", "1", real=True, positive=None)
qmin = t.symbol("q_min", "smallest integer code (0 unsigned, -2^(b-1) signed)", "1", integer=True,
                positive=None)
qmax = t.symbol("q_max", "largest integer code (2^b - 1 unsigned, 2^(b-1) - 1 signed)", "1", integer=True,
                positive=None)
eps = t.symbol("epsilon", "smallest allowed scale (PyTorch: float32 machine epsilon)", "1")
s = t.symbol("s", "scale: real value of one integer step", "1")
z = t.symbol("z", "zero point: the integer code of real 0", "1", integer=True, positive=None)
x = t.symbol("x", "real value", "1", real=True, positive=None)
q = t.symbol("q", "integer code", "1", integer=True, positive=None)
Px = t.symbol("P_x", "signal energy Σx²", "1")
Pe = t.symbol("P_e", "error energy Σ(x - x̂)²", "1")
p = t.symbol("p", "reference probability of a histogram bin", "1")
qq = t.symbol("q_p", "candidate (quantized) probability of the same bin", "1")

PT = "PyTorch torch/ao/quantization/observer.py::_calculate_qparams"
min_neg = sp.Min(xmin, 0)
max_pos = sp.Max(xmax, 0)

t.formula("quant_scale_affine", sp.Max((max_pos - min_neg) / (qmax - qmin), eps), unit="1",
          description="affine scale: (max(x_max,0) - min(x_min,0)) / (q_max - q_min), at least ε",
          source=PT, lhs="s")
t.formula("quant_zero_point_affine", sp.Min(sp.Max(qmin - rint(min_neg / s), qmin), qmax), unit="1",
          description="affine zero point q_min - round(min(x_min,0)/s), clamped to [q_min, q_max]",
          source=PT, lhs="z")
t.formula("quant_scale_symmetric", sp.Max(sp.Max(-min_neg, max_pos) / ((qmax - qmin) / 2), eps), unit="1",
          description="symmetric scale: max(|x_min|, |x_max|) / ((q_max - q_min)/2), zero point 0 (signed)",
          source=PT + " (per_tensor_symmetric / per_channel_symmetric)", lhs="s")
t.formula("quantize_affine", sp.Min(sp.Max(rint(x / s) + z, qmin), qmax), unit="1",
          description="integer code: clamp(round(x/s) + z, q_min, q_max), ties to even",
          source="PyTorch torch.quantize_per_tensor", lhs="q")
t.formula("dequantize_affine", (q - z) * s, unit="1",
          description="real value of code q: (q - z)·s", source="PyTorch Tensor.dequantize", lhs=r"\hat{x}")
t.formula("quant_clip_min", (qmin - z) * s, unit="1",
          description="lowest representable value; below it inputs saturate", source="derived: dequantize_affine(q_min)",
          lhs=r"x_{\mathrm{clip,min}}")
t.formula("quant_clip_max", (qmax - z) * s, unit="1",
          description="highest representable value; above it inputs saturate",
          source="derived: dequantize_affine(q_max)", lhs=r"x_{\mathrm{clip,max}}")
t.formula("quant_rounding_bound", s / 2, unit="1",
          description="largest |x - x̂| inside the clipping range (round to nearest)",
          source="derived: |x/s - round(x/s)| <= 1/2", lhs=r"\max\lvert x-\hat{x}\rvert")
t.formula("sqnr_db", 10 * sp.log(Px / Pe, 10), unit="dB",
          description="signal-to-quantization-noise ratio 10·log10(Σx² / Σ(x - x̂)²)",
          source="textbook definition (e.g. Gray & Neuhoff, Quantization, IEEE Trans. IT 1998)",
          lhs=r"\mathrm{SQNR}")
t.formula("rel_l2_error", sp.sqrt(Pe / Px), unit="1",
          description="relative L2 error ‖x - x̂‖₂ / ‖x‖₂ (the draft's per-layer ε, §21.1.2)",
          source="draft §21.1.2 definition", lhs=r"\varepsilon")
t.formula("kl_term", p * sp.log(p / qq), unit="nat",
          description="one bin's contribution p·ln(p/q) to KL(P‖Q) (bins with p = 0 contribute 0)",
          source="Kullback & Leibler 1951; Migacz, 8-bit Inference with TensorRT, GTC 2017",
          lhs=r"D_{\mathrm{KL}}^{(i)}")
