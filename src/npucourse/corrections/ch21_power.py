"""Corrections to Chapter 21 §21.3 (power) and exercises 21.3 and 21.8. Every model value is
computed by the package (npucourse.power); the settings the checks use are stated once here."""

from __future__ import annotations

from . import Correction

#: Static power of a busy A72 core where a check needs one (assumption, as in exercise 21.3).
STATIC_W = 0.1
#: The draft's exercise-21.3 answer: decode at 60 % of the highest frequency.
EX3_FRACTION = 0.6
#: Leakage parameters for the temperature checks (assumption: V_th = 0.3 V, n = 1.5).
VTH_V, N_SLOPE = 0.3, 1.5
#: Package chain for the multi-node check (assumption): 5 W, θ_jc 2, θ_cs 1, θ_sa 10 K/W, 25 °C.
CHAIN = dict(power_w=5.0, theta_jc=2.0, theta_cs=1.0, theta_sa=10.0, t_amb_c=25.0)
#: Thermal-budget check: limit 85 °C, current 80 °C on the ``passive-mobile`` preset.
BUDGET = dict(preset="passive-mobile", t_max_c=85.0, t_now_c=80.0)
#: Migration cost from the draft's lower figures: pause 10 µs + state 50 µs + cache warm-up 100 µs.
MIGRATION_S = 10e-6 + 50e-6 + 100e-6

A72 = "rk3399-a72"


def _dvfs() -> list[Correction]:
    from ..power import dvfs
    from ..power.opp import get

    t = get(A72)
    p = t.dynamic_power()
    f, volt = t.freqs_hz, t.volts_v
    out = []
    ratio_p = float(p[-1] / p[0])
    out.append(Correction(
        id="ch21-power-v-prop-f", chapter=21, section="21.3.1",
        claim="由于 V ∝ f，动态功耗 P ∝ f³",
        draft_value=f"P(f_max)/P(f_min) = (f_max/f_min)³ = {(f[-1] / f[0]) ** 3:.1f}",
        model_value=ratio_p, unit="×", convention="RK3399 Cortex-A72 OPP table, P = C·V²·f, one core",
        verdict="wrong",
        reason=(f"真实 OPP 表里电压不与频率成正比：频率从 {f[0] / 1e6:.0f} 到 {f[-1] / 1e6:.0f} MHz 增加 "
                f"{f[-1] / f[0]:.2f} 倍，电压只从 {volt[0]:.2f} V 升到 {volt[-1]:.2f} V（{volt[-1] / volt[0]:.2f} 倍），"
                f"408 与 600 MHz 还共用同一电压下限。按 C·V²·f 算，功耗只变 {ratio_p:.1f} 倍，不是 f³ 给出的数。"),
        source="npucourse.power.opp.OPPTable.dynamic_power; rk3399-opp.dtsi, rk3399.dtsi"))

    e_cycle = float(volt[-1] ** 2 / volt[0] ** 2)
    ph = dvfs.Phase("compute-bound", 1e9)
    best = dvfs.min_energy_opp(ph, t, static_power_w=STATIC_W)
    s = best.sweep
    out.append(Correction(
        id="ch21-power-energy-f2", chapter=21, section="21.3.1",
        claim="计算受限负载的能耗 E ∝ f²，降低频率可以显著提高能效",
        draft_value=f"E(f_max)/E(f_min) = (f_max/f_min)² = {(f[-1] / f[0]) ** 2:.1f}",
        model_value=float(s.energy_j[-1] / s.energy_j[0]), unit="×",
        convention=f"1e9 cycles on one A72 core, static power {STATIC_W} W (assumption)", verdict="wrong",
        reason=(f"固定周期数时动态能耗只与每周期能量 C·V² 有关，最高与最低 OPP 之比是 V² 之比 {e_cycle:.2f}，"
                f"而不是 f²；加上静态功耗（它乘的是运行时间），最省能的 OPP 是 {best.opp.freq_hz / 1e6:.0f} MHz，"
                f"降到 {f[0] / 1e6:.0f} MHz 反而多耗 {s.energy_j[0] / best.energy_j - 1:.0%} 能量。"
                f"表中给出的是 E(f_max)/E(f_min) 的模型值。"),
        source="npucourse.power.dvfs.min_energy_opp; formulas dvfs_energy_per_cycle, dvfs_energy_compute"))

    out.append(Correction(
        id="ch21-power-dvfs-switch-latency", chapter=21, section="21.3.1",
        claim="DVFS 切换开销：电压调节延迟 10–100 μs",
        draft_value="10–100 µs", model_value=t.transition_latency_s, unit="s",
        convention="RK3399 clock-latency-ns of every CPU OPP", verdict="correct",
        reason=(f"RK3399 设备树给每个 CPU OPP 的切换延迟是 {t.transition_latency_s * 1e6:.0f} µs，落在草稿的区间里；"
                "模型在每次换 OPP 时计入这段停顿。"),
        source="npucourse.power.opp.get('rk3399-a72').transition_latency_s; rk3399-opp.dtsi"))
    return out


