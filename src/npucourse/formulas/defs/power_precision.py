"""Energy per operation by precision, and the energy of a cost record (§21.3.3).

Measured values come from Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm, 0.9 V).
Widths the table lacks are filled by a power law E ∝ b^p through the two table entries of the
same operation and family — written in log form, ln E(b) = ln E_a + ln(E_b/E_a)·ln(b/b_a)/ln(b_b/b_a),
so the exponent p = ln(E_b/E_a)/ln(b_b/b_a) is fitted from the table, not assumed. For integer
multipliers the fit gives p ≈ 2 (array multiplier area ∝ bits²), for integer adders p ≈ 1.
"""

import sympy as sp

from ...units import BITS_PER_BYTE
from ..registry import Topic

t = Topic("power_precision", section="21.3.3")
E_a = t.symbol("E_a", "table energy at width b_a", "J")
E_b = t.symbol("E_b", "table energy at width b_b", "J")
b_a = t.symbol("b_a", "first table width", "bit")
b_b = t.symbol("b_b", "second table width", "bit")
b = t.symbol("b", "width to estimate", "bit")
E_mul = t.symbol("E_mul", "energy of one multiply", "J")
E_add = t.symbol("E_add", "energy of one add (accumulate)", "J")
E_w = t.symbol("E_w", "energy of one memory access of w bits", "J")
w = t.symbol("w", "bits per memory access", "bit")
M = t.symbol("M", "multiply-accumulates", "MAC", nonnegative=True, positive=None)
E_mac = t.symbol("E_mac", "energy per multiply-accumulate", "J/MAC")
Q = t.symbol("Q", "bytes moved at a memory level", "B", nonnegative=True, positive=None)
e_B = t.symbol("e_B", "energy per byte at that level", "J/B")

HOROWITZ = "Horowitz, Computing's energy problem (and what we can do about it), ISSCC 2014, 45 nm"

p = t.formula("precision_powerlaw_exponent", sp.log(E_b / E_a) / sp.log(b_b / b_a), unit="1",
              description="exponent p of E ∝ b^p fitted through two table entries",
              source=f"assumption: power-law scaling between entries of {HOROWITZ}", lhs=r"p")
t.formula("precision_powerlaw_log_energy", sp.log(E_a) + p.expr * sp.log(b / b_a), unit="ln J",
          description="log of the energy at width b by the fitted power law (E = exp of this)",
          source=f"assumption: power-law scaling between entries of {HOROWITZ}", lhs=r"\ln E(b)")
t.formula("precision_mac_energy", E_mul + E_add, unit="J/MAC",
          description="energy of a multiply-accumulate = one multiply + one add (accumulator width may differ)",
          source=HOROWITZ, lhs=r"E_{\mathrm{MAC}}")
t.formula("precision_energy_per_byte", E_w * sp.Integer(int(BITS_PER_BYTE)) / w, unit="J/B",
          description="energy per byte of a w-bit access: E_w·8/w",
          source=f"{HOROWITZ} (64-bit accesses)", lhs=r"e_{\mathrm{B}}")
t.formula("precision_compute_energy", M * E_mac, unit="J",
          description="arithmetic energy of M multiply-accumulates", source=HOROWITZ,
          lhs=r"E_{\mathrm{compute}}")
t.formula("precision_access_energy", Q * e_B, unit="J",
          description="energy of moving Q bytes at one memory level", source=HOROWITZ,
          lhs=r"E_{\mathrm{access}}")
