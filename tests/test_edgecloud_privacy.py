"""npc.edgecloud.privacy: noise scales by hand, the Gaussian mechanism checked against the exact
(ε, δ) characterisation, composition, noise norms by Monte Carlo, obfuscation cost, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.edgecloud import cases
from npucourse.edgecloud import privacy as P


def _phi(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


def exact_delta(sigma, eps, sens=1.0):
    """Smallest δ for which N(0, σ²) noise is (ε, δ)-DP at L2 sensitivity `sens`
    (Balle & Wang, ICML 2018: the exact condition) — an independent check of Dwork & Roth's calibration."""
    a, b = sens / (2 * sigma), eps * sigma / sens
    return _phi(a - b) - math.exp(eps) * _phi(-a - b)


def test_laplace_by_hand():
    assert P.laplace_scale(2.0, 0.5) == pytest.approx(4.0)  # b = Δ₁/ε
    assert list(P.laplace_scale(1.0, np.array([0.5, 1.0, 2.0]))) == pytest.approx([2.0, 1.0, 0.5])


def test_gaussian_contract_by_hand():
    # Δ₂ = 1, ε = 0.5, δ = 1e-5: ln(1.25e5) = 11.7360690; √(2·11.7360690) = 4.8448053; / 0.5 = 9.6896105
    assert npc.edgecloud.gaussian_sigma(1.0, 0.5, 1e-5) == pytest.approx(9.6896105, rel=1e-7)
    # σ scales linearly with Δ₂ and with 1/ε
    assert npc.edgecloud.gaussian_sigma(3.0, 0.25, 1e-5) == pytest.approx(6 * 9.6896105, rel=1e-7)


@given(st.floats(0.01, 0.99), st.floats(1e-12, 0.5), st.floats(0.01, 100))
def test_gaussian_mechanism_is_private_for_eps_below_one(eps, delta, sens):
    sigma = P.gaussian_sigma(sens, eps, delta)
    assert exact_delta(sigma, eps, sens) <= delta


def test_why_eps_must_stay_below_one():
    # Outside Thm A.1 the same formula can fail: ε = 10, δ = 1e-5 gives σ = 0.4845 whose exact δ is 2.3e-5.
    with pytest.raises(ValueError, match="epsilon must be < 1"):
        P.gaussian_sigma(1.0, 1.0, 1e-5)
    sigma = P.gaussian_sigma(1.0, 10.0, 1e-5, allow_large_epsilon=True)
    assert sigma == pytest.approx(4.8448053 / 10, rel=1e-7)
    assert exact_delta(sigma, 10.0) > 2e-5


@given(st.floats(0.01, 0.98), st.floats(0.001, 0.01), st.floats(1e-10, 0.4))
def test_noise_decreases_with_epsilon_and_delta(eps, step, delta):
    e2 = eps + step
    assert P.gaussian_sigma(1.0, e2, delta) < P.gaussian_sigma(1.0, eps, delta)
    assert P.laplace_scale(1.0, e2) < P.laplace_scale(1.0, eps)
    assert P.gaussian_sigma(1.0, eps, delta * 1.5) < P.gaussian_sigma(1.0, eps, delta)


def test_composition_by_hand():
    assert P.compose_basic(0.1, 1e-6, 100) == pytest.approx((10.0, 1e-4))
    assert P.compose_sequence([0.5, 0.25, 0.25], [1e-6, 0.0, 1e-6]) == pytest.approx((1.0, 2e-6))
    # advanced, k = 100, ε = 0.1, δ' = 1e-5:
    # √(2·100·ln 1e5) = √(200·11.512925) = 47.98526 → ·0.1 = 4.798526; 100·0.1·(e^0.1 − 1) = 1.0517092
    eps, dlt = P.compose_advanced(0.1, 1e-6, 100, 1e-5)
    assert eps == pytest.approx(4.798526 + 1.0517092, rel=1e-6)
    assert dlt == pytest.approx(100 * 1e-6 + 1e-5)


def test_noise_norm_by_monte_carlo():
    rng = np.random.default_rng(7)
    z = rng.normal(0.0, 2.0, size=(20000, 384))
    rms = math.sqrt(float(np.mean(np.sum(z * z, axis=1))))
    assert P.noise_rms_norm(2.0, 384) == pytest.approx(rms, rel=0.01)  # σ√m = 2·19.596 = 39.19


def test_obfuscation_cost_by_hand():
    c = P.obfuscation_cost(197, 768, 0.5)
    assert c.kept == 384
    assert c.projection_flops == 2 * 197 * 768 * 384  # 116,195,328
    assert c.rotation_flops == 2 * 197 * 384 * 384  # 58,097,664
    assert c.noise_flops == (10 + 1) * 197 * 384  # 832,128
    assert c.total_flops == 116_195_328 + 58_097_664 + 832_128
    assert (c.bytes_before, c.bytes_after) == (197 * 768 * 2, 197 * 384 * 2)
    assert c.matrix_bytes == (768 * 384 + 384 * 384) * 2
    bare = P.obfuscation_cost(10, 8, project=False, rotate=False, noise=False)
    assert bare.total_flops == 0.0 and bare.bytes_after == bare.bytes_before == 10 * 8 * 2
    assert P.overhead_ratio(1.0, 4.0) == pytest.approx(0.25)


def test_exercise_21_7_numbers():
    net = cases.ex21_6_chain()["net"]
    o1 = cases.ex21_7_overhead(1)
    assert o1["edge_flops"] == pytest.approx(float(net.stage("embed").flops))
    assert o1["overhead"] == pytest.approx(175_125_120 / float(net.stage("embed").flops))
    o2 = cases.ex21_7_overhead(2)
    assert o2["overhead"] == pytest.approx(175_125_120 / float(net.stage("embed").flops + net.stage("block0").flops))
    # noise RMS / C with Δ₂ = 2C, ε = 1, δ = 1e-5, 384 kept coordinates: 2·4.8448053·√384 = 189.8768
    assert cases.ex21_7_noise_to_signal() == pytest.approx(2 * 4.8448053 * math.sqrt(384), rel=1e-7)
    with pytest.raises(ValueError, match="k must lie"):
        cases.ex21_7_overhead(0)


@pytest.mark.parametrize("args,match", [
    ((1.0, 0.0, 1e-5), "epsilon"), ((1.0, -0.5, 1e-5), "epsilon"), ((1.0, 0.5, 0.0), "delta"),
    ((1.0, 0.5, 1.0), "delta"), ((1.0, 0.5, 1.5), "delta"), ((0.0, 0.5, 1e-5), "sensitivity"),
])
def test_bad_gaussian_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        P.gaussian_sigma(*args)


def test_bad_other_inputs():
    with pytest.raises(ValueError, match="epsilon"):
        P.laplace_scale(1.0, 0.0)
    with pytest.raises(ValueError, match="k"):
        P.compose_basic(0.1, 0.0, 0)
    with pytest.raises(ValueError, match="delta_prime"):
        P.compose_advanced(0.1, 0.0, 10, 1.0)
    with pytest.raises(ValueError, match="too large"):
        P.compose_advanced(800.0, 0.0, 10, 1e-5)
    with pytest.raises(ValueError, match="empty"):
        P.compose_sequence([])
    with pytest.raises(ValueError, match="keep_fraction"):
        P.obfuscation_cost(10, 8, 1.5)
    with pytest.raises(ValueError, match="dims"):
        P.noise_rms_norm(1.0, 0)
    with pytest.raises(ValueError, match="base_flops"):
        P.overhead_ratio(1.0, 0.0)
