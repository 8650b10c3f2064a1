"""In-notebook side of a hidden test: relay cases and answers between the student's function
and the oracle process. Hidden test cells call::

    import importlib, npucourse.grading.harness as _h
    importlib.reload(_h).check("ex2_3", "intensity", intensity)

``reload`` re-executes this file from disk, so patching its functions in the kernel has no effect.
Nothing here compares answers; the oracle process decides.
"""

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import warnings



_KEY = "_npucourse_oracle_process"


def _server():
    """The notebook's oracle process (started once; restarted if it died, or if a conversation
    with it was cut off — e.g. a cell timed out inside a policy — so no stale line is read)."""
    proc = getattr(sys, _KEY, None)
    if proc is not None and getattr(sys, _KEY + "_busy", False):
        proc.kill()
        proc = None
    if proc is None or proc.poll() is not None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "npucourse.grading.oracle", "serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        setattr(sys, _KEY, proc)
        setattr(sys, _KEY + "_busy", False)
    return proc


def _oracle(request, asks=None):
    """One request to the oracle process; one retry with a fresh process on a broken pipe.

    ``asks(state) -> reply`` answers the oracle's questions during an interactive ``run``.
    """
    line = json.dumps(request) + "\n"
    for attempt in (1, 2):
        proc = _server()
        try:
            setattr(sys, _KEY + "_busy", True)
            proc.stdin.write(line)
            proc.stdin.flush()
            reply = proc.stdout.readline()
            while reply and asks is not None:
                msg = json.loads(reply)
                if not (isinstance(msg, dict) and "ask" in msg):
                    break
                proc.stdin.write(json.dumps(asks(msg["ask"])) + "\n")
                proc.stdin.flush()
                reply = proc.stdout.readline()
            if reply:
                out = json.loads(reply)
                setattr(sys, _KEY + "_busy", False)
                if isinstance(out, dict) and "oracle_error" in out:
                    raise RuntimeError("grading oracle failed: " + out["oracle_error"])
                return out
        except (BrokenPipeError, OSError, ValueError):
            pass
        proc.kill()
        setattr(sys, _KEY, None)
        if asks is not None:
            break  # a policy conversation is not repeated (the student's code already ran)
    raise RuntimeError("grading oracle did not answer")


def _plain(x):
    """Convert an answer to JSON data (numpy scalars and arrays included) without trusting it."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, float):
        return float(x)
    if isinstance(x, int):
        return int(x) if abs(x) < 2**53 else float(x)  # exact ints stay ints in JSON
    if hasattr(x, "tolist") and callable(x.tolist):
        return _plain(x.tolist())
    if hasattr(x, "__float__") and type(x).__module__.startswith("numpy"):
        return float(x)
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    raise TypeError(f"答案的类型 {type(x).__name__} 无法评分（请返回数字、字符串、列表或字典）")


def _answer(fn, case):
    """``{"ok": fn(**case)}`` as JSON data, or ``{"error": message}``; the student's prints are swallowed."""
    sink = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            warnings.simplefilter("ignore")
            value = _plain(fn(**case))
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"返回了非有限值 {value!r}")
        return {"ok": value}
    except Exception as e:  # the student's function may raise anything
        return {"error": f"{type(e).__name__}: {str(e)[:200]}"}


def _answers(fn, cases):
    return [_answer(fn, case) for case in cases]


def check(assignment, name, fn, seed=None):
    """Grade ``fn`` on the oracle's cases for check ``name``; AssertionError listing failures."""
    if not callable(fn):
        raise AssertionError(f"{name}: 需要一个函数，得到的是 {type(fn).__name__}")
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else int(seed)
    req = {"assignment": assignment, "check": name, "seed": seed}
    cases = _oracle({**req, "cmd": "cases"})
    _report(name, _oracle({**req, "cmd": "verdict", "answers": _answers(fn, cases)}))


def _report(name, result):
    """Raise AssertionError listing the oracle's failure messages, or print what passed."""
    if not result["passed"]:
        msg = "\n".join(f"  - {m}" for m in result["failed"])
        raise AssertionError(f"检查未通过：{result.get('describe', name)}\n{msg}")
    print(f"通过：{result.get('describe', name)}（{result['n']} 个用例）")


def check_interactive(assignment, name, fn):
    """Grade a policy: the oracle simulates and calls ``fn(**state)`` for every decision it needs."""
    if not callable(fn):
        raise AssertionError(f"{name}: 需要一个函数，得到的是 {type(fn).__name__}")
    req = {"assignment": assignment, "check": name, "seed": int.from_bytes(os.urandom(4), "little"), "cmd": "run"}
    _report(name, _oracle(req, asks=lambda state: _answer(fn, state)))


def check_value(assignment, name, value):
    """Grade a single value (no arguments) against the oracle's reference."""
    return check(assignment, name, lambda: value, seed=0)
