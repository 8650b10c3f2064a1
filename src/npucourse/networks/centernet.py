"""CenterNet (Objects as Points, arXiv 1904.07850): heatmap Gaussian and network cost (§2.1.1).

Two parts:

- the training-target Gaussian: :func:`gaussian_radius` is CornerNet's three-case radius exactly
  as ``xingyizhou/CenterNet`` ``src/lib/utils/image.py`` computes it, and :func:`heatmap_sigma`
  the σ the code then draws (σ = (2⌊r⌋ + 1)/6 on the output heatmap, box sides rounded up as
  ``ctdet.py`` does). :func:`sigma_table` sets it beside the draft's σ = max(1, √(wh)/3);
- the network: CenterNet's ResNet variant (``src/lib/models/networks/msra_resnet.py``,
  ``PoseResNet``): a ResNet backbone, three ConvTranspose2d(k=4, s=2, p=1, 256 ch) + BN + ReLU
  up-sampling stages (stride 32 → 4), and one head per output — ``hm`` (classes), ``wh`` (2),
  ``reg`` (2 offsets) — each Conv3×3(256 → head_conv, bias) + ReLU + Conv1×1(head_conv → out).
  Choice: the DLA-34 variant (deformable up-convs, iterative aggregation) is not modelled; the
  ResNet variant is the one whose every layer is fixed by the code above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import _validate as v
from ..formulas._gen.centernet import gaussian_radius as _radius
from ..formulas._gen.centernet import heatmap_sigma as _sigma
from ..formulas._gen.centernet import heatmap_sigma_draft as _sigma_draft
from . import _blocks as blk
from ._blocks import Shape
from .base import LayerList, Network
from .resnet import resnet

if TYPE_CHECKING:
    import pandas as pd

SOURCE = ("xingyizhou/CenterNet src/lib/models/networks/msra_resnet.py (PoseResNet: ResNet + 3 deconv + heads); "
          "heads hm/wh/reg from src/lib/opts.py (ctdet)")
OUTPUT_STRIDE = 4


def _check_sizes(h: object, w: object, min_overlap: float) -> None:
    v.positive("box height", h)
    v.positive("box width", w)
    v.probability("min_overlap", min_overlap)
    if not 0 < min_overlap < 1:
        raise ValueError(f"min_overlap must lie strictly between 0 and 1, got {min_overlap!r}")


def gaussian_radius(det_size: tuple[object, object], min_overlap: float = 0.7) -> float | np.ndarray:
    """CornerNet/CenterNet Gaussian radius for a box of ``det_size = (height, width)`` [heatmap px].

    The smallest of the three roots (registry ``gaussian_radius``) — the same arithmetic as the
    CenterNet function of the same name; vectorised over array sizes.
    """
    h, w = det_size
    _check_sizes(h, w, min_overlap)
    r = _radius(h=np.asarray(h, float), w=np.asarray(w, float), o=float(min_overlap))
    return float(r) if np.ndim(r) == 0 else r


def heatmap_sigma(h: object, w: object, min_overlap: float = 0.7) -> float | np.ndarray:
    """σ of the Gaussian CenterNet draws for a box ``h × w`` on the output heatmap [px].

    ``ctdet.py``: ``radius = max(0, int(gaussian_radius((ceil(h), ceil(w)))))``, then
    ``draw_umich_gaussian`` uses diameter 2r + 1 and σ = diameter/6 (registry ``heatmap_sigma``).
    """
    _check_sizes(h, w, min_overlap)
    s = _sigma(h=np.ceil(np.asarray(h, float)), w=np.ceil(np.asarray(w, float)), o=float(min_overlap))
    return float(s) if np.ndim(s) == 0 else s


def heatmap_sigma_draft(h: object, w: object) -> float | np.ndarray:
    """The draft's σ = max(1, √(wh)/3) (registry ``heatmap_sigma_draft``), for comparison."""
    v.positive("box height", h)
    v.positive("box width", w)
    s = _sigma_draft(h=np.asarray(h, float), w=np.asarray(w, float))
    return float(s) if np.ndim(s) == 0 else s


def sigma_table(sizes: Sequence[tuple[float, float]] = ((4, 4), (8, 8), (16, 16), (32, 32), (64, 64),
                                                       (8, 32), (16, 64), (96, 128)),
                min_overlap: float = 0.7) -> "pd.DataFrame":
    """Code σ versus the draft's σ for boxes ``(height, width)`` in heatmap pixels (stride 4)."""
    import pandas as pd

    rows = []
    for h, w in sizes:
        r = gaussian_radius((float(np.ceil(h)), float(np.ceil(w))), min_overlap)
        s_code = heatmap_sigma(h, w, min_overlap)
        s_draft = heatmap_sigma_draft(h, w)
        rows.append({"h": h, "w": w, "radius": r, "radius_drawn": int(max(0, int(r))), "sigma_code": s_code,
                     "sigma_draft": s_draft, "draft_over_code": s_draft / s_code})
    return pd.DataFrame(rows)


def centernet(depth: int = 18, image_size: int | tuple[int, int] = 512, num_classes: int = 80,
              head_conv: int = 64, fused: bool = True, dtype: str = "fp16", batch: int = 1) -> Network:
    """CenterNet with a ResNet backbone (PoseResNet), as a layer list.

    Parameters
    ----------
    depth : {18, 34, 50, 101}
        ResNet depth (CenterNet's ``res_18`` … ``res_101``).
    image_size : int or (height, width)
        Input size; a multiple of 32 so that the three ×2 up-convs return to stride 4.
    num_classes : heatmap channels (80 for COCO).
    head_conv : channels of each head's 3×3 conv (64 for ResNet backbones in ``opts.py``).
    fused, dtype, batch : as for :func:`~npucourse.networks.resnet.resnet`.

    Returns
    -------
    Network
        Stages: the backbone's ``stem, layer1…layer4``, then ``upsample`` and ``head``.
    """
    size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    for side in size:
        v.positive_int("image_size", side)
        if int(side) % 32:
            raise ValueError(f"image_size must be a multiple of 32, got {image_size!r}")
    v.positive_int("num_classes", num_classes)
    v.positive_int("head_conv", head_conv)
    bb = resnet(depth, size, features_only=True, fused=fused, dtype=dtype, batch=batch)
    b = LayerList()
    for ly in bb.layers:
        b.add(ly.stage, ly.cost)
    x: Shape = bb.config["features"]["C5"]
    for i in range(3):
        x = blk.conv_transpose_norm_act(b, "upsample", f"deconv{i}", x, 256, kernel=4, stride=2, padding=1,
                                        act="relu", fused=fused, dtype=dtype)
    heads = {"hm": num_classes, "wh": 2, "reg": 2}
    for name, n_out in heads.items():
        y = blk.conv_norm_act(b, "head", f"{name}.0", x, head_conv, 3, 1, "relu", fused, dtype, norm=False,
                              conv_bias=True)
        blk.conv_norm_act(b, "head", f"{name}.1", y, n_out, 1, 1, None, fused, dtype, norm=False, conv_bias=True)
    h, w = size
    return b.build(f"centernet-res{depth}@{h}x{w}", source=SOURCE, depth=depth, image_size=(int(h), int(w)),
                   num_classes=num_classes, head_conv=head_conv, fused=fused, dtype=dtype, batch=batch,
                   output_shape=x)
