"""The formula registry (sympy).

This package's ``__init__`` imports nothing heavy, so that the generated numeric modules
(``npucourse.formulas._gen.*``, plain numpy) load without sympy; the registry and sympy load on
the first call to :func:`get`, :func:`names`, :func:`all_formulas` or :func:`by_section`.

>>> import npucourse as npc
>>> f = npc.formulas.get("gemm_intensity")
>>> float(f(M=512, N=768, K=256, s=2))  # doctest: +ELLIPSIS
139.6...
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .registry import Formula

__all__ = ["get", "names", "all_formulas", "by_section", "load_all", "Formula", "SymbolInfo", "Topic"]

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


def get(name: str) -> "Formula":
    """The formula registered as ``name``.

    Raises
    ------
    KeyError
        If no formula has that name (the message lists close matches).
    """
    from .registry import REGISTRY

    load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, REGISTRY, n=5)
        raise KeyError(f"no formula named {name!r}; close matches: {close or 'none'}") from None


def names() -> tuple[str, ...]:
    """All registered formula names, sorted."""
    from .registry import REGISTRY

    load_all()
    return tuple(sorted(REGISTRY))


def all_formulas() -> tuple["Formula", ...]:
    """All registered formulas, sorted by section then name."""
    from .registry import REGISTRY

    load_all()
    return tuple(sorted(REGISTRY.values(), key=lambda f: (f.section, f.name)))


def by_section(prefix: str) -> tuple["Formula", ...]:
    """Formulas whose section starts with ``prefix`` (e.g. ``"2.3"``)."""
    return tuple(f for f in all_formulas() if f.section == prefix or f.section.startswith(prefix + "."))


def __getattr__(name: str) -> Any:
    if name in ("Formula", "SymbolInfo", "Topic", "REGISTRY", "TOPICS"):
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'npucourse.formulas' has no attribute {name!r}")
