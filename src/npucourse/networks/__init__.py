"""Network models built layer by layer from the operator models (Chapter 2 §2.1–2.2).

Each builder returns a :class:`~npucourse.networks.base.Network` (or, for language models, an
object whose ``prefill``/``decode`` give cost records). Helpers live in the builder's module,
e.g. ``from npucourse.networks.pointpillars import pillar_grid``.

The builders are imported eagerly (numpy only, no model is built at import): each shares its
module's name, and a lazily exported function would be shadowed by its submodule once anything
imported that submodule.
"""

from .base import Layer, LayerList, Network
from .bevdet import bevdet
from .bevformer import bevformer
from .centernet import centernet, gaussian_radius
from .centerpoint import centerpoint, sparse_conv3d
from .clip import clip_image, clip_text
from .efficientnet import efficientnet
from .flamingo import flamingo, perceiver_resampler
from .llama import llama
from .llava import llava
from .pointpillars import pointpillars
from .resnet import resnet
from .rt1 import rt1
from .rt2 import rt2
from .vit import vit
from .wayformer import wayformer
from .yolov8 import yolov8

__all__ = [
    "Layer", "LayerList", "Network",
    "yolov8", "resnet", "centernet", "gaussian_radius", "pointpillars", "centerpoint", "sparse_conv3d",
    "bevformer", "bevdet",
    "vit", "clip_image", "clip_text", "llama", "llava", "flamingo", "perceiver_resampler",
    "efficientnet", "rt1", "rt2", "wayformer",
]
