"""Subinterpreters: the module's process-wide state belongs to the interpreter that imported
it first, so another interpreter of the same process is refused at import (ImportError), and
the process still exits (a subinterpreter that had imported it used to hang the exit)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import _xxsubinterpreters as interpreters
import sms_otp
assert sms_otp.normalize_phone_number("(202) 555-0162") == "+12025550162"
interp = interpreters.create()
try:
    interpreters.run_string(interp, "import sms_otp")
except Exception as e:
    print("refused:", e)
else:
    print("imported")
"""


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="_xxsubinterpreters of CPython 3.11")
def test_a_subinterpreter_is_refused_and_the_process_exits():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "refused:" in out.stdout and "subinterpreters" in out.stdout, out.stdout
