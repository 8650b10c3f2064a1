"""Typical mistakes, cheating attempts and alternative correct designs for exercise 21.6, as
(grade_id, old, new) edits of the reference answers.

Every WRONG variant changes the latency of some cut on every random draw (``cut_latencies`` and
the helpers it uses), and the cases of ``best_cut`` are chosen so that each of them also moves the
optimum in at least one case (see ``npucourse.grading.specs.ex21_6.MISTAKES``).
"""

_UPLOAD = "latency_s + 8 * sent[k] / bandwidth_bps if k < n else 0.0"
_BEST = "    T = cut_latencies(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s)\n"

WRONG = {
    # Bytes divided by bit/s: every transfer 8x too fast, early cuts look better than they are.
    "bits_for_bytes": [("p2_solution", _UPLOAD, "latency_s + sent[k] / bandwidth_bps if k < n else 0.0")],
    # The edge and cloud rates exchanged.
    "rates_swapped": [("p1_solution", "layer_flops[k - 1] / edge_flops", "layer_flops[k - 1] / cloud_flops"),
                      ("p1_solution", "layer_flops[k] / cloud_flops", "layer_flops[k] / edge_flops")],
    # A round trip's latency charged on the upload (the exercise counts no return trip).
    "latency_twice": [("p2_solution", _UPLOAD, "2 * " + _UPLOAD)],
    # The link latency paid once per stage that runs in the cloud.
    "latency_per_layer": [("p2_solution", _UPLOAD, "(n - k) * " + _UPLOAD)],
    # Cut k sends the output of stage k instead of stage k-1 (the input is never sent).
    "off_by_one_bytes": [("p2_solution", "return [input_bytes] + list(out_bytes[:-1]) + [0.0]",
                          "return list(out_bytes) + [0.0]")],
    # All-edge still sends the final output and pays the latency (the draft's DP[n]).
    "all_edge_uploads": [("p2_solution", "if k < n else 0.0",
                          "if k < n else latency_s + 8 * out_bytes[-1] / bandwidth_bps")],
    # The draft's recurrence: DP[j] already holds cut j's transfer and cloud time, which are added again.
    "draft_dp": [("p4_solution", _BEST, (
        "    t = prefix_times(layer_flops, edge_flops, cloud_flops)\n"
        "    up = upload_times(out_bytes, input_bytes, bandwidth_bps, latency_s)\n"
        "    T = [t['edge_s'][0] + up[0] + t['cloud_s'][0]]\n"
        "    for i in range(1, len(up)):\n"
        "        T.append(min(T[j] + (t['edge_s'][i] - t['edge_s'][j]) + up[i] + t['cloud_s'][i] for j in range(i)))\n"
    ))],
}

