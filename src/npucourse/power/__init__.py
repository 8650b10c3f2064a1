"""Power models of Chapter 21 §21.3: DVFS, idle states, big.LITTLE, precision energy, thermal,
reliability and power-aware batching.

Submodules load on first use (``npc.power.dvfs``); the common entry points are re-exported:

>>> import npucourse as npc
>>> t = npc.power.opp_table("rk3399-a72")
>>> round(float(t.dynamic_power()[-1]), 3)   # 436e-12 F · 1.2² V² · 1.8e9 Hz
1.13
"""

from __future__ import annotations

import importlib
from typing import Any

from .opp import OPP, OPPTable, get as opp_table, names as opp_tables

_SUBMODULES = ("opp", "dvfs", "idle", "biglittle", "precision", "thermal", "batch_policy")

__all__ = ["OPP", "OPPTable", "opp_table", "opp_tables", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        mod = importlib.import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'npucourse.power' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
