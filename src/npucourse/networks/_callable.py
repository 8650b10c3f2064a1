"""Builders share their module's name (``networks/yolov8.py`` defines ``yolov8``).

Importing ``npucourse.networks.yolov8`` makes the package attribute ``networks.yolov8`` the
*module*, which would shadow the lazily exported builder function. :func:`callable_module` makes
such a module callable, forwarding to its builder, so ``npc.networks.yolov8("m")`` works however
the module was first imported.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Callable


def callable_module(module_name: str, builder: Callable[..., Any]) -> None:
    """Make module ``module_name`` callable as ``builder`` (same signature and docstring)."""

    class _BuilderModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return builder(*args, **kwargs)

    sys.modules[module_name].__class__ = _BuilderModule