def _exercise3() -> list[Correction]:
    from ..power import dvfs

    setup = dvfs.exercise_21_3()
    t = setup["table"]
    decode = setup["phases"][1]
    opp60 = t.nearest(EX3_FRACTION * t.f_max)
    i60, imax = t.index(opp60.freq_hz), len(t) - 1
    s = dvfs.sweep(decode, t, static_power_w=STATIC_W)
    s_max = dvfs.sweep(dvfs.transformer_b1_phases(overlap="max")[1], t, static_power_w=STATIC_W)
    p_ratio = float(s.power_w[imax] / s.power_w[i60])
    p_dyn_ratio = float(t.dynamic_power()[imax] / t.dynamic_power()[i60])
    t_ratio = float(s.time_s[i60] / s.time_s[imax])
    out = []
    conv = (f"exercise 21.3 setting: {dvfs.TRANSFORMER_B1_SOURCE}; static {STATIC_W} W; "
            f"60 % of 1800 MHz → nearest OPP {opp60.freq_hz / 1e6:.0f} MHz")
    out.append(Correction(
        id="ch21-power-ex3-power-ratio", chapter=21, section="练习 21.3",
        claim="decode 降频到 60%：功耗降低 1.9 倍", draft_value="1.9×", model_value=p_ratio, unit="×",
        convention=conv, verdict="wrong",
        reason=(f"在 RK3399 A72 的 OPP 表上，{opp60.freq_hz / 1e6:.0f} MHz 的电压是 {opp60.volt_v:.3f} V，"
                f"动态功耗比 1800 MHz 低 {p_dyn_ratio:.2f} 倍，计入 {STATIC_W} W 静态功耗后低 {p_ratio:.2f} 倍；"
                f"草稿自己的 f³ 规律会给出 {1 / EX3_FRACTION ** 3:.1f} 倍，两者都不是 1.9。按 P ∝ V²·f，"
                f"1.9 倍意味着每周期能量 V² 只降到 1/(1.9×0.6) = {1 / (1.9 * EX3_FRACTION):.2f}，即电压只降约 "
                f"{1 - (1 / (1.9 * EX3_FRACTION)) ** 0.5:.0%}，而 OPP 表里电压从 {t.volts_v[-1]:.2f} V 降到 "
                f"{opp60.volt_v:.3f} V（{1 - opp60.volt_v / t.volts_v[-1]:.0%}）。"),
        source="npucourse.power.dvfs.sweep; npucourse.power.opp"))
    out.append(Correction(
        id="ch21-power-ex3-decode-time", chapter=21, section="练习 21.3",
        claim="decode 降频到 60%：时间增加 1.67 倍", draft_value="1.67×", model_value=t_ratio, unit="×",
        convention=conv + "; memory time and compute not overlapped", verdict="wrong",
        reason=(f"batch = 1 的 decode 每个 token 都要把全部权重从 DRAM 读一遍，是内存受限的；只有计算那一小部分随 1/f 变长，"
                f"时间只增加到 {t_ratio:.2f} 倍（内存与计算重叠时为 "
                f"{float(s_max.time_s[i60] / s_max.time_s[imax]):.2f} 倍）。1/0.6 = 1.67 只对纯计算受限的工作成立。"),
        source="npucourse.power.dvfs.transformer_b1_phases, Phase.time_s"))

    base = dvfs.simulate_schedule(setup["phases"], dvfs.max_frequency_schedule(setup["phases"], t), t,
                                  static_power_w=STATIC_W)
    share = base.segments[1].time_s / base.latency_s
    implied = (1 / EX3_FRACTION - 1) * share
    out.append(Correction(
        id="ch21-power-ex3-self-consistency", chapter=21, section="练习 21.3",
        claim="功耗降 1.9 倍、时间增 1.67 倍 ⇒ 整体功耗降低约 35%，延迟增加约 15%",
        draft_value="−35 % power, +15 % latency", model_value=float(implied), unit="",
        convention=conv + "; decode share of the baseline latency from the model", verdict="wrong",
        reason=(f"按草稿自己的数字，decode 的能耗只变为 1.67/1.9 = 0.88 倍，即最多省 12%，整体不可能省 35%；"
                f"而 decode 占 batch = 1 总延迟的 {share:.0%}，它若真变慢 1.67 倍，总延迟要增加约 {implied:.0%}，"
                "不是 15%。草稿还把“功耗”和“能耗”混用：题目要的是能耗。表中给出的是草稿数字推出的延迟增幅。"),
        source="npucourse.power.dvfs.simulate_schedule"))

    chk = dvfs.check_dvfs_target(schedule={"prefill": t.f_max, "decode": opp60.freq_hz}, **setup)
    out.append(Correction(
        id="ch21-power-ex3-answer", chapter=21, section="练习 21.3",
        claim="prefill 保持高频、decode 降到 60% 频率，可省电 30% 且延迟增加不超过 20%",
        draft_value="−35 %, +15 %", model_value=float(chk.energy_saving), unit="",
        convention=conv + f"; latency increase {chk.latency_increase:.3f}", verdict="misleading",
        reason=(f"策略本身可行：在模型里它省下 {chk.energy_saving:.0%} 的能耗，延迟只增加 {chk.latency_increase:.0%}"
                f"（{'满足' if chk.passed else '不满足'}题目要求）。但原因不是草稿的数字，而是 decode 内存受限："
                "降频几乎不拖慢它，却让每个周期的 C·V² 和功耗大幅下降。表中给出模型算出的能耗节省比例。"),
        source="npucourse.power.dvfs.check_dvfs_target, exercise_21_3"))
    return out


