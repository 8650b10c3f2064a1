"""npucourse — the models behind the NPU-design course.

Cheap to import: numpy only. Subpackages load on first use (``npc.formulas`` brings in
sympy, ``npc.roofline.plot`` brings in matplotlib).

>>> import npucourse as npc
>>> npc.dtype_bytes("fp16")
2.0
>>> npc.hardware.get("npu-200").ridge_point("int8")
200.0
"""

from __future__ import annotations

import importlib
from typing import Any

from .cost import Cost
from .units import dtype_bytes

__version__ = "0.1.0"

_SUBMODULES = (
    "units", "hardware", "cost", "formulas", "roofline", "ops", "networks", "deploy", "power",
    "edgecloud", "corrections", "plot",
)

__all__ = ["Cost", "dtype_bytes", "__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        mod = importlib.import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'npucourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
