"""Network links between an edge device and the cloud (Chapter 21 §21.4.2).

A :class:`Link` is one direction of a connection: its nominal rate [bit/s], its one-way
latency [s] and three derating factors. Payloads are given in BYTES and converted to bits
once, with :data:`npucourse.units.BITS_PER_BYTE`; an edge device that sends activations uses
the UPLINK, so every preset exists in both directions and ``get(name)`` returns the uplink.

Formulas (registry, topic ``edgecloud_link``): ``link_effective_bandwidth``,
``link_transmission_time``, ``link_protocol_overhead_time``, ``link_propagation_time``,
``link_transfer_time``, ``link_bdp_bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .. import _validate as v
from ..cost import Num
from ..formulas._gen.edgecloud_link import (
    link_bdp_bytes,
    link_effective_bandwidth,
    link_propagation_time,
    link_protocol_overhead_time,
    link_transfer_time,
    link_transmission_time,
)
from ..units import MEGA, MILLI

__all__ = ["Link", "get", "names", "register", "SPEED_OF_LIGHT_MPS", "FIBRE_SPEED_MPS", "DIRECTIONS",
           "URLLC_RELIABILITY", "M2410"]

#: Speed of light in vacuum [m/s] (exact, SI definition of the metre).
SPEED_OF_LIGHT_MPS = 299_792_458.0
#: Group index of standard single-mode silica fibre near 1550 nm.
FIBRE_GROUP_INDEX = 1.468
FIBRE_GROUP_INDEX_SOURCE = "assumption: group index ≈ 1.468 of standard single-mode fibre at 1550 nm"
#: Signal speed in optical fibre [m/s]: c / n_g ≈ 2.04e8 m/s.
FIBRE_SPEED_MPS = SPEED_OF_LIGHT_MPS / FIBRE_GROUP_INDEX

DIRECTIONS = ("up", "down")


def _out(x: Any) -> Num:
    """A Python float for a scalar result, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


def _factor(name: str, value: float) -> None:
    v.positive(name, value)
    if value > 1:
        raise ValueError(f"{name} must lie in (0, 1], got {value!r}")


