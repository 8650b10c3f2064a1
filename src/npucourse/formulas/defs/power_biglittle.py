"""big.LITTLE: time and energy of a task on a core type, and the break-even of a migration (§21.3.2).

A core of type c needs W/IPC_c cycles for W instructions; time and energy at an operating point
then come from the DVFS model (§21.3.1) with that core's OPP table and capacitance.
Migrating costs a fixed time t_mig and energy E_mig (pause, state transfer, cache warm-up).
It pays off in time when the remaining work W exceeds the break-even W*_t, in energy when it
exceeds W*_E — both solved by sympy.
"""

import sympy as sp

from ..registry import Topic

t = Topic("power_biglittle", section="21.3.2")
W = t.symbol("W", "instructions (remaining work) of the task", "instr")
ipc = t.symbol("IPC", "instructions per cycle of the core type", "instr/cycle")
f = t.symbol("f", "clock frequency", "Hz")
r1 = t.symbol("r_1", "instruction rate IPC·f on the current core", "instr/s")
r2 = t.symbol("r_2", "instruction rate IPC·f on the target core", "instr/s")
e1 = t.symbol("e_1", "energy per instruction on the current core", "J/instr")
e2 = t.symbol("e_2", "energy per instruction on the target core", "J/instr")
t_mig = t.symbol("t_mig", "time cost of migrating (pause + state transfer + cache warm-up)", "s")
E_mig = t.symbol("E_mig", "energy cost of migrating", "J")
T_rem = t.symbol("T_rem", "remaining run time on the current core", "s")

SRC = "textbook (Hennessy & Patterson, CPU time = instructions / (IPC·f)); Linux EAS energy model"

t.formula("bl_cycles", W / ipc, unit="cycle",
          description=("cycles a core of a given IPC needs for W instructions; time and energy then follow "
                       "from the DVFS model (dvfs_time_sum, dvfs_energy_period)"),
          source=SRC, lhs=r"N")
t.formula("bl_instruction_rate", ipc * f, unit="instr/s",
          description="instructions per second of a compute-bound task: IPC·f", source=SRC, lhs=r"r")

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
