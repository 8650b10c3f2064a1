"""Exercise 21.6: the best edge–cloud cut of a chain, and of the 20-block ViT (Chapter 21 §21.4.1).

Model and conventions are those of :func:`npucourse.edgecloud.best_split` (no return trip):
k = number of stages on the edge (k = 0..n), T(k) = Σ_{i<k} f_i/P_e + [k<n]·(L + 8·D_k/B)
+ Σ_{i>=k} f_i/P_c with D_0 = the input bytes and D_k = output bytes of stage k-1; at k = n nothing
is sent and no latency is paid. Ties go to the smallest k (``np.argmin``).

The draft's answer ("split at layer 12") is not the optimum and its O(n²) recurrence counts the
transfer and cloud time twice; the graded finals come from :mod:`npucourse.edgecloud.cases`.

Random chains are drawn so that the typical mistakes lose points on every draw: the cases of
``best_cut`` are kept until the optimum lies at 0, at n and in the interior, one case has an exact
tie, and for each mistake below some case has a different optimum under that mistake. The mistakes
are expressed through the package (``best_split`` with changed arguments), for case selection only.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import numpy as np

from ...edgecloud import cases as _cases
from ...edgecloud import link as _link
from ...edgecloud.split import Split, best_split
from ..spec import Check, single_value

_MARGIN = 1e-6  # relative gap between the best and the second-best cut (no near-ties, except the exact one)


def _sig(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}")


def _chain(rng: random.Random, n_lo: int = 3, n_hi: int = 12) -> dict[str, Any]:
    """A random chain with integer FLOPs and bytes and round rates (JSON-friendly)."""
    n = rng.randint(n_lo, n_hi)
    edge = _sig(10 ** rng.uniform(11.0, 12.5))
    return {
        "layer_flops": [float(int(10 ** rng.uniform(7.0, 10.5))) for _ in range(n)],
        "out_bytes": [float(int(10 ** rng.uniform(2.5, 6.5))) for _ in range(n)],
        "input_bytes": float(int(10 ** rng.uniform(4.5, 6.5))),
        "edge_flops": edge,
        "cloud_flops": _sig(edge * 10 ** rng.uniform(0.5, 2.5)),
        "bandwidth_bps": _sig(10 ** rng.uniform(6.0, 9.0)),
        "latency_s": _sig(rng.uniform(0.001, 0.05)),
    }


def _split(c: dict[str, Any], **changes: Any) -> Split:
    a = {**c, **changes}
    return best_split(a["layer_flops"], a["out_bytes"], a["input_bytes"], a["edge_flops"], a["cloud_flops"],
                      a["bandwidth_bps"], a["latency_s"])


#: Typical mistakes (the WRONG variants of tests/grading/mutants/ex21_6.py).
MISTAKES = ("bits_for_bytes", "rates_swapped", "latency_twice", "latency_per_layer", "off_by_one_bytes",
            "all_edge_uploads", "draft_dp")


def _mistakes(c: dict[str, Any]) -> dict[str, np.ndarray]:
    """Latency of every cut under each typical mistake (for choosing discriminating cases)."""
    s = _split(c)
    n, L = s.n, float(c["latency_s"])
    sends = np.arange(n + 1) < n
    ob = c["out_bytes"]
    return {
        "bits_for_bytes": _split(c, bandwidth_bps=8 * c["bandwidth_bps"]).latencies_s,
        "rates_swapped": _split(c, edge_flops=c["cloud_flops"], cloud_flops=c["edge_flops"]).latencies_s,
        "latency_twice": s.latencies_s + L * sends,
        "latency_per_layer": s.latencies_s + L * np.maximum(n - np.arange(n + 1) - 1, 0),
        "off_by_one_bytes": _split(c, input_bytes=ob[0], out_bytes=list(ob[1:]) + [0.0]).latencies_s,
        "all_edge_uploads": s.latencies_s + (~sends) * (L + 8 * ob[-1] / c["bandwidth_bps"]),
        # the draft's recurrence: DP[0] = T(0), DP[i] = T(0) + T(i) for i >= 1 (see split.draft_dp_split)
        "draft_dp": np.concatenate(([s.latencies_s[0]], s.latencies_s[0] + s.latencies_s[1:])),
    }


def _clear_optimum(lat: np.ndarray) -> bool:
    srt = np.sort(lat)
    return bool(srt[1] > srt[0] * (1 + _MARGIN))


def _moves_optimum(lat: np.ndarray, k_true: int) -> bool:
    """The mistake robustly prefers another cut than the true one."""
    return bool(lat.min() < lat[k_true] * (1 - _MARGIN))


def _differs(lat: np.ndarray, true: np.ndarray) -> bool:
    return bool(np.any(np.abs(lat - true) > 1e-6 * np.abs(true)))


def _tie_case(rng: random.Random) -> dict[str, Any]:
    """A short chain whose optimum k ties exactly with k + 1: a zero-FLOP stage that passes its
    input through unchanged is inserted right after the optimum (answer: the smaller k)."""
    while True:
        c = _chain(rng, 2, 6)
        s = _split(c)
        if s.k == s.n or not _clear_optimum(s.latencies_s):
            continue
        k = s.k
        passed = c["input_bytes"] if k == 0 else c["out_bytes"][k - 1]
        t = dict(c, layer_flops=c["layer_flops"][:k] + [0.0] + c["layer_flops"][k:],
                 out_bytes=c["out_bytes"][:k] + [passed] + c["out_bytes"][k:])
        st = _split(t)
        if st.k == k and st.latencies_s[k] == st.latencies_s[k + 1]:  # always, by construction
            return t


def _best_cut_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Optimum at 0 (>= 2 cases), at n (>= 2) and inside (>= 3); every mistake moves the optimum
    in some case; no near-ties; plus one exact tie."""
    need = {"zero": 2, "end": 2, "interior": 3}
    uncovered = set(MISTAKES)
    out: list[dict[str, Any]] = []
    for _ in range(20000):
        if not uncovered and all(v <= 0 for v in need.values()):
            break
        c = _chain(rng)
        lat = _split(c).latencies_s
        if not _clear_optimum(lat):
            continue
        k, n = int(np.argmin(lat)), lat.size - 1
        where = "zero" if k == 0 else "end" if k == n else "interior"
        moved = {m for m, ml in _mistakes(c).items() if m in uncovered and _moves_optimum(ml, k)}
        if need[where] > 0 or moved:
            out.append(c)
            need[where] -= 1
            uncovered -= moved
    else:  # pragma: no cover - the generator covers everything within a few hundred draws
        raise RuntimeError(f"case generation did not cover {uncovered} / {need}")
    out.insert(rng.randrange(len(out) + 1), _tie_case(rng))
    return out


