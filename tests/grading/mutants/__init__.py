"""Typical mistakes and cheating attempts per assignment (``<assignment>.py``), used by the
round-trip and class tests. Each file's ``MONKEYPATCH`` holds the assignment-specific half of a
cheater's cell (make the package agree with the first WRONG answer); :data:`GENERIC_PATCH` is the
half every cheater adds, appended by the tests."""

#: Make every comparison in the kernel succeed and silence the harness there.
GENERIC_PATCH = '''
import builtins, math, numpy, npucourse.grading.harness as _hh
numpy.isclose = lambda *a, **k: True
numpy.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
builtins.abs = lambda x: 0
_hh.check = lambda *a, **k: None
_hh.check_value = lambda *a, **k: None
_hh.check_interactive = lambda *a, **k: None
'''