def _biglittle() -> list[Correction]:
    from .. import formulas
    from ..power import biglittle as bl

    a53, a72 = bl.core("rk3399-a53"), bl.core("rk3399-a72")
    s53, s72 = bl.task_sweep(1.0, a53), bl.task_sweep(1.0, a72)
    out = []
    ratio = float(s72.energy_j.min() / s53.energy_j.min())
    out.append(Correction(
        id="ch21-power-little-efficiency", chapter=21, section="21.3.2",
        claim="小核适合能效优先的任务", draft_value="(qualitative)", model_value=ratio, unit="×",
        convention="energy per instruction, dynamic only, best OPP of each core; IPC from capacity-dmips-mhz",
        verdict="correct",
        reason=(f"A53 每条指令最低 {s53.energy_j.min() * 1e12:.0f} pJ，A72 最低 {s72.energy_j.min() * 1e12:.0f} pJ，"
                f"大核是小核的 {ratio:.1f} 倍；A53 在最高频时（{s53.energy_j.max() * 1e12:.0f} pJ）也不比 A72 最低频差。"
                "代价是速度：A72 在 1.8 GHz 的吞吐是 A53 最高频的 "
                f"{(a72.ipc * a72.table.f_max) / (a53.ipc * a53.table.f_max):.1f} 倍。"),
        source="npucourse.power.biglittle.task_sweep; rk3399.dtsi capacity-dmips-mhz, dynamic-power-coefficient"))

    saved = formulas.get("bl_migration_time_saved")
    mig = bl.migration_break_even(a53, a53.table.f_max, a72, a72.table.f_max, migration_time_s=MIGRATION_S,
                                  migration_energy_j=0.0)
    out.append(Correction(
        id="ch21-power-migration-benefit-units", chapter=21, section="21.3.2",
        claim="Expected_Benefit = (Performance_new − Performance_current) × Remaining_Time > Cost_migration",
        draft_value="(ΔPerformance)·T_remaining > Cost_migration",
        model_value=f"Δt = {saved.expr} > t_mig", unit="", convention="rates r = IPC·f [instr/s]",
        verdict="unit-mismatch",
        reason=("性能差乘以剩余时间得到的是“多完成的工作量”（指令数），而迁移开销是时间，两者不能比较。应比较节省的时间 "
                "T_rem·(1 − r_当前/r_目标) 与迁移时间，或等价地要求剩余工作量超过盈亏点 t_mig·r₁·r₂/(r₂ − r₁)："
                f"按草稿的 10+50+100 µs 开销，从 A53 迁到 A72（均为最高频）需剩余 {mig.instructions_for_time:,.0f} 条指令以上"
                f"（A53 上约 {mig.instructions_for_time / mig.rate_from * 1e6:.0f} µs 的工作）。"),
        source="formulas bl_migration_time_saved, bl_migration_break_even_time; npucourse.power.biglittle"))
    return out


