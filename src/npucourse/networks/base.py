"""A network as the course sees it: named layers (cost records) grouped into stages.

Totals, per-layer and per-stage tables and per-layer roofline analysis all derive from the
layer list; nothing is stored twice.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import numpy as np

from ..cost import Cost
from ..hardware import Hardware

if TYPE_CHECKING:  # pandas is imported lazily, only when a table is asked for
    import pandas as pd


@dataclass(frozen=True)
class Layer:
    """One layer: its stage label and its cost record (whose ``name`` names the layer)."""

    stage: str
    cost: Cost

    @property
    def name(self) -> str:
        return self.cost.name


@dataclass(frozen=True)
class Network:
    """An ordered list of layers with the architecture's source.

    Attributes
    ----------
    name : str
        E.g. ``"yolov8m@640"``.
    layers : tuple of Layer
    source : str
        Where the architecture comes from (repository file, paper).
    config : dict
        The parameters it was built with (input size, variant...).
    """

    name: str
    layers: tuple[Layer, ...]
    source: str
    config: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.layers:
            raise ValueError(f"network {self.name!r} has no layers")

    # -- totals --------------------------------------------------------------------------------
    @cached_property
    def total(self) -> Cost:
        """Sum of all layer records."""
        return functools.reduce(operator.add, (ly.cost for ly in self.layers)).renamed(self.name)

    @property
    def params(self) -> float:
        return float(self.total.params)

    @property
    def macs(self) -> float:
        return float(self.total.macs)

    @property
    def flops(self) -> float:
        return float(self.total.flops)

    @property
    def weight_bytes(self) -> float:
        return float(self.total.weight_bytes)

    @property
    def activation_bytes(self) -> float:
        """Sum of every layer's output activation bytes."""
        return float(sum(float(ly.cost.out_bytes) for ly in self.layers))

    @cached_property
    def stages(self) -> dict[str, Cost]:
        """Stage name → summed cost, in order of first appearance (computed once; do not mutate)."""
        out: dict[str, Cost] = {}
        for ly in self.layers:
            out[ly.stage] = out[ly.stage] + ly.cost if ly.stage in out else ly.cost.renamed(ly.stage)
        return {k: v.renamed(k) for k, v in out.items()}

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def stage(self, name: str) -> Cost:
        """The summed cost of stage ``name``; KeyError listing the stages."""
        st = self.stages
        if name not in st:
            raise KeyError(f"{self.name} has no stage {name!r}; stages: {', '.join(st)}")
        return st[name]

    # -- tables --------------------------------------------------------------------------------
    def table(self, by: str = "layer") -> "pd.DataFrame":
        """Per-layer (``by="layer"``) or per-stage (``by="stage"``) table.

        Columns: stage, layer, params, macs, flops, gflops (2×MAC + other ops, in 1e9),
        weight_bytes, out_bytes, dram_bytes, intensity, out_shape (layer table only), share of
        total FLOPs.
        """
        import pandas as pd

        if by not in ("layer", "stage"):
            raise ValueError(f"by must be 'layer' or 'stage', got {by!r}")
        rows = []
        items: Iterable[tuple[str, Cost]] = (
            ((ly.stage, ly.cost) for ly in self.layers) if by == "layer" else self.stages.items()
        )
        total = self.flops or 1.0
        for stage, c in items:
            b = float(c.bytes)
            row = {
                "stage": stage,
                "layer": c.name,
                "params": float(c.params),
                "macs": float(c.macs),
                "flops": float(c.flops),
                "gflops": float(c.flops) / 1e9,
                "weight_bytes": float(c.weight_bytes),
                "out_bytes": float(c.out_bytes),
                "dram_bytes": b,
                "intensity": float(c.flops) / b if b > 0 else np.nan,
                "flops_share": float(c.flops) / total,
            }
            if by == "layer":
                row["out_shape"] = c.out_shape
            else:
                del row["layer"]
            rows.append(row)
        return pd.DataFrame(rows)

    def analyze(self, hw: Hardware, dtype: str | None = None, levels: str = "dram") -> "pd.DataFrame":
        """Per-layer roofline on ``hw``: time, bound and share of total time.

        Layers with neither FLOPs nor bytes (pure reshapes) get time 0 and bound ``"none"``.
        """
        import pandas as pd

        from ..roofline import analyze as _analyze

        rows = []
        for ly in self.layers:
            c = ly.cost
            if float(c.flops) == 0 and float(c.bytes) == 0:
                rows.append({"stage": ly.stage, "layer": c.name, "time_s": 0.0, "bound": "none",
                             "intensity": np.nan, "utilization": 0.0})
                continue
            r = _analyze(c, hw, dtype=dtype, levels=levels)
            rows.append({"stage": ly.stage, "layer": c.name, "time_s": r.time_s, "bound": r.bound,
                         "intensity": r.intensity, "utilization": r.utilization})
        df = pd.DataFrame(rows)
        df["time_share"] = df["time_s"] / df["time_s"].sum()
        return df

    def time_on(self, hw: Hardware, dtype: str | None = None, levels: str = "dram") -> float:
        """Sum of per-layer roofline times [s] (layers run one after another)."""
        return float(self.analyze(hw, dtype=dtype, levels=levels)["time_s"].sum())


class LayerList:
    """Builder used by the network modules: append layers under a current stage.

    >>> from npucourse import ops
    >>> b = LayerList()
    >>> c = b.add("stem", ops.conv2d(3, 16, 32, 32, name="conv0"))
    >>> b.build("toy", source="example").params
    432.0
    """

    def __init__(self) -> None:
        self._layers: list[Layer] = []

    def add(self, stage: str, cost: Cost) -> Cost:
        """Append ``cost`` to ``stage`` and return it (so its ``out_shape`` can feed the next layer)."""
        if not isinstance(cost, Cost):
            raise ValueError(f"layer must be a Cost record, got {type(cost).__name__}")
        self._layers.append(Layer(stage, cost))
        return cost

    def extend(self, stage: str, costs: Iterable[Cost]) -> None:
        for c in costs:
            self.add(stage, c)

    def build(self, name: str, source: str, **config: Any) -> Network:
        return Network(name=name, layers=tuple(self._layers), source=source, config=dict(config))
