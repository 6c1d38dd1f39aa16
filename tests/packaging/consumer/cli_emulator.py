"""`sms-otp emulator` (the console script of the installed wheel, or `python -m sms_otp
emulator`) started as a separate process, answering a send, stopped by SIGTERM with exit 0.

    python cli_emulator.py sms-otp            or    python cli_emulator.py python -m sms_otp
"""

from __future__ import annotations

import signal
import subprocess
import sys

from sms_otp import Client

DEFAULT_PROJECT_ID = "project-test-00000000-0000-0000-0000-000000000000"
DEFAULT_SECRET = "secret-test-emulator"


def main(command: list[str]) -> int:
    proc = subprocess.Popen([*command, "emulator", "--port", "0", "--seed", "7"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "listening on "
        assert line.startswith(prefix), f"unexpected first line {line!r}"
        url = line[len(prefix):]
        client = Client(project_id=DEFAULT_PROJECT_ID, secret=DEFAULT_SECRET, custom_base_url=url)
        resp = client.otps.sms.send(phone_number="+12025550162")
        assert resp.status_code == 200 and resp.phone_id.startswith("phone-number-test-"), resp
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        assert code == 0, f"emulator exited {code} after SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
    print(f"{' '.join(command)} emulator: {url} answered a send, exited 0 on SIGTERM")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
