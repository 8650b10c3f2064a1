"""Corrections of draft §21.4: they load, are computed by the package, and match hand values."""

import re

import pytest

from npucourse.corrections import ch21_edgecloud
from npucourse.edgecloud import cases


@pytest.fixture(scope="module")
def corr():
    return {c.id: c for c in ch21_edgecloud.corrections()}


def test_ids_and_language(corr):
    assert len(corr) >= 15
    for cid, c in corr.items():
        assert cid.startswith("ch21-edge-") and c.chapter == 21
        assert re.search(r"[\u4e00-\u9fff]", c.claim) and re.search(r"[\u4e00-\u9fff]", c.reason)
        assert c.source


def test_values_by_hand(corr):
    # exercise 21.4: 4 ms + 10 ms + (8e6 bit / 50e6 bit/s) / 0.9
    assert corr["ch21-edge-ex4-uplink"].model_value == pytest.approx(0.004 + 0.010 + 0.16 / 0.9)
    assert corr["ch21-edge-ex4-megabyte"].model_value == pytest.approx(8 * 1024**2 / 100e6)
    # exercise 21.6: no encoder block on the edge
    assert corr["ch21-edge-ex6-split"].model_value == 0.0
    # the recurrence over-counts by DP[0] = T(0) = 20 ms + 150528·8/1e8 s + F/50e12
    F = cases.ex21_6_chain()["net"].flops
    assert corr["ch21-edge-dp-recurrence"].model_value == pytest.approx(0.02 + 150528 * 8 / 1e8 + F / 50e12)
    assert corr["ch21-edge-budget-direction"].model_value == pytest.approx(0.5)
    assert corr["ch21-edge-5g-rate"].model_value == 50e6
    assert corr["ch21-edge-5g-reliability"].model_value == pytest.approx(0.99999)
    assert corr["ch21-edge-projection-cost"].model_value == 2 * 197 * 768 * 768
    assert "W_q" in corr["ch21-edge-queue-mm1"].model_value
