"""Typical mistakes and cheating attempts for exercise 2.8, as (grade_id, old, new) edits of the
reference answers."""

WRONG = {
    # The LM head forgotten: only the embedding rows counted, even for an untied model.
    "forgot_lm_head": [("p1_solution", "copies = 1 if tied else 2", "copies = 1")],
    # MACs reported as FLOPs for the extra logits.
    "macs_for_flops": [("p2_solution", "return 2 * d_model * n_new", "return d_model * n_new")],
    # Bits for bytes: storage 8x too large.
    "bits_for_bytes": [("p1_solution", "return vocab_params(d_model, n_new, tied) * s",
                        "return vocab_params(d_model, n_new, tied) * s * 8"),
                       ("p4_solution", "LORA_BYTES_2_8 = LORA_PARAMS_2_8 * BYTES_FP16",
                        "LORA_BYTES_2_8 = LORA_PARAMS_2_8 * BYTES_FP16 * 8")],
    # The embedding lookup counted as a matrix product (the draft's doubling).
    "embedding_as_matmul": [("p2_solution", "return 2 * d_model * n_new", "return 2 * 2 * d_model * n_new")],
    # LoRA sized as if every matrix were square (2·r·d_in).
    "lora_square": [("p3_solution", "rank * (d_in + d_out)", "rank * 2 * d_in")],
    # Share taken of the nominal 7e9 instead of LLaMA-7B's actual parameter count.
    "nominal_7b": [("p4_solution", "/ lm.params", "/ 7e9")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def vocab_params(d_model, n_new, tied):\n    return 24\n\n"
        "def vocab_bytes(d_model, n_new, tied, s):\n    return 24\n"
    ),
    "p2_solution": "def extra_flops_per_token(d_model, n_new):\n    return 24\n",
    "p3_solution": "def lora_params(d_in, d_out, rank, matrices_per_layer, layers):\n    return 20\n",
}

# Cell a cheater adds after the answers: make the oracle's tools agree with a wrong answer.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, importlib, npucourse.grading.harness as _hh
_rt2 = importlib.import_module("npucourse.networks.rt2")  # the module (the package attribute is the builder function)
import npucourse.grading.specs.ex2_8 as _spec
_orig = _rt2.action_vocab_overhead
_rt2.action_vocab_overhead = lambda d_model, n_new, tied=False, dtype="fp16": _orig(d_model, n_new, True, dtype)
_spec.action_vocab_overhead = _rt2.action_vocab_overhead
_spec.CHECKS.clear()
'''

# A student whose answer never returns.
LOOP = {"p3_solution": "def lora_params(d_in, d_out, rank, matrices_per_layer, layers):\n    while True:\n        pass\n"}