def _cut_latency_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Five random chains on which every mistake changes some cut's latency."""
    while True:
        out = [_chain(rng) for _ in range(5)]
        if all(any(_differs(_mistakes(c)[m], _split(c).latencies_s) for c in out) for m in MISTAKES):
            return out


def _subset(keys: tuple[str, ...], make: Callable[[random.Random], list[dict[str, Any]]]):
    return lambda rng: [{k: c[k] for k in keys} for c in make(rng)]


def _link_only(out_bytes: list[float], input_bytes: float, bandwidth_bps: float = 1.0,
               latency_s: float = 0.0) -> Split:
    """best_split for a link question: the FLOPs and rates (placeholders) do not affect sent_bytes, upload_s."""
    n = len(out_bytes)
    return _split(dict(layer_flops=[1.0] * n, out_bytes=out_bytes, input_bytes=input_bytes, edge_flops=1.0,
                       cloud_flops=1.0, bandwidth_bps=bandwidth_bps, latency_s=latency_s))


def _prefix(layer_flops: list[float], edge_flops: float, cloud_flops: float) -> dict[str, list[float]]:
    """edge_s, cloud_s of best_split (the link arguments, placeholders here, do not affect them)."""
    n = len(layer_flops)
    s = _split(dict(layer_flops=layer_flops, edge_flops=edge_flops, cloud_flops=cloud_flops, out_bytes=[0.0] * n,
                    input_bytes=0.0, bandwidth_bps=1.0, latency_s=0.0))
    return {"edge_s": s.edge_s.tolist(), "cloud_s": s.cloud_s.tolist()}