@dataclass(frozen=True)
class Link:
    """One direction of a network link.

    Attributes
    ----------
    name : str
        Preset or user name.
    bandwidth_bps : float
        Nominal data rate in this direction [bit/s] (bits, not bytes).
    latency_s : float
        Fixed one-way latency of the access network [s] (for 5G: the ITU-R M.2410 user-plane
        latency, i.e. the radio network's contribution, unloaded).
    source : str
        Where the numbers come from, or ``"assumption: ..."``.
    protocol_efficiency, congestion_factor, signal_factor : float
        Derating factors in (0, 1]: B_eff = B·η_p·η_c·η_s (draft §21.4.2).
    distance_m : float
        Propagation distance beyond the access network (backhaul, internet to the data
        centre) [m]; 0 when ``latency_s`` already covers the whole path.
    propagation_speed_mps : float
        Signal speed on that distance [m/s]; default: optical fibre.
    processing_s : float
        Protocol-stack processing and queueing per transfer [s].
    direction : {"up", "down"}
        ``"up"``: device to network (what an edge device uses to send activations).
    """

    name: str
    bandwidth_bps: float
    latency_s: float
    source: str
    protocol_efficiency: float = 1.0
    congestion_factor: float = 1.0
    signal_factor: float = 1.0
    distance_m: float = 0.0
    propagation_speed_mps: float = FIBRE_SPEED_MPS
    processing_s: float = 0.0
    direction: str = "up"

    def __post_init__(self) -> None:
        v.positive(f"Link({self.name}).bandwidth_bps", self.bandwidth_bps)
        v.nonnegative(f"Link({self.name}).latency_s", self.latency_s)
        _factor(f"Link({self.name}).protocol_efficiency", self.protocol_efficiency)
        _factor(f"Link({self.name}).congestion_factor", self.congestion_factor)
        _factor(f"Link({self.name}).signal_factor", self.signal_factor)
        v.nonnegative(f"Link({self.name}).distance_m", self.distance_m)
        v.positive(f"Link({self.name}).propagation_speed_mps", self.propagation_speed_mps)
        if self.propagation_speed_mps > SPEED_OF_LIGHT_MPS:
            raise ValueError(f"Link({self.name}).propagation_speed_mps must not exceed the speed of light "
                             f"{SPEED_OF_LIGHT_MPS} m/s, got {self.propagation_speed_mps!r}")
        v.nonnegative(f"Link({self.name}).processing_s", self.processing_s)
        v.choice(f"Link({self.name}).direction", self.direction, DIRECTIONS)
        if not self.source:
            raise ValueError(f"Link({self.name}).source must name a source or say 'assumption: ...'")

    @classmethod
    def from_rtt(cls, name: str, bandwidth_bps: float, rtt_s: float, source: str, **kwargs: Any) -> "Link":
        """A link whose one-way latency is half a measured round-trip time (symmetric path assumed)."""
        v.nonnegative("rtt_s", rtt_s)
        return cls(name=name, bandwidth_bps=bandwidth_bps, latency_s=rtt_s / 2, source=source, **kwargs)

    def with_(self, **changes: Any) -> "Link":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    # -- rates and fixed delays ----------------------------------------------------------------
    @property
    def effective_bandwidth_bps(self) -> float:
        """B_eff = B·η_p·η_c·η_s [bit/s]."""
        return float(link_effective_bandwidth(B=self.bandwidth_bps, eta_p=self.protocol_efficiency,
                                              eta_c=self.congestion_factor, eta_s=self.signal_factor))

    @property
    def propagation_s(self) -> float:
        """Propagation time over ``distance_m`` [s]."""
        return float(link_propagation_time(d=self.distance_m, v=self.propagation_speed_mps))

    @property
    def fixed_latency_s(self) -> float:
        """Everything that does not depend on the payload: latency + propagation + processing [s]."""
        return float(link_transfer_time(L=self.latency_s, t_prop=self.propagation_s, t_proc=self.processing_s,
                                        S=0.0, B_eff=self.effective_bandwidth_bps))

    @property
    def bdp_bytes(self) -> float:
        """Payload whose transmission time equals the access latency (bandwidth-delay product) [B]."""
        return float(link_bdp_bytes(B_eff=self.effective_bandwidth_bps, L=self.latency_s))

    # -- payload-dependent times ---------------------------------------------------------------
    def transmission_time(self, payload_bytes: Num) -> Num:
        """Time to put ``payload_bytes`` BYTES on the link at B_eff: 8·S/B_eff [s] (vectorised)."""
        v.nonnegative("payload_bytes", payload_bytes)
        return _out(link_transmission_time(S=np.asarray(payload_bytes, dtype=float),
                                           B_eff=self.effective_bandwidth_bps))

    def transfer_time(self, payload_bytes: Num, queueing_s: Num = 0.0) -> Num:
        """One-way transfer time of ``payload_bytes`` BYTES [s] (vectorised).

        ``latency_s + propagation + processing + queueing_s + 8·S/B_eff``; ``queueing_s`` is an
        extra wait (e.g. an M/M/1 W_q from :mod:`npucourse.edgecloud.queueing`).
        """
        v.nonnegative("payload_bytes", payload_bytes)
        v.nonnegative("queueing_s", queueing_s)
        out = link_transfer_time(L=self.latency_s, t_prop=self.propagation_s,
                                 t_proc=self.processing_s + np.asarray(queueing_s, dtype=float),
                                 S=np.asarray(payload_bytes, dtype=float), B_eff=self.effective_bandwidth_bps)
        return _out(out)

    def components(self, payload_bytes: float) -> dict[str, float]:
        """Latency components of one transfer [s]: access latency, propagation, processing,
        transmission at the protocol-free rate, protocol overhead, and their total."""
        v.nonnegative("payload_bytes", payload_bytes)
        proto = float(link_protocol_overhead_time(S=payload_bytes, B=self.bandwidth_bps, eta_p=self.protocol_efficiency,
                                                  eta_c=self.congestion_factor, eta_s=self.signal_factor))
        total = float(self.transfer_time(payload_bytes))
        tx = float(self.transmission_time(payload_bytes))
        return {
            "access_latency": float(self.latency_s),
            "propagation": self.propagation_s,
            "processing": float(self.processing_s),
            "transmission": tx - proto,
            "protocol_overhead": proto,
            "total": total,
        }


