"""The grading oracle, run as a fresh process by hidden tests.

Usage (JSON on stdout)::

    python -m npucourse.grading.oracle cases ASSIGNMENT CHECK SEED
    python -m npucourse.grading.oracle verdict ASSIGNMENT CHECK SEED   < answers.json
    python -m npucourse.grading.oracle serve      # one JSON request per line, one reply per line

A request to ``serve`` is ``{"cmd": "cases"|"verdict"|"run", "assignment", "check", "seed"[, "answers"]}``;
the reply is the same JSON as the one-shot commands, or ``{"oracle_error": "..."}``.

``run`` grades an *interactive* check (a policy): for every decision the simulation needs, the
oracle writes ``{"ask": {keyword arguments}}`` and reads one line back, ``{"ok": decision}`` or
``{"error": "message"}``; the last line it writes is the verdict. The simulation, its random
arrivals (seeded here, not by the kernel) and the judgement all stay in this process.

``cases`` prints the list of keyword-argument dicts; ``verdict`` reads the student's answers
(a JSON list, one entry per case: ``{"ok": value}`` or ``{"error": "message"}``) and prints
``{"passed": bool, "n": int, "failed": [messages]}``. The student's answers never reach a
kernel-side comparison.
"""

from __future__ import annotations

import importlib
import json
import random
import sys
import warnings
from typing import Any

from .spec import Check, close


class PolicyError(Exception):
    """The student's policy raised, or answered something unreadable (ends that case)."""


def get_check(assignment: str, check: str) -> Check:
    """The check ``check`` of ``assignment``; KeyError naming what exists."""
    try:
        mod = importlib.import_module(f"npucourse.grading.specs.{assignment}")
    except ModuleNotFoundError:
        raise KeyError(f"no grading spec for assignment {assignment!r}") from None
    try:
        return mod.CHECKS[check]
    except KeyError:
        raise KeyError(f"assignment {assignment!r} has no check {check!r}; it has {sorted(mod.CHECKS)}") from None


def cases(assignment: str, check: str, seed: int) -> list[dict[str, Any]]:
    """The cases of one check: the fixed ones, then randomised ones from ``seed``."""
    c = get_check(assignment, check)
    return [dict(x) for x in c.fixed] + c.cases(random.Random(seed))


def _fmt(case: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in case.items())


def verdict(assignment: str, check: str, seed: int, answers: list[Any]) -> dict[str, Any]:
    """Compare answers with the package's reference answers."""
    c = get_check(assignment, check)
    cs = cases(assignment, check, seed)
    failed: list[str] = []
    if not isinstance(answers, list) or len(answers) != len(cs):
        return {"passed": False, "n": len(cs), "failed": ["答案数量与测试用例数量不符（函数是否对每个输入都返回了结果？）"]}
    for case, ans in zip(cs, answers):
        if not isinstance(ans, dict) or ("ok" not in ans and "error" not in ans):
            failed.append(f"{_fmt(case)}: 无法读取答案")
        elif "error" in ans:
            failed.append(f"{_fmt(case)}: 函数抛出异常 {ans['error']}")
        elif c.judge is not None:
            why = c.judge(ans["ok"], **case)
            if why is not None:
                failed.append(f"{_fmt(case)}: {why}")
        elif c.reference is None:
            return {"passed": False, "n": len(cs), "failed": ["这一项检查的是策略，请用 check_interactive 评分"],
                    "describe": c.describe}
        else:
            want = c.reference(**case)
            if not close(ans["ok"], want, c.rtol, c.atol):
                failed.append(f"{_fmt(case)}: 结果不正确（得到 {ans['ok']!r}）")
    return {"passed": not failed, "n": len(cs), "failed": failed[:5], "describe": c.describe}


def run(assignment: str, check: str, seed: int, stdin: Any, stdout: Any) -> dict[str, Any]:
    """Grade an interactive check: simulate each case, asking the kernel for every decision."""
    c = get_check(assignment, check)
    if c.interactive is None:
        raise ValueError(f"check {check!r} of {assignment!r} is not interactive")

    def ask(**state: Any) -> Any:
        stdout.write(json.dumps({"ask": state}) + "\n")
        stdout.flush()
        line = stdin.readline()
        try:
            reply = json.loads(line)
        except ValueError:
            raise PolicyError("没有读到策略的回答") from None
        if isinstance(reply, dict) and "ok" in reply:
            return reply["ok"]
        if isinstance(reply, dict) and "error" in reply:
            raise PolicyError(f"策略抛出异常 {str(reply['error'])[:200]}")
        raise PolicyError("没有读到策略的回答")

    cs = cases(assignment, check, seed)
    failed: list[str] = []
    for case in cs:
        try:
            why = c.interactive(ask, **case)
        except (PolicyError, ValueError, TypeError) as e:  # a bad decision ends the case
            why = str(e)
        if why is not None:
            failed.append(f"{_fmt(case)}: {why}")
    return {"passed": not failed, "n": len(cs), "failed": failed[:5], "describe": c.describe}


def serve(stdin: Any = None, stdout: Any = None) -> int:
    """Answer line-delimited JSON requests until end of input (one process per notebook)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    for line in stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            a, c, seed = req["assignment"], req["check"], int(req["seed"])
            if req["cmd"] == "cases":
                out: Any = cases(a, c, seed)
            elif req["cmd"] == "verdict":
                out = verdict(a, c, seed, req["answers"])
            elif req["cmd"] == "run":
                out = run(a, c, random.SystemRandom().getrandbits(32) ^ seed, stdin, stdout)
            else:
                raise ValueError(f"unknown command {req['cmd']!r}")
        except Exception as e:  # report, keep serving
            out = {"oracle_error": f"{type(e).__name__}: {e}"}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    warnings.simplefilter("ignore")
    if argv == ["serve"]:
        return serve()
    if len(argv) != 4 or argv[0] not in ("cases", "verdict"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, assignment, check, seed = argv[0], argv[1], argv[2], int(argv[3])
    if cmd == "cases":
        out: Any = cases(assignment, check, seed)
    else:
        out = verdict(assignment, check, seed, json.load(sys.stdin))
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
