"""Secret hygiene: tests/secrets/sweep.py drives every error path of the package with a
marker secret in a child process (root logging at DEBUG, asyncio debug, -X dev); nothing it
prints, on stdout or stderr, may contain any form of the secret (tests/secrets/scan.py)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "secrets"))

import scan  # noqa: E402

def expected_rows() -> int:
    """The data rows the Python sweep must run: its rows of tests/secret-inputs.json (no
    `only`, or `only` naming python) and every row of tests/emulator-errors.json."""
    inputs = json.loads((ROOT / "tests" / "secret-inputs.json").read_text(encoding="utf-8"))
    errors = json.loads((ROOT / "tests" / "emulator-errors.json").read_text(encoding="utf-8"))["rows"]
    sections = ("requests", "clients", "env", "emulator_faults", "hostile")
    return sum(1 for s in sections for row in inputs[s] if "python" in row.get("only", ["python"])) + len(errors)


CODES = {
    "validation_error", "configuration_error", "network_error", "timeout", "api_error", "bad_request",
    "unauthorized", "forbidden", "not_found", "rate_limited", "server_error", "unexpected_response", "TypeError",
}


def test_the_scanner_finds_every_form_of_the_secret() -> None:
    secret = str(scan.MARKER["secret"])
    for offset in range(3):  # the secret inside a longer base64 text, at each alignment
        blob = base64.b64encode(b"x" * offset + f"user:{secret}".encode()).decode()
        assert scan.leaks(f"log line {blob} end"), offset
    forbidden = scan.MARKER["forbidden"]
    assert isinstance(forbidden, list)
    for form in forbidden:
        assert scan.leaks(f"prefix {form} suffix")
    assert scan.leaks(repr(secret)) and scan.leaks(ascii(secret))
    assert not scan.leaks("secret-test-[redacted] Qz7MARKE")


def test_no_error_path_shows_the_secret() -> None:
    started = time.monotonic()
    env = {**os.environ, "PYTHONASYNCIODEBUG": "1", "RUST_LOG": "trace", "RUST_BACKTRACE": "1"}
    result = subprocess.run(
        [sys.executable, "-X", "dev", str(ROOT / "tests" / "secrets" / "sweep.py")],
        capture_output=True, text=True, encoding="utf-8", errors="replace", env=env, timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "SWEEP DONE" in result.stdout, result.stdout[-3000:]
    rows = re.search(r"^SWEEP ROWS (\d+)$", result.stdout, re.M)
    assert rows, result.stdout[-3000:]
    assert int(rows.group(1)) == expected_rows(), f"ran {rows.group(1)} data rows, the files have {expected_rows()}"
    found = scan.leaks(result.stdout + "\n" + result.stderr)
    assert not found, "\n".join(found)
    codes = scan.case_codes(result.stdout)
    assert CODES <= set(codes), f"no case ended in {CODES - set(codes)}"
    assert "DEBUG" in result.stderr  # the root logger's output was captured
    print(f"secret sweep (Python): {sum(codes.values())} cases, {len(result.stdout) + len(result.stderr)} bytes "
          f"scanned in {time.monotonic() - started:.1f} s")


def test_marker_json_is_generated_from_forms_py() -> None:
    check = subprocess.run([sys.executable, str(ROOT / "tests" / "secrets" / "forms.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