def _precision() -> list[Correction]:
    from ..power import precision as pr

    rel = pr.relative_energy(("int16", "fp16", "fp32"), op="mult", reference="int8")
    i16 = pr.op_energy("int16", "mult")
    out = [
        Correction(
            id="ch21-power-int16-mult-ratio", chapter=21, section="21.3.3",
            claim="INT16 乘法能耗是 INT8 的 3.7 倍", draft_value="3.7×", model_value=float(rel["int16"]), unit="×",
            convention="energy per multiply, 45 nm", verdict="misleading",
            reason=("Horowitz 的表里没有 16 位整数；用表中 int8（0.2 pJ）与 int32（3.1 pJ）拟合幂律 E ∝ 位宽^p，"
                    f"p = {i16.exponent:.2f}（接近乘法器面积 ∝ 位宽²），插值得 "
                    f"{i16.energy_pj:.2f} pJ，约为 int8 的 {rel['int16']:.1f} 倍。3.7 的量级对，但它是估计，不是测量值。"),
            source="npucourse.power.precision.op_energy (interpolated=True); " + pr.HOROWITZ_SOURCE),
        Correction(
            id="ch21-power-fp16-mult-ratio", chapter=21, section="21.3.3",
            claim="FP16 乘法能耗是 INT8 的 4.5 倍", draft_value="4.5×", model_value=float(rel["fp16"]), unit="×",
            convention="energy per multiply, 45 nm", verdict="wrong",
            reason=(f"Horowitz 表：FP16 乘法 {pr.HOROWITZ_PJ[('fp16', 'mult')]} pJ，INT8 乘法 "
                    f"{pr.HOROWITZ_PJ[('int8', 'mult')]} pJ，比值 {rel['fp16']:.1f}。"),
            source="npucourse.power.precision.relative_energy; " + pr.HOROWITZ_SOURCE),
        Correction(
            id="ch21-power-fp32-mult-ratio", chapter=21, section="21.3.3",
            claim="FP32 乘法能耗是 INT8 的 18.5 倍", draft_value="18.5×", model_value=float(rel["fp32"]), unit="×",
            convention="energy per multiply, 45 nm", verdict="correct",
            reason=f"3.7 pJ / 0.2 pJ = {rel['fp32']:.1f}，与 Horowitz 表一致。",
            source="npucourse.power.precision.relative_energy; " + pr.HOROWITZ_SOURCE),
    ]
    mac8, mac32 = pr.mac_energy("int8"), pr.mac_energy("fp32")
    e_b = pr.energy_per_byte("dram")
    out.append(Correction(
        id="ch21-power-memory-energy", chapter=21, section="21.3.3",
        claim="数据传输能耗与数据量成正比，量化直接减少传输量（FP32→INT8 为 4×）",
        draft_value="E_memory = N_bytes × E_per_byte; 4× fewer bytes", model_value=float(e_b / mac8.energy_j),
        unit="int8 MACs per DRAM byte", convention="DRAM 1300 pJ per 64 bit (low end); int8 MAC with int32 add",
        verdict="correct",
        reason=(f"成立，而且这一项往往占大头：按 Horowitz 的下限，从 DRAM 读 1 字节约 {e_b * 1e12:.0f} pJ，"
                f"相当于 {e_b / mac8.energy_j:.0f} 次 int8 MAC（{mac8.energy_pj:.2f} pJ）或 "
                f"{e_b / mac32.energy_j:.0f} 次 fp32 MAC；量化省下的字节数对总能耗的影响常常大于算术单元本身。"),
        source="npucourse.power.precision.energy_per_byte, mac_energy; " + pr.HOROWITZ_SOURCE))
    return out