_PRESETS: dict[tuple[str, str], Link] = {}


def register(link: Link) -> Link:
    """Add a preset; (name, direction) pairs are unique."""
    key = (link.name, link.direction)
    if key in _PRESETS:
        raise ValueError(f"link preset {link.name!r} ({link.direction}) already exists")
    _PRESETS[key] = link
    return link


def get(name: str, direction: str = "up") -> Link:
    """The preset ``name`` in ``direction`` (``"up"`` by default: the edge device sends).

    Raises
    ------
    KeyError
        Unknown name (the message lists the presets).
    ValueError
        ``direction`` not in ``("up", "down")``.
    """
    v.choice("direction", direction, DIRECTIONS)
    try:
        return _PRESETS[(name, direction)]
    except KeyError:
        raise KeyError(f"unknown link preset {name!r}; presets: {', '.join(names())}") from None


def names() -> tuple[str, ...]:
    """Preset names (each exists as ``"up"`` and ``"down"``)."""
    return tuple(sorted({n for n, _ in _PRESETS}))


def _pair(name: str, up_bps: float, down_bps: float, latency_s: float, source: str) -> None:
    register(Link(name, bandwidth_bps=up_bps, latency_s=latency_s, source=source, direction="up"))
    register(Link(name, bandwidth_bps=down_bps, latency_s=latency_s, source=source, direction="down"))


M2410 = ("ITU-R Report M.2410-0 (11/2017), minimum requirements for IMT-2020: user-experienced data "
         "rate 100 Mbit/s down / 50 Mbit/s up (dense urban eMBB, 5th percentile); user-plane latency "
         "(one way, unloaded, radio network only) 4 ms eMBB, 1 ms URLLC")
#: IMT-2020 reliability requirement: success probability of a 32-byte layer-2 PDU within 1 ms (URLLC).
URLLC_RELIABILITY = 1 - 1e-5
URLLC_RELIABILITY_SOURCE = "ITU-R Report M.2410-0, reliability requirement: 1-10^-5 for a 32-byte layer-2 PDU within 1 ms"
_pair("5g-embb", 50 * MEGA, 100 * MEGA, 4 * MILLI, M2410)
_pair("5g-urllc", 50 * MEGA, 100 * MEGA, 1 * MILLI,
      M2410 + ". assumption: M.2410 sets no data rate for URLLC; the eMBB user-experienced rates are used")
_pair("4g-lte", 6 * MEGA, 13 * MEGA, 35 * MILLI,
      "Huang et al., A Close Examination of Performance and Power Characteristics of 4G LTE Networks, "
      "MobiSys 2012: median throughput 13 Mbit/s down, 6 Mbit/s up. assumption: one-way latency 35 ms "
      "(half of a 70 ms round trip)")
_pair("wifi-5", 200 * MEGA, 200 * MEGA, 2 * MILLI,
      "assumption: IEEE 802.11ac single client, 200 Mbit/s TCP throughput each way, 2 ms one-way latency "
      "to the access point's network")
_pair("wifi-6", 500 * MEGA, 500 * MEGA, 2 * MILLI,
      "assumption: IEEE 802.11ax single client, 500 Mbit/s TCP throughput each way, 2 ms one-way latency "
      "to the access point's network")
