"""The oracle's three kinds of check — reference, judge (designs), interactive (policies) — and
the harness's recovery from a conversation that was cut off. In-process, no nbgrader."""

from __future__ import annotations

import io
import json
import sys

import pytest

from npucourse.grading import harness, oracle
from npucourse.grading.spec import Check

# A toy design question: any pair (a, b) with a + b = 10 and a, b >= 0 is a correct design.
_JUDGE = Check(cases=lambda rng: [{"total": 10}], describe="pair summing to total",
               judge=lambda ans, total: None if (isinstance(ans, list) and len(ans) == 2 and min(ans) >= 0
                                                 and sum(ans) == total) else "和不等于 total 或有负数")


# A toy policy question: the oracle counts down from n; the policy must answer each step with
# step * 2; the verdict lists the first wrong step.
def _countdown(ask, n):
    for step in range(n, 0, -1):
        if ask(step=step) != 2 * step:
            return f"第 {step} 步的决定不对"
    return None


_INTERACTIVE = Check(cases=lambda rng: [{"n": rng.randint(3, 6)} for _ in range(2)], describe="double each step",
                     interactive=_countdown)


@pytest.fixture
def toy_checks(monkeypatch):
    table = {"judge": _JUDGE, "interactive": _INTERACTIVE}
    monkeypatch.setattr(oracle, "get_check", lambda a, c: table[c])


def test_check_needs_exactly_one_kind():
    with pytest.raises(ValueError, match="exactly one"):
        Check(cases=lambda rng: [], describe="x")
    with pytest.raises(ValueError, match="exactly one"):
        Check(cases=lambda rng: [], describe="x", reference=lambda: 1, judge=lambda a: None)
    with pytest.raises(ValueError, match="describe"):
        Check(cases=lambda rng: [], reference=lambda: 1)


def test_judge_accepts_every_correct_design_and_names_the_violation(toy_checks):
    for design in ([3, 7], [10, 0], [5.5, 4.5]):
        assert oracle.verdict("toy", "judge", 0, [{"ok": design}])["passed"], design
    v = oracle.verdict("toy", "judge", 0, [{"ok": [11, -1]}])
    assert not v["passed"] and "负数" in v["failed"][0]


def _policy_session(policy, seed=1):
    """Drive oracle.run over in-memory pipes the way the harness does: answer each ask in turn."""
    class Pipe(io.StringIO):
        def readline(self):  # the kernel answers the question just asked
            asked = json.loads(out.getvalue().splitlines()[-1])["ask"]
            return json.dumps(harness._answer(policy, asked)) + "\n"

    out = io.StringIO()
    verdict = oracle.run("toy", "interactive", seed, Pipe(), out)
    replies = [json.loads(x) for x in out.getvalue().splitlines()]
    return verdict, replies


def test_interactive_policy_graded_by_simulation(toy_checks):
    verdict, asks = _policy_session(lambda step: 2 * step)
    assert verdict["passed"] and verdict["n"] == 2
    assert all("ask" in a for a in asks) and len(asks) >= 6  # two cases of >= 3 steps each


def test_interactive_wrong_or_raising_policy_fails_with_message(toy_checks):
    verdict, _ = _policy_session(lambda step: 2 * step if step != 2 else 0)
    assert not verdict["passed"] and all("第 2 步" in m for m in verdict["failed"])

    def boom(step):
        raise RuntimeError("policy crashed")

    verdict, asks = _policy_session(boom)
    assert not verdict["passed"] and "policy crashed" in verdict["failed"][0]
    assert len(asks) == 2  # each case ends at its first failed decision


def test_interactive_unreadable_reply_fails_the_case(toy_checks):
    out = io.StringIO()
    verdict = oracle.run("toy", "interactive", 0, io.StringIO("not json\n{}\n"), out)
    assert not verdict["passed"] and len(verdict["failed"]) == 2


def test_interactive_check_is_not_graded_as_values_and_judge_not_run(toy_checks):
    v = oracle.verdict("toy", "interactive", 0, [{"ok": 1}, {"ok": 2}])
    assert not v["passed"] and "check_interactive" in v["failed"][0]
    with pytest.raises(ValueError, match="not interactive"):
        oracle.run("toy", "judge", 0, io.StringIO(), io.StringIO())


def test_cut_off_conversation_restarts_the_oracle(monkeypatch):
    """A cell that timed out inside a policy leaves the oracle waiting for an answer; the next
    request must go to a fresh process, not read that stale conversation."""

    class Fake:
        killed = False

        def poll(self):
            return None

        def kill(self):
            self.killed = True

    stale = Fake()
    monkeypatch.setattr(sys, harness._KEY, stale, raising=False)
    monkeypatch.setattr(sys, harness._KEY + "_busy", True, raising=False)
    started = []
    monkeypatch.setattr(harness.subprocess, "Popen", lambda *a, **k: started.append(Fake()) or started[-1])
    proc = harness._server()
    assert stale.killed and proc is started[0]
    assert getattr(sys, harness._KEY + "_busy") is False
    assert harness._server() is proc  # an idle process is reused


def test_single_value_check_calls_once_without_arguments(monkeypatch):
    from npucourse.grading.spec import single_value

    table = {"ref": single_value(lambda: 2.0, "TWO", rtol=1e-3),
             "design": single_value(describe="a pair summing to 10",
                                    judge=lambda ans: None if sum(ans) == 10 else "和不等于 10")}
    monkeypatch.setattr(oracle, "get_check", lambda a, c: table[c])
    assert oracle.cases("toy", "ref", 5) == [{}] and oracle.cases("toy", "design", 5) == [{}]
    assert oracle.verdict("toy", "ref", 0, [{"ok": 2.001}])["passed"]
    assert not oracle.verdict("toy", "ref", 0, [{"ok": 2.01}])["passed"]
    assert oracle.verdict("toy", "design", 0, [{"ok": [4, 6]}])["passed"]
    assert not oracle.verdict("toy", "design", 0, [{"ok": [4, 5]}])["passed"]
