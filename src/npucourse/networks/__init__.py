"""Network models built layer by layer from the operator models (Chapter 2 §2.1–2.2).

Each builder returns a :class:`~npucourse.networks.base.Network`. Builders load lazily: a
name below maps to the module that defines it.
"""

from __future__ import annotations

import importlib
from typing import Any

from .base import Layer, LayerList, Network

# public name -> module (relative). Modules are added by the network authors.
_LAZY = {
    # CNN / perception
    "yolov8": "yolov8", "resnet": "resnet", "centernet": "centernet", "gaussian_radius": "centernet",
    "pointpillars": "pointpillars", "centerpoint": "centerpoint", "sparse_conv3d": "centerpoint",
    "bevformer": "bevformer", "bevdet": "bevdet",
    # transformers / VLM / VLA
    "vit": "vit", "clip_image": "clip", "clip_text": "clip", "llama": "llama", "llava": "llava",
    "flamingo": "flamingo", "perceiver_resampler": "flamingo", "efficientnet": "efficientnet",
    "rt1": "rt1", "rt2": "rt2", "wayformer": "wayformer",
}

__all__ = ["Layer", "LayerList", "Network", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        mod = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(mod, name)
    raise AttributeError(f"module 'npucourse.networks' has no attribute {name!r}")
