"""Autograding support: the oracle that hidden tests consult, and the in-notebook harness.

Design (why a subprocess): a hidden test must not trust the student's kernel, where npucourse,
numpy or builtins may have been monkeypatched. So the test cell asks a *fresh* Python process
(:mod:`npucourse.grading.oracle`) for randomised cases, calls the student's function on them in
the kernel, and sends the answers back to a fresh process that computes the expected values with
a pristine npucourse and compares. The kernel only relays; it never computes a verdict.

Each exercise's checks live in ``grading/specs/<assignment>.py`` as a ``CHECKS`` mapping from a
check name to a :class:`~npucourse.grading.spec.Check`.
"""
