"""Corrections to the chapter drafts: each draft claim a model checks, with the verdict.

Each module ``corrections/ch<chapter>_<topic>.py`` defines ``corrections() -> list[Correction]``
that *computes* every model value from the package (nothing typed by hand). The book's
admonitions cite corrections by ``id`` and the appendix table is generated from :func:`table`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import pandas as pd

VERDICTS = ("wrong", "misleading", "unit-mismatch", "correct")


@dataclass(frozen=True)
class Correction:
    """One checked claim of a draft.

    Attributes
    ----------
    id : str
        Stable identifier, ``ch2-...`` or ``ch21-...`` (lowercase, digits, ``-``), used as the
        book's admonition label ``corr-<id>``.
    chapter : int
        2 or 21.
    section : str
        Draft section or exercise, e.g. ``"2.1.1"`` or ``"练习 2.1"``.
    claim : str
        What the draft says (short quote or paraphrase).
    draft_value : str
        The draft's number or formula as written (text, so formulas fit).
    model_value : float or str
        What the package computes (a number, or a formula/phrase where the claim is qualitative).
    unit : str
        Unit of ``model_value`` (``""`` for a formula or a phrase).
    convention : str
        Counting convention, e.g. ``"FLOPs = 2×MAC"`` or ``"MACs"``; ``""`` where none applies.
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        Why, in one or two sentences (Chinese).
    source : str
        Model function or published source behind ``model_value``.
    """

    id: str
    chapter: int
    section: str
    claim: str
    draft_value: str
    model_value: Union[float, str]
    unit: str
    convention: str
    verdict: str
    reason: str
    source: str

    def __post_init__(self) -> None:
        import re

        if not re.fullmatch(r"ch(2|21)-[a-z0-9-]+", self.id):
            raise ValueError(f"correction id must look like 'ch2-...' or 'ch21-...', got {self.id!r}")
        if self.chapter not in (2, 21) or not self.id.startswith(f"ch{self.chapter}-"):
            raise ValueError(f"correction {self.id!r}: chapter {self.chapter} does not match the id")
        if self.verdict not in VERDICTS:
            raise ValueError(f"correction {self.id!r}: verdict must be one of {VERDICTS}, got {self.verdict!r}")


@functools.lru_cache(maxsize=1)
def all_corrections() -> tuple[Correction, ...]:
    """Every correction of every ``ch*`` module, sorted by chapter, section, id; ids unique.

    Computed once per process (the model values are deterministic) and cached.
    """
    out: list[Correction] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("ch"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            out.extend(mod.corrections())
    ids = [c.id for c in out]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate correction ids: {sorted(dup)}")
    return tuple(sorted(out, key=lambda c: (c.chapter, c.section, c.id)))


def get(cid: str) -> Correction:
    """The correction with id ``cid``; KeyError listing close ids."""
    for c in all_corrections():
        if c.id == cid:
            return c
    import difflib

    close = difflib.get_close_matches(cid, [c.id for c in all_corrections()], n=5)
    raise KeyError(f"no correction {cid!r}; close: {close or 'none'}")


def table(chapter: int | None = None) -> "pd.DataFrame":
    """All corrections (optionally of one chapter) as a DataFrame, one row each."""
    import pandas as pd

    rows = [c.__dict__ for c in all_corrections() if chapter is None or c.chapter == chapter]
    return pd.DataFrame(rows)
