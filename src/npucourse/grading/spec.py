"""What a check is: case generation, the reference answer, and the comparison."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence


@dataclass(frozen=True)
class Check:
    """One gradeable check of an exercise.

    Attributes
    ----------
    cases : callable(random.Random) -> list of dict
        Randomised keyword arguments for the student's function (JSON-serialisable).
    reference : callable(**case) -> Any
        The package's answer for one case (a float, a list of floats, a str or a dict of those).
    rtol : float
        Relative tolerance for numbers (stated per check).
    describe : str
        What the check verifies, shown to the student when it fails (no hidden source).
    atol : float
        Absolute tolerance, for answers near zero.
    """

    cases: Callable[[random.Random], list[dict[str, Any]]]
    reference: Callable[..., Any]
    describe: str
    rtol: float = 1e-6
    atol: float = 0.0
    fixed: Sequence[dict[str, Any]] = field(default_factory=tuple)


def close(got: Any, want: Any, rtol: float, atol: float) -> bool:
    """Structural comparison: numbers with tolerance, strings exactly, lists/dicts element-wise."""
    if isinstance(want, bool) or want is None:
        return type(got) is type(want) and got == want  # 1 is not True, 0.0 is not None
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        g, w = float(got), float(want)
        if not (math.isfinite(g) and math.isfinite(w)):
            return False
        return abs(g - w) <= max(atol, rtol * abs(w))
    if isinstance(want, str):
        return isinstance(got, str) and got.strip().lower() == want.strip().lower()
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(close(g, w, rtol, atol) for g, w in zip(got, want)))
    if isinstance(want, dict):
        return (isinstance(got, dict) and set(map(str, got)) == set(map(str, want))
                and all(close(got[k], want[k], rtol, atol) for k in want))
    raise TypeError(f"reference answers must be numbers, strings, lists or dicts, got {type(want).__name__}")
