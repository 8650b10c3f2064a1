"""Idle states (C-states): break-even residency and the energy of an idle interval (§21.3.4).

Staying in the shallower state (power P_0) for an idle interval t costs P_0·t. Entering a
deeper state costs its entry+exit energy E_tr over the transition time t_tr plus P_c for the
rest: E_tr + P_c·(t − t_tr). The break-even residency — Linux's ``min-residency-us``, "inclusive
of preparation and entry, for this idle state to be considered worthwhile energy wise"
(Documentation/devicetree/bindings/cpu/idle-states.yaml) — is where the two are equal, and never
shorter than the transition itself. Solved here by sympy, as is the transition energy a
published break-even residency implies.
"""

import sympy as sp

from ..registry import Topic

t = Topic("power_idle", section="21.3.4")
P0 = t.symbol("P_0", "power of the shallower state (e.g. WFI clock-gated idle)", "W")
Pc = t.symbol("P_c", "power while resident in the deeper state", "W", nonnegative=True, positive=None)
E_tr = t.symbol("E_tr", "entry + exit energy of the deeper state", "J", nonnegative=True, positive=None)
t_tr = t.symbol("t_tr", "entry + exit latency of the deeper state", "s", nonnegative=True, positive=None)
t_i = t.symbol("t_i", "length of the idle interval", "s", nonnegative=True, positive=None)
t_be = t.symbol("t_be", "break-even (minimum) residency", "s")

SRC = "Linux Documentation/devicetree/bindings/cpu/idle-states.yaml §2 (idle state parameters)"

_shallow = P0 * t_i
_deep = E_tr + Pc * (t_i - t_tr)
t.formula("cstate_idle_energy", _deep, unit="J",
          description="energy of an idle interval t_i spent in a state: E_tr + P_c·(t_i − t_tr), t_i ≥ t_tr",
          source=SRC, lhs=r"E_{\mathrm{idle}}")
_sol = sp.solve(sp.Eq(_shallow, _deep), t_i)
if len(_sol) != 1:  # pragma: no cover - guards the derivation
    raise RuntimeError(f"break-even derivation gave {_sol}")
be = t.formula("cstate_break_even", sp.Max(t_tr, sp.simplify(_sol[0])), unit="s",
               description=("break-even residency: the idle interval above which the deeper state saves "
                            "energy, max(t_tr, (E_tr − P_c·t_tr)/(P_0 − P_c)) (derived: P_0·t = E_tr + P_c·(t − t_tr))"),
               source=f"derived; {SRC}", lhs=r"t_{\mathrm{be}}")
_etr = sp.solve(sp.Eq(_shallow.subs(t_i, t_be), _deep.subs(t_i, t_be)), E_tr)
t.formula("cstate_implied_transition_energy", sp.expand(_etr[0]), unit="J",
          description=("entry+exit energy implied by a published break-even residency t_be: "
                       "P_0·t_be − P_c·(t_be − t_tr) (derived: the break-even equation solved for E_tr)"),
          source=f"derived; {SRC}", lhs=r"E_{\mathrm{tr}}")
