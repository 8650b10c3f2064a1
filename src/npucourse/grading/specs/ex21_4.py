"""Exercise 21.4: latency of sending 1 MB of activations over 5G (Chapter 21 §21.4.2).

The draft's answer (8 Mb / 100 Mbit/s = 80 ms, about 100 ms in all) uses the DOWNLINK rate; the
device sends, so the exercise is built on the ITU-R M.2410 uplink (preset ``5g-embb``, "up") and
on :meth:`npucourse.edgecloud.link.Link.components` (transmission at the protocol-free rate plus a
separate protocol-overhead term, B_eff = B·η). The exercise's own assumptions (η = 0.9, 10 ms of
propagation beyond the radio network) are :data:`npucourse.edgecloud.cases.EX21_4`.

Random cases are drawn so that the typical mistakes fail every draw: every payload is > 0 (8x
for bits/bytes), every η < 1 (B/η for B·η), every distance > 0 (c for c/n in fibre), every preset
list holds the asymmetric 5G and LTE presets (downlink for uplink); the ``dominant`` cases put the
transmission time within a factor 1.3-6 of the largest fixed delay, on either side, and some
cases make the protocol overhead dominate, so an 8x or a B/η error flips the verdict.
"""

from __future__ import annotations

import math
import random

from ...edgecloud import cases as _cases
from ...edgecloud import link as lk
from ...formulas._gen.edgecloud_link import link_bdp_bytes
from ..spec import Check, single_value

#: The component names of Link.components, in its order; the notebook states them.
COMPONENTS = ("access_latency", "propagation", "processing", "transmission", "protocol_overhead", "total")
#: The presets compared in the "dominant" part (uplink), and the two payloads [B] of that part.
DOMINANT_LINKS = ("5g-embb", "4g-lte", "wifi-6")
DOMINANT_PAYLOADS = {"dominant_20kb": 20e3, "dominant_200kb": 200e3}


def _link(rate_bps: float, protocol_efficiency: float, distance_m: float, latency_s: float,
          processing_s: float) -> lk.Link:
    return lk.Link("grading case", bandwidth_bps=rate_bps, latency_s=latency_s, source="assumption: grading case",
                   protocol_efficiency=protocol_efficiency, distance_m=distance_m, processing_s=processing_s)


def _components(payload_bytes: float, rate_bps: float, protocol_efficiency: float, distance_m: float,
                latency_s: float, processing_s: float) -> dict[str, float]:
    return _link(rate_bps, protocol_efficiency, distance_m, latency_s, processing_s).components(payload_bytes)


def _dominant(**case: float) -> str:
    comp = _components(**case)
    return max((k for k in COMPONENTS if k != "total"), key=lambda k: comp[k])


def _break_even(rate_bps: float, protocol_efficiency: float, distance_m: float, latency_s: float,
                processing_s: float) -> float:
    lnk = _link(rate_bps, protocol_efficiency, distance_m, latency_s, processing_s)
    return float(link_bdp_bytes(B_eff=lnk.effective_bandwidth_bps, L=lnk.fixed_latency_s))


def _exercise_link(name: str, direction: str = "up") -> lk.Link:
    """A preset with the exercise's protocol efficiency and propagation (as ex21_4_transfer does)."""
    return lk.get(name, direction).with_(protocol_efficiency=_cases.EX21_4.protocol_efficiency,
                                         distance_m=_cases.EX21_4.propagation_s * lk.FIBRE_SPEED_MPS)


def _device_send(name: str, payload_bytes: float) -> dict[str, float]:
    return _exercise_link(name).components(payload_bytes)


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _random_link(rng: random.Random) -> dict[str, float]:
    return {"rate_bps": round(_log_uniform(rng, 2e6, 2e9), 0),
            "protocol_efficiency": round(rng.uniform(0.5, 0.98), 4),
            "distance_m": round(_log_uniform(rng, 1e3, 5e6), 1),
            "latency_s": round(_log_uniform(rng, 5e-4, 5e-2), 6),
            "processing_s": round(rng.uniform(0.0, 5e-3), 6)}


def _component_cases(rng: random.Random) -> list[dict[str, float]]:
    out = []
    for _ in range(8):
        c = _random_link(rng)
        out.append({"payload_bytes": float(rng.randint(1_000, 100_000_000)), **c})
    return out


