"""What a check is: case generation, the reference answer (or a judge of designs), and the comparison.

Three kinds of check:

* **reference** — the student's answer for each case must be :func:`close` to the package's;
* **judge** — any answer the judge accepts passes (design questions: a DVFS schedule, a precision
  plan); ``judge(answer, **case)`` returns ``None`` when the answer is acceptable, else a message
  that says which constraint failed without giving the answer away;
* **interactive** — the student's function is a *policy*: the oracle runs a simulation and asks the
  kernel for each decision (``ask(**state) -> decision``); ``interactive(ask, **case)`` returns
  ``None`` or a message, like a judge.
"""

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
    reference : callable(**case) -> Any, optional
        The package's answer for one case (a float, a list of floats, a str or a dict of those).
    judge : callable(answer, **case) -> str or None, optional
        Instead of a reference: accepts any correct design (``None``) or says what is wrong.
    interactive : callable(ask, **case) -> str or None, optional
        Instead of a reference: simulate with the student's policy, asking it through ``ask``.
    rtol : float
        Relative tolerance for numbers (stated per check).
    describe : str
        What the check verifies, shown to the student when it fails (no hidden source).
    atol : float
        Absolute tolerance, for answers near zero.
    """

    cases: Callable[[random.Random], list[dict[str, Any]]]
    reference: Callable[..., Any] | None = None
    describe: str = ""
    rtol: float = 1e-6
    atol: float = 0.0
    fixed: Sequence[dict[str, Any]] = field(default_factory=tuple)
    judge: Callable[..., str | None] | None = None
    interactive: Callable[..., str | None] | None = None

    def __post_init__(self) -> None:
        kinds = [k for k in ("reference", "judge", "interactive") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a Check needs exactly one of reference, judge, interactive; got {kinds or 'none'}")
        if not self.describe:
            raise ValueError("a Check needs a describe text (what the student sees when it fails)")


def _no_cases(rng: random.Random) -> list[dict[str, Any]]:
    return []


def single_value(reference: Callable[[], Any] | None = None, describe: str = "", rtol: float = 1e-6,
                 atol: float = 0.0, *, judge: Callable[[Any], str | None] | None = None) -> Check:
    """A check of one final value: no random cases, one call without arguments (the notebook
    grades it with ``_h.check_value``); compared with ``reference()`` or accepted by ``judge``."""
    return Check(cases=_no_cases, fixed=({},), reference=reference, judge=judge, describe=describe,
                 rtol=rtol, atol=atol)


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
