"""big.LITTLE: time and energy of a task on a core type, and the break-even of a migration (§21.3.2).

A core of type c retires W instructions in W/(IPC_c·f) seconds; its power at an operating point
is α·C_c·V²·f + P_s. Migrating costs a fixed time t_mig and energy E_mig (pause, state transfer,
cache warm-up). Migrating pays off in time when the remaining work W exceeds the break-even
W*_t, in energy when it exceeds W*_E — both solved by sympy.
"""

import sympy as sp

from ..registry import Topic

t = Topic("power_biglittle", section="21.3.2")
W = t.symbol("W", "instructions (remaining work) of the task", "instr")
ipc = t.symbol("IPC", "instructions per cycle of the core type", "instr/cycle")
f = t.symbol("f", "clock frequency", "Hz")
alpha = t.symbol("alpha", "activity factor", "1")
C = t.symbol("C", "effective switched capacitance of the core", "F")
V = t.symbol("V", "supply voltage", "V")
P_s = t.symbol("P_s", "static power of the core while busy", "W", nonnegative=True, positive=None)
r1 = t.symbol("r_1", "instruction rate IPC·f on the current core", "instr/s")
r2 = t.symbol("r_2", "instruction rate IPC·f on the target core", "instr/s")
e1 = t.symbol("e_1", "energy per instruction on the current core", "J/instr")
e2 = t.symbol("e_2", "energy per instruction on the target core", "J/instr")
t_mig = t.symbol("t_mig", "time cost of migrating (pause + state transfer + cache warm-up)", "s")
E_mig = t.symbol("E_mig", "energy cost of migrating", "J")
T_rem = t.symbol("T_rem", "remaining run time on the current core", "s")

SRC = "textbook (Hennessy & Patterson, CPU time = instructions / (IPC·f)); Linux EAS energy model"

time = t.formula("bl_task_time", W / (ipc * f), unit="s",
                 description="time of W instructions on a core: W/(IPC·f)", source=SRC, lhs=r"t")
energy = t.formula("bl_task_energy", sp.expand((alpha * C * V**2 * f + P_s) * time.expr), unit="J",
                   description="energy of W instructions: (α·C·V²·f + P_s)·W/(IPC·f) (derived)",
                   source=f"derived; {SRC}", lhs=r"E")
t.formula("bl_energy_per_instruction", sp.expand(energy.expr / W), unit="J/instr",
          description="energy per instruction α·C·V²/IPC + P_s/(IPC·f) (derived: E / W)",
          source="derived: bl_task_energy / W", lhs=r"e")

_wt = sp.solve(sp.Eq(W / r1, t_mig + W / r2), W)
t.formula("bl_migration_break_even_time", sp.factor(_wt[0]), unit="instr",
          description=("remaining work above which migrating to the faster core finishes sooner: "
                       "t_mig·r_1·r_2/(r_2 − r_1) (derived: W/r_1 = t_mig + W/r_2)"),
          source="derived", lhs=r"W^{*}_{t}")
_we = sp.solve(sp.Eq(W * e1, E_mig + W * e2), W)
t.formula("bl_migration_break_even_energy", sp.factor(_we[0]), unit="instr",
          description=("remaining work above which migrating to the more efficient core saves energy: "
                       "E_mig/(e_1 − e_2) (derived: W·e_1 = E_mig + W·e_2)"),
          source="derived", lhs=r"W^{*}_{E}")
# Time saved by migrating, written with the remaining time on the current core T_rem = W/r_1
# (the quantity the draft's "Expected_Benefit" tries to express).
t.formula("bl_migration_time_saved", sp.simplify((W / r1 - W / r2).subs(W, T_rem * r1)), unit="s",
          description=("time saved by finishing on the target core: T_rem·(1 − r_1/r_2); compare with "
                       "t_mig (the draft multiplies a rate difference by a time, which is work, not time)"),
          source="derived: W/r_1 − W/r_2 with W = T_rem·r_1", lhs=r"\Delta t")