def _dominant_cases(rng: random.Random) -> list[dict[str, float]]:
    """Fixed delays with a clear largest one (the others ≤ 0.8 of it); the payload puts the
    transmission (or, with η ≤ 0.4, the protocol overhead) above that largest fixed delay, or
    keeps both below it, with margins that an 8x or a B/η error crosses."""
    out = []
    kinds = ["transmission", "transmission", "protocol_overhead", "protocol_overhead", "fixed", "fixed", "fixed", "fixed"]
    rng.shuffle(kinds)
    for kind in kinds:
        top = _log_uniform(rng, 1e-3, 5e-2)
        fixed = [top, top * rng.uniform(0.05, 0.8), top * rng.uniform(0.0, 0.8)]
        rng.shuffle(fixed)
        latency, prop, proc = fixed
        rate = round(_log_uniform(rng, 2e6, 2e9), 0)
        if kind == "protocol_overhead":
            eta = round(rng.uniform(0.2, 0.4), 4)      # overhead = (1/η − 1)·tx ≥ 1.5·tx
            on_link = top * rng.uniform(1.3, 4.0)      # the overhead term
            tx = on_link / (1 / eta - 1)
        else:
            eta = round(rng.uniform(0.6, 0.95), 4)     # overhead ≤ 0.67·tx
            # transmission: tx/8 < top (forgotten ×8 flips); fixed: tx ≤ 0.55·top, tx/η < top, 8·tx > 1.3·top
            tx = top * (rng.uniform(1.3, 6.0) if kind == "transmission" else rng.uniform(1.3 / 8, 0.55))
        payload = float(max(1, round(tx * rate / 8)))
        out.append({"payload_bytes": payload, "rate_bps": rate, "protocol_efficiency": eta,
                    "distance_m": round(prop * lk.FIBRE_SPEED_MPS, 3), "latency_s": round(latency, 7),
                    "processing_s": round(proc, 7)})
    return out


def _preset_cases(rng: random.Random) -> list[dict]:
    names = list(lk.names())
    rng.shuffle(names)
    names += [rng.choice(("5g-embb", "4g-lte"))]
    return [{"name": n, "payload_bytes": float(rng.randint(1_000, 20_000_000))} for n in names]


def _break_even_cases(rng: random.Random) -> list[dict[str, float]]:
    return [_random_link(rng) for _ in range(6)]


def _up(payload_bytes: float) -> float:
    return float(_cases.ex21_4_transfer("up", payload_bytes=payload_bytes)["total"])


CHECKS = {
    "propagation": Check(
        cases=lambda rng: [{"distance_m": round(_log_uniform(rng, 1e3, 1e7), 1)} for _ in range(6)],
        reference=lambda distance_m: _link(1e9, 1.0, distance_m, 0.0, 0.0).propagation_s,
        describe="propagation_time(distance_m) 返回信号在光纤中走过 distance_m 米的时间（秒）",
        rtol=1e-9,
    ),
    "components": Check(
        cases=_component_cases,
        reference=_components,
        describe=("transfer_components(...) 返回六项时间（秒）的字典：access_latency、propagation、processing、"
                  "transmission（按不含协议折扣的速率）、protocol_overhead 和 total"),
        rtol=1e-9,
    ),
    "device_send": Check(
        cases=_preset_cases,
        reference=_device_send,
        describe=("device_send(name, payload_bytes) 返回设备经预设链路发送 payload_bytes 字节时的各项时间，"
                  "采用本题的协议效率和传播时延"),
        rtol=1e-9,
    ),
    "answer_up_mb": single_value(lambda: _up(_cases.EX21_4.payload_bytes),
                           "T_UP_MB：设备经 5G eMBB 发送 1 MB（十进制）激活的总延迟（秒）"),
    "answer_down_mb": single_value(lambda: float(_cases.ex21_4_transfer("down")["total"]),
                             "T_DOWN_MB：同样 1 MB（十进制）若走 5G eMBB 下行的总延迟（秒）"),
    "answer_up_mib": single_value(lambda: _up(_cases.EX21_4.payload_mib_bytes),
                            "T_UP_MIB：把“1MB”读作 1 MiB 时，设备经 5G eMBB 发送的总延迟（秒）"),
    "dominant": Check(
        cases=_dominant_cases,
        reference=_dominant,
        describe="dominant_component(...) 返回五项时间中最大的一项的名称（不含 total）",
    ),
    **{key: single_value(lambda s=s: {n: max((k for k in COMPONENTS if k != "total"), key=_device_send(n, s).get)
                                for n in DOMINANT_LINKS},
                   f"{key.upper()}：设备发送 {s / 1e3:.0f} kB 时各链路上最大的一项（字典，键为预设名）")
       for key, s in DOMINANT_PAYLOADS.items()},
    "break_even": Check(
        cases=_break_even_cases,
        reference=_break_even,
        describe="break_even_bytes(...) 返回链路上的发送时间 8S/(B·η) 等于全部固定时延时的负载 S（字节）",
        rtol=1e-9,
    ),
    "answer_break_even": single_value(lambda: float(link_bdp_bytes(B_eff=_exercise_link("5g-embb").effective_bandwidth_bps,
                                                             L=_exercise_link("5g-embb").fixed_latency_s)),
                                "BREAK_EVEN_5G_UP：5G eMBB 上行在本题假设下的临界负载（字节）"),
}
