"""Smoke test of an installed sms-otp wheel: one send through the embedded emulator, the code
delivered, a typed validation error. Run with the interpreter the wheel was installed into:

    python -m pip install --no-index --find-links dist sms-otp
    python tests/packaging/smoke.py

It must import the installed package, not bindings-python/python/ from the checkout (this
script's folder is first on sys.path, and it holds no sms_otp), and says which it imported.
"""

from __future__ import annotations

import os
import platform
import sys

import sms_otp
from sms_otp.testing import Emulator

PHONE = "+12025550162"


def main() -> int:
    source = os.path.dirname(os.path.abspath(sms_otp.__file__))
    if os.path.join("bindings-python", "python") in source:
        print(f"python smoke: imported sms_otp from the checkout ({source}), not from the wheel", file=sys.stderr)
        return 1
    with Emulator() as emu:
        client = emu.client()
        resp = client.otps.sms.send(phone_number=PHONE)
        assert resp.status_code == 200, resp
        assert resp.phone_id, resp
        messages = emu.messages(phone_number=PHONE)
        assert len(messages) == 1, messages
        code = messages[0]["code"]
        assert len(code) == 6 and code.isdigit(), messages
        try:
            client.otps.sms.send(phone_number="12025550162")
        except sms_otp.ValidationError:
            pass
        else:
            raise AssertionError("a phone number without + was accepted")
    native = sms_otp._native.__file__
    print(
        f"python smoke: ok on {platform.system()}-{platform.machine()} "
        f"(CPython {platform.python_version()}): sent, code delivered, ValidationError typed; "
        f"native module {native}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
