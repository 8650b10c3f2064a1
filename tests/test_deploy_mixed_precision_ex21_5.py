"""npc.deploy.mixed_precision.exercise_21_5: the §21.1.5 setting used by exercise 21.5."""

from __future__ import annotations

import numpy as np
import pytest

import npucourse as npc
from npucourse.deploy.mixed_precision import ex21_5_weight_drops, exercise_21_5


@pytest.fixture(scope="module")
def setting():
    return exercise_21_5()


def test_shapes_names_budget(setting):
    assert setting["latency"].shape == setting["drop"].shape == (24, 3)
    assert setting["names"][:5] == ["0.qkv", "0.o_proj", "0.ffn_up", "0.ffn_down", "1.qkv"]
    assert setting["names"][-1] == "5.ffn_down"
    assert setting["budget"] == 1.0


def test_latencies_by_hand(setting):
    # gemm(128, N, K): 2·128·N·K FLOP; intensity far above the edge-gpu ridge (1e12 / 25.6e9 ≈ 39 FLOP/B
    # at fp32), so compute-bound at 1, 2, 4 TFLOPS for fp32, fp16, int8.
    for i, (n, k) in enumerate([(2304, 768), (768, 768), (3072, 768), (768, 3072)] * 6):
        flops = 2 * 128 * n * k
        np.testing.assert_allclose(setting["latency"][i], [flops / 1e12, flops / 2e12, flops / 4e12], rtol=1e-12)


def test_drops_are_the_book_recipe(setting):
    d = setting["drop"]
    assert np.all(d[:, 0] == 0)  # fp32 is the reference
    # fp16 rounding: relative error below the unit roundoff 2^-11, times 20 points
    assert np.all((d[:, 1] > 0) & (d[:, 1] < 20 * 2.0**-11))
    assert np.all(d[:, 2] > 10 * d[:, 1])  # int8 loses far more than fp16
    # the first two layers drawn exactly as §21.1.5 does (rng(0): ν, then the (N, K) matrix)
    rng = np.random.default_rng(0)
    for i, (n, k) in enumerate([(2304, 768), (768, 768)]):
        w = rng.standard_t(rng.uniform(2.5, 30), (n, k)) * 0.02
        want = [20.0 * npc.deploy.precision_error(w, p) for p in ("fp32", "fp16", "int8")]
        np.testing.assert_allclose(d[i], want, rtol=1e-12)


def test_stored_drop_table_is_up_to_date(setting):
    # the stored copy must be exactly what drawing and quantizing the weights gives (regenerate with
    # npucourse.deploy.mixed_precision._write_ex21_5_drops() if the recipe or the quantizer changes)
    assert np.array_equal(setting["drop"], ex21_5_weight_drops())


def test_exercise_21_5_unknown_hardware():
    with pytest.raises(KeyError):
        exercise_21_5(hw="no-such-device")
