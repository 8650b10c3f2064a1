"""Typical mistakes, cheating attempts, alternative correct designs and constraint-violating designs
for exercise 21.7, as (grade_id, old, new) edits of the reference answers."""

WRONG = {
    # The Gaussian mechanism without its √(2 ln(1.25/δ)) factor (σ = Δ/ε, the Laplace-like scale):
    # σ and the noise-to-signal ratio are too small by a factor 4-7.
    "no_sqrt_log": [("p1_solution", "return sensitivity * math.sqrt(2 * math.log(1.25 / delta)) / epsilon",
                     "return sensitivity / epsilon")],
    # Sensitivity taken as the clipping norm C instead of the diameter 2C of the ball: the
    # noise-to-signal ratio is half the right one.
    "sensitivity_c": [("p2_solution", "gaussian_sigma(2 * clip, epsilon, delta)", "gaussian_sigma(clip, epsilon, delta)")],
    # Overhead relative to the whole network instead of the edge part that actually runs.
    "whole_network": [("p4_solution", "return extra_flops / sum(LAYER_FLOPS[:k])", "return extra_flops / sum(LAYER_FLOPS)")],
    # The two matrix products counted in MACs, not FLOPs.
    "macs_for_flops": [("p3_solution", "projection = 2 * tokens * dim * m", "projection = tokens * dim * m"),
                       ("p3_solution", "rotation = 2 * tokens * m * m", "rotation = tokens * m * m")],
    # Decimal logarithm where the theorem has the natural one.
    "log10": [("p1_solution", "math.log(1.25 / delta)", "math.log10(1.25 / delta)")],
    # Advanced composition without its kε(e^ε − 1) term.
    "advanced_first_term_only": [("p5_solution", " + tokens * epsilon * math.expm1(epsilon)", "")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def laplace_scale(sensitivity, epsilon):\n    return 4.0\n\n"
        "def gaussian_sigma(sensitivity, epsilon, delta):\n    return 9.6896 * sensitivity\n"
    ),
    "p3_solution": (
        "def obfuscation_flops(tokens, dim, keep_fraction, project=True, rotate=True):\n"
        "    return {'projection': 32, 'rotation': 16, 'noise': 44, 'total': 92}\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with the first wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.grading.harness as _hh
import npucourse.edgecloud.privacy as _pv, npucourse.edgecloud as _ec
_pv.gaussian_sigma = lambda sensitivity, epsilon, delta, **kw: sensitivity / epsilon
_ec.gaussian_sigma = _pv.gaussian_sigma
'''

# A student whose answer never returns (the other parts do not use it).
LOOP = {"p5_solution": "def image_budget(epsilon, delta, tokens, delta_prime):\n    while True:\n        pass\n"}

_REF_SCHEME = ('SCHEME_21_7 = {"k": 2, "keep_fraction": 48 / 768, "project": True, "rotate": False, '
               '"epsilon": 0.5, "delta": 1e-5}')
_REF_DESIGN_BODY = '''    base = {"keep_fraction": min_kept / WIDTH, "project": True, "rotate": False,
            "epsilon": min(max_epsilon, 0.999), "delta": max_delta}
    for k in range(1, max_k + 1):
        scheme = {"k": k, **base}
        if meets(scheme, **req):
            return scheme
'''

ALTERNATIVES = {
    # Most private: the smallest ε the noise-to-signal bound allows at the fewest dims, a stricter δ
    # in the fixed question, rotation kept where affordable, cut as late as allowed.
    "most_private_rotating": [
        ("p6_scheme_solution", _REF_SCHEME,
         'SCHEME_21_7 = {"k": 1, "keep_fraction": 0.05, "project": True, "rotate": True, "epsilon": 0.45, "delta": 1e-6}'),
        ("p6_design_solution", _REF_DESIGN_BODY, '''    kf = min_kept / WIDTH
    eps = min(max_epsilon, noise_to_signal(0.5, max_delta, kf) * 0.5 / max_nsr * 1.001)
    for rotate in (True, False):
        scheme = {"k": max_k, "keep_fraction": kf, "project": True, "rotate": rotate, "epsilon": eps,
                  "delta": max_delta}
        if meets(scheme, **req):
            return scheme
'''),
    ],
    # Most useful: as many dimensions as the noise-to-signal and overhead bounds allow.
    "most_dimensions": [
        ("p6_scheme_solution", _REF_SCHEME,
         'SCHEME_21_7 = {"k": 2, "keep_fraction": 59 / 768, "project": True, "rotate": True, "epsilon": 0.5, "delta": 1e-5}'),
        ("p6_design_solution", _REF_DESIGN_BODY, '''    for kept in range(WIDTH, min_kept - 1, -1):
        for k in range(1, max_k + 1):
            scheme = {"k": k, "keep_fraction": kept / WIDTH, "project": True, "rotate": False,
                      "epsilon": min(max_epsilon, 0.999), "delta": max_delta}
            if meets(scheme, **req):
                return scheme
'''),
    ],
}

_DRAFT = '{"k": 1, "keep_fraction": 0.5, "project": True, "rotate": True, "epsilon": 1.0, "delta": 1e-5}'

VIOLATIONS = {
    # The draft's scheme at the earliest cut: overhead far above 20 %, ε = 1.0 outside Thm A.1's
    # range, noise-to-signal far above the bound.
    "draft_scheme": [
        ("p6_scheme_solution", _REF_SCHEME, "SCHEME_21_7 = " + _DRAFT),
        ("p6_design_solution", "    for k in range(1, max_k + 1):", "    return " + _DRAFT + "\n    for k in range(1, max_k + 1):"),
    ],
    # The draft's ε = 1.0 in an otherwise good scheme: outside the theorem's range (and above max_epsilon).
    "epsilon_one": [
        ("p6_scheme_solution", '"epsilon": 0.5', '"epsilon": 1.0'),
        ("p6_design_solution", '"epsilon": min(max_epsilon, 0.999)', '"epsilon": 1.0'),
    ],
    # No PCA: all 768 dimensions get noise, the noise-to-signal bound is broken.
    "no_projection": [
        ("p6_scheme_solution", '"project": True', '"project": False'),
        ("p6_design_solution", '"project": True', '"project": False'),
    ],
    # Fewer dimensions than the cloud needs (cheaper and less noisy, but not usable).
    "too_few_dims": [
        ("p6_scheme_solution", '"keep_fraction": 48 / 768', '"keep_fraction": 16 / 768'),
        ("p6_design_solution", '"keep_fraction": min_kept / WIDTH', '"keep_fraction": (min_kept - 1) / WIDTH'),
    ],
    # A cut later than allowed (the overhead is tiny there, but the edge runs too much).
    "cut_too_late": [
        ("p6_scheme_solution", '"k": 2', '"k": 13'),
        ("p6_design_solution", 'scheme = {"k": k, **base}', 'scheme = {"k": max_k + 1, **base}'),
    ],
}