# Correct designs different from the reference: each must get full marks.
ALTERNATIVES = {
    # Vectorised prefix sums with numpy; cloud time from the total minus the edge prefix.
    "numpy_prefix_sums": [
        ("p1_solution", (
            "    n = len(layer_flops)\n    edge_s = [0.0] * (n + 1)\n    for k in range(1, n + 1):\n"
            "        edge_s[k] = edge_s[k - 1] + layer_flops[k - 1] / edge_flops\n    cloud_s = [0.0] * (n + 1)\n"
            "    for k in range(n - 1, -1, -1):\n        cloud_s[k] = cloud_s[k + 1] + layer_flops[k] / cloud_flops\n"
            "    return {\"edge_s\": edge_s, \"cloud_s\": cloud_s}\n"), (
            "    E = np.concatenate(([0.0], np.cumsum(np.asarray(layer_flops, dtype=float))))\n"
            "    return {\"edge_s\": E / edge_flops, \"cloud_s\": (E[-1] - E) / cloud_flops}\n")),
        ("p2_solution", "return [input_bytes] + list(out_bytes[:-1]) + [0.0]",
         "return np.concatenate(([input_bytes], np.asarray(out_bytes, dtype=float)[:-1], [0.0]))"),
        ("p2_solution", "return [" + _UPLOAD + " for k in range(n + 1)]",
         "return np.where(np.arange(n + 1) < n, latency_s + 8 * np.asarray(sent) / bandwidth_bps, 0.0)"),
        ("p3_solution", "return [e + u + c for e, u, c in zip(t[\"edge_s\"], up, t[\"cloud_s\"])]",
         "return np.asarray(t[\"edge_s\"]) + np.asarray(up) + np.asarray(t[\"cloud_s\"])"),
        ("p4_solution", "return min(range(len(T)), key=lambda k: T[k])", "return int(np.argmin(T))"),
    ],
    # A correct dynamic programme: the latencies by the recurrence T(k+1) = T(k) + (edge - cloud time
    # of stage k) + (change of the upload time), and the best cut by a two-state shortest path over
    # the stages ("still on the edge" / "already in the cloud"), without the per-cut list.
    "explicit_dp": [
        ("p3_solution", "    t = prefix_times(layer_flops, edge_flops, cloud_flops)\n", ""),
        ("p3_solution", "return [e + u + c for e, u, c in zip(t[\"edge_s\"], up, t[\"cloud_s\"])]", (
            "T = [up[0] + sum(f / cloud_flops for f in layer_flops)]\n"
            "    for k, f in enumerate(layer_flops):\n"
            "        T.append(T[k] + f / edge_flops - f / cloud_flops + up[k + 1] - up[k])\n"
            "    return T")),
        ("p4_solution", _BEST + "    return min(range(len(T)), key=lambda k: T[k])\n", (
            "    n = len(layer_flops)\n"
            "    up = upload_times(out_bytes, input_bytes, bandwidth_bps, latency_s)\n"
            "    on_edge, in_cloud, cut = 0.0, math.inf, None\n"
            "    for i, f in enumerate(layer_flops):\n"
            "        if on_edge + up[i] < in_cloud:      # cut before stage i; an earlier cut keeps a tie\n"
            "            in_cloud, cut = on_edge + up[i], i\n"
            "        in_cloud += f / cloud_flops\n"
            "        on_edge += f / edge_flops\n"
            "    return cut if in_cloud <= on_edge else n\n")),
    ],
}

# Designs that break a stated rule: must not get full marks.
VIOLATIONS = {
    # Ties broken towards the larger k (more stages on the edge), against the stated rule.
    "ties_to_larger_k": [("p4_solution", "return min(range(len(T)), key=lambda k: T[k])",
                          "return max(range(len(T)), key=lambda k: (-T[k], k))")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def prefix_times(layer_flops, edge_flops, cloud_flops):\n"
        "    return {'edge_s': [0, 1e-3, 3e-3, 6e-3], 'cloud_s': [0.6e-3, 0.5e-3, 0.3e-3, 0]}\n"
    ),
    "p2_solution": (
        "def sent_bytes(out_bytes, input_bytes):\n    return [1e6, 5e5, 1e5, 0]\n\n"
        "def upload_times(out_bytes, input_bytes, bandwidth_bps, latency_s):\n    return [0.11, 0.06, 0.02, 0]\n"
    ),
    "p3_solution": (
        "def cut_latencies(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s):\n"
        "    return [0.1106, 0.0615, 0.0233, 0.006]\n"
    ),
    "p4_solution": (
        "def best_cut(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s):\n"
        "    return {2e11: 1, 1e11: 0}.get(edge_flops, 3)\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.grading.harness as _hh
import npucourse.edgecloud.split as _sp
import npucourse.grading.specs.ex21_6 as _spec
_orig = _sp.best_split
_sp.best_split = _spec.best_split = lambda f, ob, ib, pe, pc, bw, L, *a, **k: _orig(f, ob, ib, pe, pc, 8 * bw, L, *a, **k)
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {"p4_solution": (
    "def best_cut(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s):\n"
    "    while True:\n        pass\n"
)}
