"""Roofline: hand-derived cases on npu-200 and a100-40gb, the hierarchical (multi-level) model,
and its invariants as properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.cost import DRAM, Cost
from npucourse.hardware import Hardware, MemLevel
from npucourse.roofline import analyze, attainable, evaluate, ridge_point, times

NPU = npc.hardware.get("npu-200")
A100 = npc.hardware.get("a100-40gb")


# -- hand-derived cases ---------------------------------------------------------------------

def test_ridge_points_by_hand():
    assert NPU.ridge_point("int8") == 200e12 / 1e12 == 200
    assert NPU.ridge_point("fp16") == 100
    assert NPU.ridge_point("int8", "sram") == 200e12 / 8e12 == 25
    assert A100.ridge_point("fp16") == pytest.approx(312e12 / 1555e9)  # 200.6
    assert A100.ridge_point("fp16", "l2") == pytest.approx(312 / 5)
    assert ridge_point(312e12, 1555e9) == pytest.approx(200.643, rel=1e-5)


def test_attainable_by_hand():
    # npu-200 int8: below the ridge I·B, above it the peak
    assert attainable(50.0, 200e12, 1e12) == 50e12
    assert attainable(200.0, 200e12, 1e12) == 200e12
    assert attainable(1000.0, 200e12, 1e12) == 200e12
    assert np.array_equal(attainable(np.array([1.0, 400.0]), 200e12, 1e12), [1e12, 200e12])


def test_npu200_hierarchical_case_by_hand():
    # 2 GFLOP int8, 5 MB from DRAM, 100 MB through the 8 TB/s SRAM:
    # compute 2e9/200e12 = 10 µs, DRAM 5e6/1e12 = 5 µs, SRAM 1e8/8e12 = 12.5 µs.
    c = Cost("op", macs=1e9, flops=2e9, reads={DRAM: 4e6, "sram": 6e7}, writes={DRAM: 1e6, "sram": 4e7},
             dtype="int8")
    r = analyze(c, NPU)
    assert r.compute_time_s == pytest.approx(10e-6)
    assert r.memory_time_s == pytest.approx({DRAM: 5e-6, "sram": 12.5e-6})
    assert r.time_s == pytest.approx(12.5e-6)
    assert r.bound == "sram"
    assert r.attainable_flops == pytest.approx(2e9 / 12.5e-6)
    assert r.utilization == pytest.approx(0.8)
    assert r.intensity == 2e9 / 5e6 == 400
    assert r.ridge == 200
    # classic roofline = DRAM only: compute-bound at 10 µs
    classic = analyze(c, NPU, levels="dram")
    assert classic.bound == "compute" and classic.time_s == pytest.approx(10e-6)
    assert list(classic.memory_time_s) == [DRAM]


def test_a100_gemv_is_memory_bound_by_hand():
    # 1×4096×4096 fp16: F = 2·4096² FLOP, Q = (4096 + 4096² + 4096)·2 B.
    c = npc.ops.gemm(1, 4096, 4096, dtype="fp16")
    r = analyze(c, A100)
    q = (4096 + 4096**2 + 4096) * 2
    assert r.bound == "memory"
    assert r.time_s == pytest.approx(q / 1555e9)
    assert r.intensity == pytest.approx(2 * 4096**2 / q)
    assert r.attainable_flops == pytest.approx(r.intensity * 1555e9)


def test_a100_square_gemm_is_compute_bound_by_hand():
    # 8192³ fp16: I = 2K/(3·2) = 2730.7 > 200.6: time = 2·8192³ / 312e12.
    r = analyze(npc.ops.gemm(8192, 8192, 8192, dtype="fp16"), A100)
    assert r.bound == "compute"
    assert r.time_s == pytest.approx(2 * 8192**3 / 312e12)
    assert r.utilization == pytest.approx(1.0)


def test_ridge_tie_goes_to_compute():
    c = Cost("tie", flops=200.0, reads={DRAM: 1.0}, dtype="int8")  # I = 200 = ridge
    assert analyze(c, NPU).bound == "compute"


def test_two_level_formula_matches_analyze():
    f = npc.formulas.get("roofline_time_two_level")
    c = Cost("op", flops=3e9, reads={DRAM: 2e6, "sram": 9e7}, dtype="fp16")
    assert analyze(c, NPU).time_s == pytest.approx(f(P=100e12, F=3e9, Q=2e6, B=1e12, Q_s=9e7, B_s=8e12))


def test_one_level_device_is_the_classic_roofline():
    hw = npc.hardware.get("edge-gpu")  # DRAM only
    c = npc.ops.gemm(256, 256, 256, dtype="fp32")
    a, b = analyze(c, hw), analyze(c, hw, levels="dram")
    assert a.time_s == b.time_s and a.bound == b.bound
    t = npc.formulas.get("roofline_time")(P=1e12, B=25.6e9, F=c.flops, Q=c.bytes)
    assert a.time_s == pytest.approx(t)


def test_evaluate_on_arrays_of_devices():
    # the same operator on three devices: P, B as arrays
    f, q = 1e9, 1e7
    p = np.array([1e12, 1e14, 1e15])
    b = np.array([1e11, 1e11, 1e12])
    r = evaluate(f, {DRAM: q}, p, {DRAM: b})
    assert np.allclose(r.time_s, [1e-3, 1e-4, 1e-5])
    assert list(r.bound) == ["compute", "memory", "memory"]
    assert np.allclose(r.ridge, p / b)


def test_times_by_hand():
    t = times(4e9, {DRAM: 2e6, "l2": 1e7}, 2e12, {DRAM: 1e12, "l2": 5e12})
    assert t == pytest.approx({"compute": 2e-3, DRAM: 2e-6, "l2": 2e-6})


# -- properties -----------------------------------------------------------------------------

sizes = st.integers(1, 1 << 13)
presets = st.sampled_from(["npu-200", "a100-40gb", "a100-80gb", "jetson-agx-orin", "edge-gpu"])
dtypes = st.sampled_from(["fp16", "int8", "fp32"])


def _hier_cost(m, n, k, dt, sram_factor):
    """A GEMM with extra on-chip traffic (sram_factor × its DRAM bytes)."""
    g = npc.ops.gemm(m, n, k, dtype=dt)
    return g + Cost("onchip", reads={"sram": sram_factor * g.bytes}, dtype=dt)


@given(m=sizes, n=sizes, k=sizes, hw=presets, dt=dtypes, f=st.floats(0, 50))
def test_time_bounds(m, n, k, hw, dt, f):
    h = npc.hardware.get(hw)
    c = npc.ops.gemm(m, n, k, dtype=dt)
    if "sram" in [lv.name for lv in h.levels]:
        c = _hier_cost(m, n, k, dt, f)
    r = analyze(c, h)
    assert r.time_s >= r.compute_time_s
    for lv, t in r.memory_time_s.items():
        assert r.time_s >= t
        assert t == pytest.approx(c.bytes_at(lv) / h.bandwidth(lv))
    assert r.time_s in [r.compute_time_s, *r.memory_time_s.values()]
    assert r.attainable_flops <= h.peak_ops(dt) * (1 + 1e-12)
    assert 0 < r.utilization <= 1 + 1e-12
    # the classic roofline never gives more time than the hierarchical one
    assert analyze(c, h, levels="dram").time_s <= r.time_s


@given(m=sizes, n=sizes, k=sizes, dm=st.integers(0, 1000), dn=st.integers(0, 1000), dk=st.integers(0, 1000),
       hw=presets)
def test_bigger_gemm_takes_more_time(m, n, k, dm, dn, dk, hw):
    h = npc.hardware.get(hw)
    small = analyze(npc.ops.gemm(m, n, k, dtype="fp16"), h).time_s
    big = analyze(npc.ops.gemm(m + dm, n + dn, k + dk, dtype="fp16"), h).time_s
    assert big >= small
    if dm or dn or dk:
        assert big > small  # both F and every byte count grow strictly


@given(m=sizes, n=sizes, k=sizes, bw=st.floats(1e9, 1e13), more=st.floats(1.0, 100.0), f=st.floats(0, 50))
def test_more_bandwidth_never_more_time(m, n, k, bw, more, f):
    def device(scale):
        return Hardware("x", peak={"fp16": 1e14},
                        levels=(MemLevel("sram", 10 * bw * scale), MemLevel(DRAM, bw * scale)), source="test")

    c = _hier_cost(m, n, k, "fp16", f)
    slow, fast = analyze(c, device(1.0)), analyze(c, device(more))
    assert fast.time_s <= slow.time_s
    assert fast.attainable_flops >= slow.attainable_flops


@given(ms=st.lists(sizes, min_size=1, max_size=20), n=sizes, k=sizes, hw=presets, f=st.floats(0, 50))
def test_vectorised_analyze_equals_scalar(ms, n, k, hw, f):
    h = npc.hardware.get(hw)
    has_sram = "sram" in [lv.name for lv in h.levels]
    arr = np.array(ms)
    c = _hier_cost(arr, n, k, "fp16", f) if has_sram else npc.ops.gemm(arr, n, k, dtype="fp16")
    rv = analyze(c, h)
    for i, m in enumerate(ms):
        cs = _hier_cost(m, n, k, "fp16", f) if has_sram else npc.ops.gemm(m, n, k, dtype="fp16")
        rs = analyze(cs, h)
        assert rv.time_s[i] == rs.time_s
        assert rv.bound[i] == rs.bound
        assert rv.attainable_flops[i] == rs.attainable_flops
        assert rv.intensity[i] == rs.intensity
        for lv in rs.memory_time_s:
            assert rv.memory_time_s[lv][i] == rs.memory_time_s[lv]


@given(p=st.floats(1e9, 1e16), b=st.floats(1e8, 1e13), i=st.floats(0, 1e5))
def test_attainable_is_min_of_ceilings(p, b, i):
    a = attainable(i, p, b)
    assert a <= p and a <= i * b * (1 + 1e-15)
    assert a == pytest.approx(p if i >= p / b else i * b, rel=1e-12)


# -- plot and errors ---------------------------------------------------------------------------

def test_plot_has_one_line_per_level():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for hw, n in ((A100, 3), (NPU, 2), (npc.hardware.get("edge-gpu"), 1)):
        fig = npc.roofline.plot(hw, "fp16" if hw is not npc.hardware.get("edge-gpu") else "fp32",
                                points={"gemm": npc.ops.gemm(512, 768, 256, dtype="fp16")})
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert len(ax.lines) == n
        # each line is min(P, I·B) of its level: flat at the peak on the right
        peak = hw.peak_ops("fp16" if hw is not npc.hardware.get("edge-gpu") else "fp32")
        for line in ax.lines:
            assert line.get_ydata()[-1] == pytest.approx(peak)
        plt.close(fig)


def test_analyze_errors():
    c = npc.ops.gemm(8, 8, 8)
    with pytest.raises(ValueError, match="cost"):
        analyze("gemm", NPU)
    with pytest.raises(ValueError, match="hw"):
        analyze(c, "npu-200")
    with pytest.raises(ValueError, match="levels"):
        analyze(c, NPU, levels="l3")
    with pytest.raises(ValueError, match="dtype"):
        analyze(c + npc.ops.gemm(8, 8, 8, dtype="int8"), NPU)
    with pytest.raises(KeyError, match="fp64"):
        analyze(c, NPU, dtype="fp64")  # npu-200 has no fp64 rate
    with pytest.raises(KeyError, match="l2"):
        analyze(c + Cost("x", reads={"l2": 1.0}), NPU, dtype="fp16")
    with pytest.raises(ValueError, match="nothing to time"):
        analyze(Cost("empty", dtype="fp16"), NPU)
    with pytest.raises(ValueError, match="bandwidth"):
        times(1.0, {"l2": 1.0}, 1.0, {DRAM: 1.0})
    with pytest.raises(ValueError, match="peak"):
        evaluate(1.0, {DRAM: 1.0}, np.array([1.0, 0.0]), {DRAM: 1.0})
