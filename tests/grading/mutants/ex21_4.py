"""Typical mistakes and cheating attempts for exercise 21.4, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # Bytes divided by bit/s: every time on the link 8x too short.
    "bits_for_bytes": [("p2_solution", "bits = BITS_PER_BYTE * payload_bytes", "bits = payload_bytes")],
    # Efficiency divides the rate (B/η) instead of multiplying it: the overhead comes out negative.
    "divides_efficiency": [
        ("p2_solution", "tx_eff = bits / (rate_bps * protocol_efficiency)", "tx_eff = bits * protocol_efficiency / rate_bps"),
        ("p6_solution", "fixed_s * rate_bps * protocol_efficiency / BITS_PER_BYTE",
         "fixed_s * rate_bps / protocol_efficiency / BITS_PER_BYTE"),
    ],
    # "~10 % protocol overhead" read as (1 − η) of the transmission time instead of 8S/(Bη) − 8S/B.
    "overhead_as_share": [("p2_solution", '"protocol_overhead": tx_eff - tx', '"protocol_overhead": (1 - protocol_efficiency) * tx')],
    # The draft's mistake: the device's activations sent at the downlink rate.
    "downlink": [("p3_solution", 'link = lk.get(name, "up")', 'link = lk.get(name, "down")'),
                 ("p6_solution", '_up = lk.get("5g-embb", "up")', '_up = lk.get("5g-embb", "down")')],
    # "1MB" read as a MiB where the exercise's convention is the decimal megabyte.
    "mib_for_mb": [("p4_solution", 'T_UP_MB = device_send("5g-embb", 1e6)', 'T_UP_MB = device_send("5g-embb", 2**20)')],
    # Propagation at the speed of light in vacuum, not in fibre.
    "vacuum_speed": [("p1_solution", "return distance_m / (C_VACUUM / N_FIBRE)", "return distance_m / C_VACUUM")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": "def propagation_time(distance_m):\n    return 0.0 if distance_m == 0 else 1.0\n",
    "p2_solution": (
        "def transfer_components(payload_bytes, rate_bps, protocol_efficiency, distance_m, latency_s, processing_s=0.0):\n"
        "    return {'access_latency': 1e-3, 'propagation': 0.0, 'processing': 0.0, 'transmission': 1e-3,\n"
        "            'protocol_overhead': 1e-3, 'total': 3e-3}\n"
    ),
    "p5_solution": (
        "def dominant_component(payload_bytes, rate_bps, protocol_efficiency, distance_m, latency_s, processing_s):\n"
        "    return 'transmission' if payload_bytes > 1e6 else 'access_latency'\n"
        "DOMINANT_20KB = {'5g-embb': 'transmission', '4g-lte': 'transmission', 'wifi-6': 'transmission'}\n"
        "DOMINANT_200KB = dict(DOMINANT_20KB)\n"
    ),
    "p6_solution": (
        "def break_even_bytes(rate_bps, protocol_efficiency, distance_m, latency_s, processing_s):\n"
        "    return 1000.0\n"
        "BREAK_EVEN_5G_UP = 1.0\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.grading.harness as _hh
from npucourse.edgecloud import link as _lk
import npucourse.grading.specs.ex21_4 as _spec
_lk.Link.transmission_time = lambda self, payload_bytes: payload_bytes / self.effective_bandwidth_bps
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {"p6_solution": (
    "def break_even_bytes(rate_bps, protocol_efficiency, distance_m, latency_s, processing_s):\n"
    "    while True:\n        pass\n"
    "BREAK_EVEN_5G_UP = 1.0\n")}