def _lte() -> Split:
    up = _link.get("4g-lte", "up")
    return _cases.ex21_6_split(bandwidth_bps=up.effective_bandwidth_bps, latency_s=up.fixed_latency_s)


CHECKS = {
    "prefix_times": Check(
        cases=_subset(("layer_flops", "edge_flops", "cloud_flops"), _cut_latency_cases),
        reference=_prefix,
        describe="prefix_times(layer_flops, edge_flops, cloud_flops) 返回 {'edge_s': [...], 'cloud_s': [...]}："
                 "k = 0..n 时前 k 段在边缘、其余段在云端各需的秒数（各 n + 1 个值）",
        rtol=1e-9, atol=1e-12,
    ),
    "sent_bytes": Check(
        cases=_subset(("out_bytes", "input_bytes"), _cut_latency_cases),
        reference=lambda **c: _link_only(**c).sent_bytes.tolist(),
        describe="sent_bytes(out_bytes, input_bytes) 返回 k = 0..n 每个切点经上行链路发送的字节数",
        rtol=1e-12,
    ),
    "upload_times": Check(
        cases=_subset(("out_bytes", "input_bytes", "bandwidth_bps", "latency_s"), _cut_latency_cases),
        reference=lambda **c: _link_only(**c).upload_s.tolist(),
        describe="upload_times(out_bytes, input_bytes, bandwidth_bps, latency_s) 返回 k = 0..n 每个切点的"
                 "上传时间（秒；带宽以 bit/s 计，字节数以 B 计）",
        rtol=1e-9, atol=1e-12,
    ),
    "cut_latencies": Check(
        cases=_cut_latency_cases,
        reference=lambda **c: _split(c).latencies_s.tolist(),
        describe="cut_latencies(...) 返回 k = 0..n 每个切点的端到端延迟（秒）",
        rtol=1e-7, atol=1e-12,
    ),
    "best_cut": Check(
        cases=_best_cut_cases,
        reference=lambda **c: _split(c).k,
        describe="best_cut(...) 返回端到端延迟最小的切点 k（并列时取边缘段数最少的那个）",
    ),
    "answer_k": single_value(
        reference=lambda: _cases.ex21_6_split().k,
        describe="K_21_6：练习 21.6 的最优切点（边缘上的段数 k）",
    ),
    "answer_latency": single_value(
        reference=lambda: _cases.ex21_6_split().latency_s,
        describe="T_21_6：最优切点的端到端延迟（秒）",
        rtol=1e-6,
    ),
    "answer_draft": single_value(
        reference=lambda: float(_cases.ex21_6_split().latencies_s[1 + _cases.EX21_6.draft_blocks_on_edge]),
        describe="T_DRAFT_21_6：草稿的切点（嵌入层和前 12 个编码器块在边缘）的端到端延迟（秒）",
        rtol=1e-6,
    ),
    "answer_lte_k": single_value(
        reference=lambda: _lte().k,
        describe="K_LTE_21_6：换成 LTE 上行预设后的最优切点",
    ),
    "answer_lte_latency": single_value(
        reference=lambda: _lte().latency_s,
        describe="T_LTE_21_6：换成 LTE 上行预设后最优切点的端到端延迟（秒）",
        rtol=1e-6,
    ),
}
