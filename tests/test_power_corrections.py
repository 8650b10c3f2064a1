"""Corrections to §21.3 (npucourse.corrections.ch21_power): built, well-formed, and the values that can be
checked by hand agree."""

from __future__ import annotations

import math

import pytest

from npucourse.corrections import Correction, ch21_power

CORR = {c.id: c for c in ch21_power.corrections()}


def test_well_formed():
    assert len(CORR) == len(ch21_power.corrections()) >= 15
    for c in CORR.values():
        assert isinstance(c, Correction) and c.id.startswith("ch21-power-") and c.chapter == 21
        assert c.claim and c.reason and c.source
        assert any("\u4e00" <= ch <= "\u9fff" for ch in c.reason)  # Chinese
        if isinstance(c.model_value, float):
            assert math.isfinite(c.model_value)
    required = {"ch21-power-ex3-power-ratio", "ch21-power-ex3-decode-time", "ch21-power-ex3-self-consistency",
                "ch21-power-leakage-sign", "ch21-power-fp16-mult-ratio", "ch21-power-int16-mult-ratio",
                "ch21-power-race-to-idle-condition", "ch21-power-ex8-draft-policy"}
    assert required <= set(CORR)


def test_hand_checkable_values():
    # A72: P(1800)/P(408) = (1.2²·1800)/(0.8²·408)
    assert CORR["ch21-power-v-prop-f"].model_value == pytest.approx(1.44 * 1800 / (0.64 * 408))
    # 1008 MHz is the OPP nearest 60 % of 1800: (436e-12·0.875²·1.008e9 + 0.1) vs (1.130112 + 0.1)
    p10 = 436e-12 * 0.875**2 * 1.008e9
    assert CORR["ch21-power-ex3-power-ratio"].model_value == pytest.approx((1.130112 + 0.1) / (p10 + 0.1))
    assert CORR["ch21-power-fp16-mult-ratio"].model_value == pytest.approx(1.1 / 0.2)
    assert CORR["ch21-power-fp32-mult-ratio"].model_value == pytest.approx(3.7 / 0.2)
    assert CORR["ch21-power-int16-mult-ratio"].model_value == pytest.approx(math.sqrt(15.5))
    # (85 − 25)/15 W for the passive-mobile preset
    assert CORR["ch21-power-thermal-budget"].model_value == pytest.approx(4.0)
    assert CORR["ch21-power-thermal-chain"].model_value == pytest.approx(5.0 * 2.0)
    assert CORR["ch21-power-dvfs-switch-latency"].model_value == 40e-6
    assert CORR["ch21-power-leakage-sign"].model_value > 1 > 0  # grows with temperature
    assert CORR["ch21-power-ex8-draft-policy"].model_value > 0.1  # the draft policy misses P95 < 100 ms
    assert CORR["ch21-power-ex3-decode-time"].model_value < 1.67 / 1.3
