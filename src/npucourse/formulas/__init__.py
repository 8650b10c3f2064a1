"""The formula registry (sympy). Importing this package imports sympy.

>>> import npucourse as npc
>>> f = npc.formulas.get("gemm_intensity")
>>> float(f(M=512, N=768, K=256, s=2))  # doctest: +ELLIPSIS
139.6...
"""

from __future__ import annotations

import importlib
import pkgutil

from .registry import REGISTRY, TOPICS, Formula, SymbolInfo, Topic

__all__ = ["get", "names", "all_formulas", "by_section", "Formula", "SymbolInfo", "Topic", "load_all"]

_loaded = False


def load_all() -> None:
    """Import every definitions module under ``formulas/defs`` (idempotent)."""
    global _loaded
    if _loaded:
        return
    from . import defs

    for info in sorted(pkgutil.iter_modules(defs.__path__), key=lambda m: m.name):
        importlib.import_module(f"{defs.__name__}.{info.name}")
    _loaded = True


def get(name: str) -> Formula:
    """The formula registered as ``name``.

    Raises
    ------
    KeyError
        If no formula has that name (the message lists close matches).
    """
    load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, REGISTRY, n=5)
        raise KeyError(f"no formula named {name!r}; close matches: {close or 'none'}") from None


def names() -> tuple[str, ...]:
    """All registered formula names, sorted."""
    load_all()
    return tuple(sorted(REGISTRY))


def all_formulas() -> tuple[Formula, ...]:
    """All registered formulas, sorted by section then name."""
    load_all()
    return tuple(sorted(REGISTRY.values(), key=lambda f: (f.section, f.name)))


def by_section(prefix: str) -> tuple[Formula, ...]:
    """Formulas whose section starts with ``prefix`` (e.g. ``"2.3"``)."""
    return tuple(f for f in all_formulas() if f.section == prefix or f.section.startswith(prefix + "."))
