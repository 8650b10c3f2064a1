"""The formula registry: every numeric function equals its sympy expression, and the
generated code is up to date with the definitions."""

from __future__ import annotations

import math
import random
import zlib

import pytest
import sympy as sp

import npucourse as npc
from npucourse.formulas import codegen

FORMULAS = npc.formulas.all_formulas()


def test_generated_code_is_up_to_date():
    stale = codegen.generate(check=True)
    assert stale == [], f"run `make regen`: stale generated modules {stale}"


def test_registry_is_not_empty_and_names_are_unique():
    names = [f.name for f in FORMULAS]
    assert len(names) == len(set(names)) >= 8


def _sample(info, rng):
    s = info.symbol
    if s.is_integer:
        lo = 0 if s.is_nonnegative and not s.is_positive else 1
        return rng.randint(lo, 4096)
    if s.is_positive:
        return sp.Rational(rng.randint(1, 10**6), rng.randint(1, 1000))
    if s.is_nonnegative:
        return sp.Rational(rng.randint(0, 10**6), rng.randint(1, 1000))
    return sp.Rational(rng.randint(-(10**6), 10**6), rng.randint(1, 1000))


@pytest.mark.parametrize("f", FORMULAS, ids=lambda f: f.name)
def test_numeric_equals_exact(f):
    """The generated numpy function agrees with the sympy expression evaluated at 30 digits
    (exact rational inputs) at random points of the symbols' declared domains."""
    rng = random.Random(zlib.crc32(f.name.encode()))  # reproducible across processes
    checked = 0
    for _ in range(16):
        values = {info.name: _sample(info, rng) for info in f.symbols}
        ref = f.expr.evalf(30, subs={info.symbol: values[info.name] for info in f.symbols})
        try:
            want = complex(ref)
        except (TypeError, ValueError):  # zoo, nan or unevaluated: outside the formula's domain
            continue
        if not (math.isfinite(want.real) and abs(want.imag) <= 1e-12 * max(1.0, abs(want.real))):
            continue
        numeric = f(**{k: float(v) for k, v in values.items()})
        assert math.isclose(float(numeric), want.real, rel_tol=1e-9, abs_tol=1e-12), (f.name, values)
        checked += 1
    assert checked >= 8, f"{f.name}: too few valid random points"


@pytest.mark.parametrize("f", FORMULAS, ids=lambda f: f.name)
def test_metadata(f):
    assert f.section and f.unit and f.description and f.source
    assert f.latex.count("=") >= 1
    for info in f.symbols:
        assert info.meaning and info.unit


def test_square_gemm_limit_is_derived():
    # Hand derivation: 2K^3 / (3K^2 s) = 2K/(3s).
    f = npc.formulas.get("gemm_intensity_square")
    K, s = (info.symbol for info in f.symbols)
    assert sp.simplify(f.expr - 2 * K / (3 * s)) == 0


def test_unknown_formula_and_bad_arguments():
    with pytest.raises(KeyError, match="gemm_intensty"):
        npc.formulas.get("gemm_intensty")
    f = npc.formulas.get("gemm_flops")
    with pytest.raises(TypeError, match="missing"):
        f(M=1, N=2)
