"""YOLOv8 width scaling rule (Chapter 2 §2.1.1)."""

import sympy as sp

from ..registry import Topic

t = Topic("yolo", section="2.1.1")
c = t.symbol("c", "channels written in the yaml", "1", integer=True)
c_max = t.symbol("c_max", "max_channels of the scale", "1", integer=True)
w = t.symbol("w", "width multiple of the scale", "1")

t.formula(
    "yolo_scaled_channels",
    8 * sp.ceiling(sp.Min(c, c_max) * w / 8),
    unit="1",
    description="channels after width scaling: make_divisible(min(c, max_channels)·width, 8)",
    source="ultralytics/nn/tasks.py::parse_model and ultralytics/utils/ops.py::make_divisible",
    lhs=r"c'",
)