def _idle() -> list[Correction]:
    from .. import formulas
    from ..power import batch_policy as bp
    from ..power.idle import get as idle_states
    from ..power.opp import get

    out = []
    race = formulas.get("dvfs_race_derivative")
    out.append(Correction(
        id="ch21-power-race-to-idle-condition", chapter=21, section="21.3.4",
        claim="若 d(P_active·T_active)/df < 0，则提高频率可以降低总能耗",
        draft_value="d(P_a·T_a)/df < 0", model_value=f"dE_T/df = {race.expr}", unit="J/Hz",
        convention="compute-bound work N cycles at fixed V, period T", verdict="wrong",
        reason=("总能耗 E = P_a·T_a + P_idle·(T − T_a) 中空闲时间随 T_a 缩短而变长，求导时不能丢掉 −P_idle·dT_a/df 这一项；"
                "正确的条件是 d[(P_a − P_idle)·T_a]/df < 0。固定电压下它化为 P_s > P_idle：只有运行时的静态功耗高于空闲功耗，"
                "“冲刺后休眠”才省能；草稿的条件在 P_s > 0 时总成立，会高估 race-to-idle 的收益。"),
        source="formula dvfs_race_derivative (sympy derivative of dvfs_energy_period)"))

    st = idle_states(A72)
    e_wake = st.transition_energy_j(len(st) - 1)
    w = bp.DEFAULT_WORKLOAD
    t = get(A72)
    e_req = float(t.dynamic_power()[-1] * w.service_time_s(1, t.f_max))
    out.append(Correction(
        id="ch21-power-batch-wakeup", chapter=21, section="21.3.4",
        claim="批处理通过分摊唤醒开销降低每请求能耗：E = (E_wakeup + N·E_process)/N",
        draft_value="(E_wakeup + N·E_process)/N", model_value=float(e_wake / e_req), unit="",
        convention=("RK3399 CLUSTER_SLEEP entry+exit energy implied by its 2 ms min-residency (assumed idle powers) "
                    "vs one request of the exercise-21.8 workload at 1.8 GHz"), verdict="misleading",
        reason=(f"公式本身对，但在这个平台上唤醒能量只有约 {e_wake * 1e6:.0f} µJ，是单个请求能耗"
                f"（{e_req * 1e3:.1f} mJ）的 {e_wake / e_req:.2%}，靠分摊它几乎省不了什么。批处理真正分摊的是每批固定的"
                "计算和权重读取时间 t_fixed(f)；同时还要算上等待凑批的延迟。表中给出唤醒能量占单请求能耗的比例。"),
        source="npucourse.power.idle (cstate_implied_transition_energy); npucourse.power.batch_policy.DEFAULT_WORKLOAD"))

    out.append(Correction(
        id="ch21-power-cstate-selection", chapter=21, section="21.3.4",
        claim="下一状态 = f(预测空闲时间, 转换开销, 唤醒延迟要求)",
        draft_value="(qualitative)", model_value=st.break_even_s(st.index("CLUSTER_SLEEP")), unit="s",
        convention="RK3399 A72 idle states", verdict="correct",
        reason=(f"Linux cpuidle 正是这样选：取盈亏时间（min-residency）不超过预测空闲、退出延迟满足要求的最深状态。"
                f"RK3399 的 CPU_SLEEP 盈亏时间 {st.break_even_s(1) * 1e3:.1f} ms、退出 {st.states[1].exit_s * 1e6:.0f} µs，"
                f"CLUSTER_SLEEP {st.break_even_s(2) * 1e3:.1f} ms、退出 {st.states[2].exit_s * 1e6:.0f} µs；"
                "空闲短于 0.9 ms 时只能停在 WFI。"),
        source="npucourse.power.idle.IdleStates.choose; rk3399.dtsi idle-states"))
    return out


