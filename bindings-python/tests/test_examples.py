"""The examples in bindings-python/examples run as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sms_otp.testing import Emulator

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_send_example_handles_success_and_each_failure() -> None:
    with Emulator() as emu:
        env = {"STYTCH_PROJECT_ID": emu.project_id, "STYTCH_SECRET": emu.secret, "STYTCH_BASE_URL": emu.url}
        run = lambda *args: subprocess.run(  # noqa: E731
            [sys.executable, str(EXAMPLES / "send.py"), *args], env=env, capture_output=True, text=True, timeout=60
        )
        ok = run("(202) 555-0162")
        assert ok.returncode == 0 and ok.stdout.startswith("sent: phone_id="), ok.stdout + ok.stderr
        bad = run("12")
        assert bad.returncode == 2 and "check phone_number" in bad.stdout, bad.stdout + bad.stderr
        emu.inject_fault(status=503, error_type="server_unavailable")
        outage = run("+12025550162")
        assert outage.returncode == 1 and "outcome unknown (server_error)" in outage.stdout
        for _ in range(5):
            run("+12025550199")
        limited = run("+12025550199")
        assert limited.returncode == 1 and "too many codes" in limited.stdout, limited.stdout


def test_login_flow_example_passes_under_pytest() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "test_login_flow.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "3 passed" in result.stdout, result.stdout + result.stderr
