"""Offloading decision: local, full offload or split, by a weighted cost (Chapter 21 §21.4.3).

Latency [s], device energy [J] and cloud price [currency] cannot be added as they are (the
draft adds seconds to prices, and compares joules with seconds). Each is divided by a
reference in its own unit and weighted::

    J = w_t·T/T_ref + w_e·E_dev/E_ref + w_p·C/C_ref            (dimensionless)

For every cut k of the chain (k = n: local; k = 0: full offload) the model gives
T(k) (:func:`npucourse.edgecloud.split.best_split_times`), the device energy
E_dev = P_comp·t_edge + P_tx·t_tx + P_idle·t_wait and the price C = [k<n]·p_req + p_s·t_cloud
+ p_B·bytes. A sweep over bandwidths is one call (:func:`decide_over_bandwidth`). The upload
rate above which full offload beats local execution is solved for by sympy
(``offload_threshold_bandwidth``, ``offload_threshold_bandwidth_weighted``).

Formulas (registry, topic ``edgecloud_offload``): ``offload_cost``, ``device_energy``,
``cloud_price``, ``local_latency``, ``offload_latency``, ``offload_threshold_bandwidth``,
``offload_threshold_bandwidth_weighted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as v
from ..formulas._gen.edgecloud_link import link_transfer_time, link_transmission_time
from ..formulas._gen.edgecloud_offload import (
    cloud_price,
    device_energy,
    offload_cost,
    offload_threshold_bandwidth,
    offload_threshold_bandwidth_weighted,
)
from ..formulas._gen.edgecloud_split import split_latency
from .split import _crossing, _flop_chain, _prefix_times

__all__ = ["DevicePower", "CloudPrice", "Weights", "OffloadCosts", "offload_costs", "decide_over_bandwidth",
           "threshold_bandwidth", "threshold_bandwidth_weighted", "PHONE_POWER", "NO_PRICE"]


def _nonnegative_fields(record: Any, names: tuple[str, ...]) -> None:
    """Check that the named fields are >= 0 and that the record names its source."""
    for name in names:
        v.nonnegative(name, getattr(record, name))
    if not record.source:
        raise ValueError(f"{type(record).__name__}.source must name a source or say 'assumption: ...'")


@dataclass(frozen=True)
class DevicePower:
    """Device power in the three phases of a request [W], with its source."""

    compute_w: float
    transmit_w: float
    idle_w: float
    source: str

    def __post_init__(self) -> None:
        _nonnegative_fields(self, ("compute_w", "transmit_w", "idle_w"))


@dataclass(frozen=True)
class CloudPrice:
    """Cloud price items (draft §21.4.3): per request, per compute second, per byte sent."""

    per_request: float
    per_second: float
    per_byte: float
    currency: str
    source: str

    def __post_init__(self) -> None:
        _nonnegative_fields(self, ("per_request", "per_second", "per_byte"))


@dataclass(frozen=True)
class Weights:
    """Weights (dimensionless, >= 0) and the references that make each term dimensionless.

    ``latency_ref_s`` [s], ``energy_ref_j`` [J], ``price_ref`` [currency of the price model].
    """

    latency: float = 1.0
    energy: float = 0.0
    price: float = 0.0
    latency_ref_s: float = 0.1
    energy_ref_j: float = 1.0
    price_ref: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("latency", "energy", "price"):
            v.nonnegative(f"weights.{name}", getattr(self, name))
        if self.latency + self.energy + self.price <= 0:
            raise ValueError("at least one weight must be > 0")
        for name in ("latency_ref_s", "energy_ref_j", "price_ref"):
            v.positive(f"weights.{name}", getattr(self, name))


PHONE_POWER = DevicePower(
    compute_w=5.0, transmit_w=2.5, idle_w=1.0,
    source="assumption: a phone-class SoC drawing 5 W while its NPU computes, 2.5 W while the modem "
           "uploads, 1 W while it waits for the cloud")
NO_PRICE = CloudPrice(0.0, 0.0, 0.0, "USD", source="assumption: price not modelled")


@dataclass(frozen=True, eq=False)
class OffloadCosts:
    """Latency, energy, price and weighted cost of every cut, for every bandwidth.

    Arrays have shape (len(bandwidths), n + 1); k = n is local execution, k = 0 full offload.

    Attributes
    ----------
    bandwidths_bps : ndarray, shape (m,)
    latency_s, energy_j, price, cost : ndarray, shape (m, n + 1)
    k : ndarray of int, shape (m,)
        Best cut per bandwidth (ties: fewest edge layers).
    """

    bandwidths_bps: np.ndarray
    latency_s: np.ndarray
    energy_j: np.ndarray
    price: np.ndarray
    cost: np.ndarray
    k: np.ndarray

    @property
    def n(self) -> int:
        return self.cost.shape[1] - 1

    @property
    def choice(self) -> np.ndarray:
        """Per bandwidth: ``"local"`` (k = n), ``"offload"`` (k = 0) or ``"split"``."""
        return np.where(self.k == self.n, "local", np.where(self.k == 0, "offload", "split"))


def decide_over_bandwidth(bandwidths_bps: Any, layer_flops: Any, out_bytes: Any, input_bytes: float,
                          edge_flops: float, cloud_flops: float, latency_s: float,
                          power: DevicePower = PHONE_POWER, price: CloudPrice = NO_PRICE,
                          weights: Weights | None = None, result_bytes: float | None = None) -> OffloadCosts:
    """Cost of every cut at every upload rate in ``bandwidths_bps`` [bit/s] — one vectorised call.

    The device computes during t_edge, transmits during t_tx = 8·bytes/B, and waits (idle
    power) for the rest of the request: latency, cloud compute and the optional return trip.
    """
    w = Weights() if weights is None else weights
    bw = np.atleast_1d(np.asarray(bandwidths_bps, dtype=float))
    if bw.ndim != 1 or bw.size == 0:
        raise ValueError(f"bandwidths_bps must be a number or a 1-D sequence, got shape {bw.shape}")
    v.positive("bandwidths_bps", bw)
    f, ob, n = _flop_chain(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops)
    v.nonnegative("latency_s", latency_s)
    sent = _crossing(ob, input_bytes)
    uses_cloud = np.arange(n + 1) < n
    edge, cloud = _prefix_times(f / float(edge_flops), f / float(cloud_flops))
    B = bw[:, None]
    t_tx = link_transmission_time(S=sent[None, :], B_eff=B)
    up = link_transfer_time(L=np.where(uses_cloud, float(latency_s), 0.0), t_prop=0.0, t_proc=0.0, S=sent[None, :],
                            B_eff=B)
    ret = np.zeros(n + 1)
    if result_bytes is not None:
        v.nonnegative("result_bytes", result_bytes)
        ret = np.where(uses_cloud, link_transfer_time(L=float(latency_s), t_prop=0.0, t_proc=0.0,
                                                      S=float(result_bytes), B_eff=B), 0.0)
    lat = split_latency(T_e=edge, T_up=up, T_c=cloud, T_down=ret)
    energy = device_energy(P_comp=power.compute_w, t_comp=edge, P_tx=power.transmit_w, t_tx=t_tx,
                           P_idle=power.idle_w, t_wait=lat - edge - t_tx)
    cost_c = cloud_price(p_req=np.where(uses_cloud, price.per_request, 0.0), p_s=price.per_second, t_cloud=cloud,
                         p_B=price.per_byte, S=sent)
    cost_c = np.broadcast_to(cost_c, lat.shape)
    J = offload_cost(w_t=w.latency, T=lat, T_ref=w.latency_ref_s, w_e=w.energy, E_dev=energy,
                     E_ref=w.energy_ref_j, w_p=w.price, C=cost_c, C_ref=w.price_ref)
    return OffloadCosts(bandwidths_bps=bw, latency_s=lat, energy_j=energy, price=np.array(cost_c), cost=J,
                        k=np.argmin(J, axis=1))


def offload_costs(layer_flops: Any, out_bytes: Any, input_bytes: float, edge_flops: float, cloud_flops: float,
                  bandwidth_bps: float, latency_s: float, power: DevicePower = PHONE_POWER,
                  price: CloudPrice = NO_PRICE, weights: Weights | None = None,
                  result_bytes: float | None = None) -> OffloadCosts:
    """:func:`decide_over_bandwidth` at one upload rate (arrays keep their first axis of length 1)."""
    v.positive("bandwidth_bps", bandwidth_bps)
    return decide_over_bandwidth([bandwidth_bps], layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops,
                                 latency_s, power, price, weights, result_bytes)


def threshold_bandwidth(total_flops: float, input_bytes: float, edge_flops: float, cloud_flops: float,
                        latency_s: float) -> float | None:
    """Upload rate [bit/s] above which full offload is faster than local execution.

    B* = 8·S_in / (F/P_e − F/P_c − L) (sympy solution of offload_latency = local_latency).
    Returns ``None`` when no rate makes offloading faster (F/P_e − F/P_c <= L).
    """
    v.positive("total_flops", total_flops)
    v.positive("input_bytes", input_bytes)
    v.positive("edge_flops", edge_flops)
    v.positive("cloud_flops", cloud_flops)
    v.nonnegative("latency_s", latency_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = float(offload_threshold_bandwidth(F=np.float64(total_flops), P_e=np.float64(edge_flops),
                                              P_c=np.float64(cloud_flops), S_in=np.float64(input_bytes),
                                              L=np.float64(latency_s)))
    return _positive_or_none(b)


def _positive_or_none(b: float) -> float | None:
    """A threshold rate, or None where the solved denominator is <= 0 (offloading never pays)."""
    return b if np.isfinite(b) and b > 0 else None


def threshold_bandwidth_weighted(total_flops: float, input_bytes: float, edge_flops: float, cloud_flops: float,
                                 latency_s: float, power: DevicePower = PHONE_POWER, price: CloudPrice = NO_PRICE,
                                 weights: Weights | None = None) -> float | None:
    """Upload rate [bit/s] above which full offload has the lower weighted cost J (no return trip).

    Sympy solution of J(offload) = J(local); ``None`` when offloading never has the lower cost.
    """
    w = Weights() if weights is None else weights
    v.positive("total_flops", total_flops)
    v.positive("input_bytes", input_bytes)
    v.positive("edge_flops", edge_flops)
    v.positive("cloud_flops", cloud_flops)
    v.nonnegative("latency_s", latency_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = float(offload_threshold_bandwidth_weighted(
            w_t=np.float64(w.latency), w_e=w.energy, w_p=w.price, T_ref=w.latency_ref_s, E_ref=w.energy_ref_j,
            C_ref=w.price_ref,
            P_comp=power.compute_w, P_tx=power.transmit_w, P_idle=power.idle_w, p_req=price.per_request,
            p_s=price.per_second, p_B=price.per_byte, F=total_flops, P_e=edge_flops, P_c=cloud_flops,
            S_in=input_bytes, L=latency_s))
    return _positive_or_none(b)
