"""The shipped types are complete and true: `mypy --strict` on a usage file, and
`mypy.stubtest` comparing the stubs with the runtime module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=HERE)


def test_mypy_strict_accepts_the_usage_file() -> None:
    result = run("mypy", "--strict", "--no-incremental", str(HERE / "typing_usage.py"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_rejects_a_wrong_call() -> None:
    bad = HERE / "_typing_bad.py"
    bad.write_text("import sms_otp\nsms_otp.Client('p', 's').otps.sms.send(phone_number=5)\n")
    try:
        result = run("mypy", "--strict", "--no-incremental", str(bad))
    finally:
        bad.unlink()
    assert result.returncode != 0 and "phone_number" in result.stdout, result.stdout


def test_stubtest_finds_the_stubs_true() -> None:
    result = run("mypy.stubtest", "sms_otp", "--allowlist", str(HERE / "stubtest-allowlist.txt"))
    assert result.returncode == 0, result.stdout + result.stderr
