"""`python -m sms_otp` (also the `sms-otp` console script): the Rust command line run from the
native module, with its flags, output and exit codes."""

from __future__ import annotations

import signal
import subprocess
import sys

import sms_otp
from sms_otp import Client


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sms_otp", *args], capture_output=True, text=True, timeout=60)


def test_version_and_help() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"sms-otp {sms_otp.__version__}"
    out = run("--help")
    assert out.returncode == 0 and "emulator" in out.stdout and "send" in out.stdout


def test_usage_mistakes_exit_2_without_a_traceback() -> None:
    out = run("send", "2025550162", "--emulator")
    assert out.returncode == 2, out
    assert "phone_number" in out.stderr and "Traceback" not in out.stderr
    out = run("no-such-command")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_send_to_the_embedded_emulator_prints_the_code() -> None:
    out = run("send", "+12025550162", "--emulator")
    assert out.returncode == 0, out.stderr
    assert "request_id:  request-id-test-" in out.stdout
    assert any(line.startswith("delivered code: ") for line in out.stdout.splitlines())


def test_emulator_answers_then_exits_0_on_sigint_and_sigterm() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sms_otp", "emulator", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line.startswith("listening on http://127.0.0.1:"), line
            client = Client(
                project_id="project-test-00000000-0000-0000-0000-000000000000",
                secret="secret-test-emulator",
                custom_base_url=line.removeprefix("listening on "),
            )
            assert client.otps.sms.send(phone_number="+12025550162").status_code == 200
            proc.send_signal(sig)
            assert proc.wait(timeout=10) == 0
            assert proc.stderr is not None
            assert "KeyboardInterrupt" not in proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
