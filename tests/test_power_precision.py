"""Energy per operation by precision (npc.power.precision)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

import npucourse as npc
from npucourse.power import precision as pr


def test_table_values_are_horowitz():
    # Horowitz, ISSCC 2014, 45 nm, pJ per operation.
    want = {("int8", "add"): 0.03, ("int32", "add"): 0.1, ("int8", "mult"): 0.2, ("int32", "mult"): 3.1,
            ("fp16", "add"): 0.4, ("fp32", "add"): 0.9, ("fp16", "mult"): 1.1, ("fp32", "mult"): 3.7}
    for (dt, op), pj in want.items():
        e = pr.op_energy(dt, op)
        assert e.energy_pj == pytest.approx(pj)
        assert not e.interpolated and e.exponent is None


def test_interpolation_by_hand():
    # int mult: p = ln(3.1/0.2)/ln(32/8); int16: 0.2·2^p = 0.2·sqrt(15.5)
    e = pr.op_energy("int16", "mult")
    assert e.interpolated and "interpolated" in e.rule
    assert e.exponent == pytest.approx(math.log(15.5) / math.log(4))
    assert e.energy_pj == pytest.approx(0.2 * math.sqrt(15.5))
    # int4 add: extrapolated, 0.03·(4/8)^p, p = ln(0.1/0.03)/ln 4
    a = pr.op_energy("int4", "add")
    assert "extrapolated" in a.rule and a.interpolated
    assert a.energy_pj == pytest.approx(0.03 * 0.5 ** (math.log(0.1 / 0.03) / math.log(4)))
    # bf16 mult on significand widths 8 vs fp16 11, fp32 24
    b = pr.op_energy("bfloat16", "mult")
    assert b.energy_pj == pytest.approx(1.1 * (8 / 11) ** (math.log(3.7 / 1.1) / math.log(24 / 11)))
    # the fitted exponents quoted in the module docstring
    assert pr.op_energy("int16", "add").exponent == pytest.approx(0.868, abs=5e-4)
    assert pr.op_energy("fp8", "add").exponent == pytest.approx(1.039, abs=5e-4)


@given(op=st.sampled_from(pr.OPS), family=st.sampled_from([("int4", "int8", "int16", "int32"),
                                                           ("fp8_e5m2", "fp8_e4m3", "bf16", "fp16", "fp32")]))
def test_energy_grows_with_width(op, family):
    e = [pr.op_energy(d, op).energy_j for d in family]
    assert all(a < b for a, b in zip(e, e[1:]))


def test_mac_energy_and_relative():
    # int8 MAC = int8 mult + int32 add = 0.2 + 0.1 pJ; fp16 MAC accumulates in fp32: 1.1 + 0.9
    assert pr.mac_energy("int8").energy_pj == pytest.approx(0.3)
    assert pr.mac_energy("fp16").energy_pj == pytest.approx(2.0)
    assert pr.mac_energy("fp16", acc_dtype="fp16").energy_pj == pytest.approx(1.5)
    assert not pr.mac_energy("int8").interpolated and pr.mac_energy("int16").interpolated
    rel = pr.relative_energy()
    assert rel["fp16"] == pytest.approx(1.1 / 0.2) and rel["fp32"] == pytest.approx(3.7 / 0.2)


def test_energy_per_byte():
    assert pr.energy_per_byte("dram") == pytest.approx(1300e-12 / 8)
    assert pr.energy_per_byte("dram", dram="high") == pytest.approx(2600e-12 / 8)
    assert pr.energy_per_byte("sram") == pytest.approx(10e-12 / 8)


def test_cost_energy_of_a_gemm_by_hand():
    c = npc.ops.gemm(64, 32, 16, dtype="int8")
    e = pr.cost_energy(c)
    macs = 64 * 32 * 16
    dram_bytes = 64 * 16 + 16 * 32 + 64 * 32  # A, B read once, C written once, 1 B each
    assert e.mac_j == pytest.approx(macs * 0.3e-12)
    assert e.other_ops_j == 0.0
    assert e.access_j["dram"] == pytest.approx(dram_bytes * 1300e-12 / 8)
    assert e.total_j == pytest.approx(macs * 0.3e-12 + dram_bytes * 162.5e-12)
    e2 = pr.cost_energy(c, dtype="fp16", energy_per_byte_j={"dram": 1e-12})
    assert e2.access_j["dram"] == pytest.approx(dram_bytes * 1e-12)
    assert e2.mac_j == pytest.approx(macs * 2.0e-12)


def test_precision_bad_input():
    with pytest.raises(KeyError, match="modelled"):
        pr.op_energy("fp64", "add")
    with pytest.raises(KeyError, match="fp7"):
        pr.op_energy("fp7", "add")
    with pytest.raises(ValueError, match="op"):
        pr.op_energy("int8", "div")
    with pytest.raises(ValueError, match="level"):
        pr.energy_per_byte("l2")
    with pytest.raises(ValueError, match="dram"):
        pr.energy_per_byte("dram", dram="mid")
    c = npc.Cost("x", macs=1.0, flops=2.0, reads={"l2": 10.0}, dtype="int8")
    with pytest.raises(ValueError, match="'l2'"):
        pr.cost_energy(c)
    with pytest.raises(ValueError, match="energy_per_byte_j"):
        pr.cost_energy(c, energy_per_byte_j={"l2": -1.0})
    with pytest.raises(ValueError, match="dtype"):
        pr.cost_energy(npc.Cost("y", macs=1.0, flops=2.0))