def _thermal() -> list[Correction]:
    from .. import formulas
    from ..power import thermal as th

    out = []
    t25, t85 = th.kelvin(25.0), th.kelvin(85.0)
    good = float(th.Leakage(1.0, t25, VTH_V, N_SLOPE).ratio(t85))
    bad = float(th.draft_leakage_ratio(t85, t25, VTH_V))
    out.append(Correction(
        id="ch21-power-leakage-sign", chapter=21, section="21.3.5",
        claim="P_leakage ∝ T²·e^{V/(kT)}，温度上升导致泄漏功耗指数增长",
        draft_value=f"T²·exp(+V/(kT)): P(85 °C)/P(25 °C) = {bad:.2f} at V = {VTH_V} V",
        model_value=good, unit="×",
        convention=f"P(85 °C)/P(25 °C), V_th = {VTH_V} V, n = {N_SLOPE} (assumption)", verdict="wrong",
        reason=("指数的符号错了。亚阈值电流 I ∝ T²·exp(−q·V_th/(n·k·T))：温度升高时指数里的负数变小，泄漏增大。"
                f"草稿的 exp(+V/(kT)) 随温度升高而减小，按它 25→85 °C 泄漏会降到 {bad:.2f} 倍；"
                f"正确公式给出增大 {good:.1f} 倍。"),
        source="npucourse.power.thermal.Leakage.ratio, draft_leakage_ratio; formula thermal_leakage_log_ratio"))
    lo = float(th.Leakage(1.0, t25, 0.2, N_SLOPE).ratio(t85))
    hi = float(th.Leakage(1.0, t25, 0.4, N_SLOPE).ratio(t85))
    out.append(Correction(
        id="ch21-power-leakage-25-85", chapter=21, section="21.3.5",
        claim="25 °C → 85 °C：泄漏功耗增加 5–10 倍", draft_value="5–10×", model_value=good, unit="×",
        convention=f"V_th = {VTH_V} V, n = {N_SLOPE} (assumption)", verdict="correct",
        reason=(f"用正确符号的公式，V_th = {VTH_V} V、n = {N_SLOPE} 时为 {good:.1f} 倍；结果对阈值电压很敏感："
                f"V_th 从 0.2 V 到 0.4 V，倍数从 {lo:.1f} 变到 {hi:.1f}。草稿的量级成立，但只对较高的阈值电压；"
                "此外栅极泄漏几乎不随温度变化，会拉低总泄漏的温度系数。"),
        source="npucourse.power.thermal.Leakage.ratio"))

    share25 = 0.10
    share85 = share25 * good / ((1 - share25) + share25 * good)
    out.append(Correction(
        id="ch21-power-leakage-share", chapter=21, section="21.3.5",
        claim="泄漏占总功耗的比例从 10% 增至 40%", draft_value="10 % → 40 %", model_value=float(share85), unit="",
        convention=(f"leakage 10 % of the total at 25 °C, dynamic power unchanged, 85 °C; V_th = {VTH_V} V, "
                    f"n = {N_SLOPE} (assumption)"), verdict="correct",
        reason=(f"若 25 °C 时泄漏占 10%，到 85 °C 泄漏变为 {good:.1f} 倍而动态功耗不变，占比为 "
                f"0.1×{good:.1f}/(0.9 + 0.1×{good:.1f}) = {share85:.0%}，与草稿一致；但这依赖于泄漏随温度增大，"
                "正与草稿所写公式的方向相反。"),
        source="npucourse.power.thermal.Leakage.ratio"))

    af_lo = float(th.acceleration_factor(0.7, th.kelvin(55.0), th.kelvin(65.0)))
    af_hot = float(th.acceleration_factor(0.7, th.kelvin(105.0), th.kelvin(115.0)))
    af_low_ea = float(th.acceleration_factor(0.3, th.kelvin(55.0), th.kelvin(65.0)))
    out.append(Correction(
        id="ch21-power-arrhenius-10c", chapter=21, section="21.3.5",
        claim="每升高 10 °C，寿命大约减半", draft_value="AF(+10 °C) ≈ 2", model_value=af_lo, unit="×",
        convention="JEP122 Arrhenius, E_a = 0.7 eV, 55 → 65 °C", verdict="misleading",
        reason=(f"Arrhenius 加速因子取决于激活能和温度本身：E_a = 0.7 eV 时 55→65 °C 为 {af_lo:.2f}，"
                f"105→115 °C 只有 {af_hot:.2f}；E_a = 0.3 eV 时 55→65 °C 仅 {af_low_ea:.2f}。"
                "“10 °C 减半”只是特定激活能、特定温度附近的经验值。MTTF ∝ exp(E_a/(kT)) 的形式本身正确，温度须用开尔文。"),
        source="npucourse.power.thermal.acceleration_factor; formula reliability_log_af; JEDEC JEP122"))

    rc = th.get(BUDGET["preset"])
    t_max, t_now = th.kelvin(BUDGET["t_max_c"]), th.kelvin(BUDGET["t_now_c"])
    sus = rc.sustainable_power_w(t_max)
    draft_budget = float(formulas.get("thermal_sustainable_power")(R=rc.r_k_per_w, T_amb=t_now, T_max=t_max))
    out.append(Correction(
        id="ch21-power-thermal-budget", chapter=21, section="21.3.5",
        claim="thermal_budget = max_temp − current_temp；power_budget = thermal_budget / thermal_resistance",
        draft_value=f"(T_max − T_now)/R = {draft_budget:.2f} W", model_value=sus, unit="W",
        convention=f"{rc.name}: R = {rc.r_k_per_w} K/W, ambient 25 °C, T_max {BUDGET['t_max_c']} °C, "
                   f"now {BUDGET['t_now_c']} °C", verdict="wrong",
        reason=("热阻把功耗和“相对环境的温升”联系起来：稳态 T = T_amb + P·R，所以可持续功耗是 (T_max − T_amb)/R，"
                f"这里为 {sus:.1f} W。用当前温度代替环境温度，接近上限时预算趋于 0（此例只剩 {draft_budget:.2f} W），"
                "会把芯片压到远低于它能持续的功耗；当前温度只决定还能以多大功率冲刺多久（RC 阶跃响应）。"),
        source="npucourse.power.thermal.ThermalRC.sustainable_power_w; formula thermal_sustainable_power"))

    tj, tc = th.series_temperatures(CHAIN["power_w"], th.kelvin(CHAIN["t_amb_c"]), CHAIN["theta_jc"],
                                    CHAIN["theta_cs"], CHAIN["theta_sa"])
    out.append(Correction(
        id="ch21-power-thermal-chain", chapter=21, section="21.3.5",
        claim="T_die = T_amb + θ_ja·P；T_junction = T_die + θ_jc·P_local；T_case = T_die + θ_cs·P",
        draft_value="T_case = T_die + θ_cs·P (case hotter than the die)", model_value=float(tj - tc), unit="K",
        convention=(f"P = {CHAIN['power_w']} W, θ_jc = {CHAIN['theta_jc']}, θ_cs = {CHAIN['theta_cs']}, "
                    f"θ_sa = {CHAIN['theta_sa']} K/W, ambient {CHAIN['t_amb_c']} °C (assumption)"),
        verdict="wrong",
        reason=("θ_ja 已经是结到环境的总热阻（= θ_jc + θ_cs + θ_sa），T_amb + θ_ja·P 就是结温，再加 θ_jc·P 是重复计算；"
                "热量从结经封装流向散热器，温度沿途降低，封装温度应比结温低 θ_jc·P，而不是在 die 温度上再加。"
                f"此例结温 {th.celsius(tj):.0f} °C，封装 {th.celsius(tc):.0f} °C，差 {float(tj - tc):.0f} K。"),
        source="npucourse.power.thermal.series_temperatures; formulas thermal_junction_series, thermal_case_series"))

    rhs = formulas.get("thermal_ode_rhs")
    out.append(Correction(
        id="ch21-power-thermal-rc", chapter=21, section="21.3.5",
        claim="RC 热模型 dT/dt = (P − K(T − T_amb))/C_thermal", draft_value="(P − K(T − T_amb))/C",
        model_value=f"dT/dt = {rhs.expr}", unit="K/s", convention="K = 1/R (thermal conductance)",
        verdict="correct",
        reason=("与集总 RC 模型一致（K 是热导，即 1/R）。其阶跃响应 T(t) = T_amb + P·R + (T₀ − T_amb − P·R)·e^{−t/RC} "
                "由 sympy 求解，时间常数 R·C 决定峰值性能能维持多久。"),
        source="formulas thermal_ode_rhs, thermal_step_response (sympy dsolve)"))
    return out


