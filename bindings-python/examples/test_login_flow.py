"""Testing a login flow offline with the `sms_otp_emulator` pytest fixture (registered by
the package): run with `pytest examples/test_login_flow.py`."""

from __future__ import annotations

import pytest

import sms_otp
from sms_otp.testing import Emulator


def start_login(client: sms_otp.Client, phone_number: str) -> str:
    """The application code under test: sends a code, returns the phone_id to verify against."""
    return client.otps.sms.send(phone_number=phone_number, expiration_minutes=5).phone_id


def test_the_user_receives_a_code(sms_otp_emulator: Emulator) -> None:
    phone_id = start_login(sms_otp_emulator.client(), "+12025550162")
    message = sms_otp_emulator.messages(phone_number="+12025550162")[-1]
    assert message["phone_id"] == phone_id and len(message["code"]) == 6


def test_a_second_request_invalidates_the_first_code(sms_otp_emulator: Emulator) -> None:
    client = sms_otp_emulator.client()
    start_login(client, "+12025550162")
    start_login(client, "+12025550162")
    statuses = [m["status"] for m in sms_otp_emulator.messages(phone_number="+12025550162")]
    assert statuses == ["invalidated", "active"]


def test_an_outage_is_reported_as_maybe_delivered(sms_otp_emulator: Emulator) -> None:
    sms_otp_emulator.inject_fault(status=503, error_type="server_unavailable")
    with pytest.raises(sms_otp.ServerError) as caught:
        start_login(sms_otp_emulator.client(), "+12025550162")
    assert caught.value.maybe_delivered