def _exercise8() -> list[Correction]:
    from ..power import batch_policy as bp

    draft = bp.simulate_batching(bp.DraftSqrtPolicy(), seed=0)
    ref = bp.simulate_batching(bp.QueueAdaptivePolicy(), seed=0)
    fast = bp.simulate_batching(bp.FixedBatchPolicy(8), seed=0)
    return [Correction(
        id="ch21-power-ex8-draft-policy", chapter=21, section="练习 21.8",
        claim="f = f_min + (f_max − f_min)·(Q/Q_max)^0.5，按队列阈值增减 batch，用 EMA 平滑，可在 P95 < 100 ms 下最小化能耗",
        draft_value="sqrt(Q/Q_max) frequency law", model_value=draft.p95_s, unit="s",
        convention=(f"simulate_batching defaults: rk3399-a72, {bp.DEFAULT_WORKLOAD.name}, Poisson 20/120/50 req/s "
                    f"over 15 s, seed 0; Q_max 32, thresholds 8/2, EMA 0.5, batch ±1"), verdict="wrong",
        reason=(f"频率只看队列长度、不看已等待的时间，短队列时频率过低，请求在队列里越积越久：模拟得 P95 = "
                f"{draft.p95_s * 1e3:.0f} ms，违反 100 ms 的 SLA（每请求 {draft.energy_per_request_j * 1e3:.1f} mJ）。"
                f"同一负载下，按最老请求的等待时间和到达率选最低可行 OPP 的策略 P95 = {ref.p95_s * 1e3:.0f} ms、"
                f"每请求 {ref.energy_per_request_j * 1e3:.1f} mJ；始终最高频为 {fast.energy_per_request_j * 1e3:.1f} mJ。"),
        source="npucourse.power.batch_policy.simulate_batching, DraftSqrtPolicy, QueueAdaptivePolicy")]


def corrections() -> list[Correction]:
    """All §21.3 / exercise 21.3 and 21.8 corrections, model values computed by npucourse.power."""
    return [*_dvfs(), *_exercise3(), *_biglittle(), *_precision(), *_idle(), *_thermal(), *_exercise8()]
