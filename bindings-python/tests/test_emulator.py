"""`sms_otp.testing.Emulator` and the `sms_otp_emulator` pytest fixture: a login flow
tested offline, faults, clock, reset."""

from __future__ import annotations

import pytest

import sms_otp
from sms_otp.testing import Emulator, EmulatorError


def test_fixture_gives_a_running_emulator(sms_otp_emulator: Emulator) -> None:
    client = sms_otp_emulator.client()
    resp = client.otps.sms.send(phone_number="+12025550162", locale="es")
    (message,) = sms_otp_emulator.messages(phone_number="+12025550162")
    assert message["phone_id"] == resp.phone_id
    assert message["status"] == "active"
    assert len(message["code"]) == 6 and message["code"] in message["text"]


def test_resend_invalidates_and_the_clock_expires() -> None:
    with Emulator(seed=42) as emu:
        client = emu.client()
        first = client.otps.sms.send(phone_number="+12025550162", expiration_minutes=1)
        second = client.otps.sms.send(phone_number="+12025550162", expiration_minutes=1)
        assert first.phone_id == second.phone_id
        assert [m["status"] for m in emu.messages(phone_number="+12025550162")] == ["invalidated", "active"]
        emu.advance_clock(61)
        assert emu.messages(phone_number="+12025550162")[-1]["status"] == "expired"
        emu.reset()
        assert emu.messages() == []


def test_next_message_long_polls_for_the_code() -> None:
    import threading

    with Emulator() as emu:
        client = emu.client()
        threading.Timer(0.2, lambda: client.otps.sms.send(phone_number="+12025550162")).start()
        message = emu.next_message(phone_number="+12025550162", timeout=5)
        assert message["phone_number"] == "+12025550162"


def test_faults_map_to_the_documented_errors() -> None:
    with Emulator() as emu:
        client = emu.client()
        emu.inject_fault(status=503, error_type="server_unavailable")
        with pytest.raises(sms_otp.ServerError) as caught:
            client.otps.sms.send(phone_number="+12025550162")
        assert caught.value.maybe_delivered and caught.value.error_type == "server_unavailable"
        emu.inject_fault(kind="process_then_reset")
        with pytest.raises(sms_otp.NetworkError) as net:
            client.otps.sms.send(phone_number="+12025550162")
        assert net.value.after_send is True
        assert len(emu.messages(phone_number="+12025550162")) == 1  # recorded, then cut
        emu.inject_fault(kind="malformed_body")
        with pytest.raises(sms_otp.UnexpectedResponseError):
            client.otps.sms.send(phone_number="+12025550162")
        assert [f["hits"] if "hits" in f else f.get("fired") for f in emu.faults()] == [1, 1, 1]


def test_the_sandbox_number_and_the_rate_limit() -> None:
    with Emulator() as emu:
        client = emu.client()
        for _ in range(7):
            client.otps.sms.send(phone_number="+10000000000")
        assert {m["code"] for m in emu.messages(phone_number="+10000000000")} == {"000000"}
        for _ in range(5):
            client.otps.sms.send(phone_number="+12025550162")
        with pytest.raises(sms_otp.RateLimitedError) as caught:
            client.otps.sms.send(phone_number="+12025550162")
        assert caught.value.retry_after is not None and caught.value.retry_after > 0


def test_live_credentials_are_refused() -> None:
    with pytest.raises(sms_otp.ConfigurationError) as caught:
        Emulator(project_id="project-live-abc")
    assert caught.value.field == "project_id"


def test_admin_errors_are_reported() -> None:
    with Emulator() as emu:
        with pytest.raises(EmulatorError) as caught:
            emu.inject_fault(kind="no-such-kind")
        assert caught.value.status == 400


@pytest.mark.parametrize(
    "options, error, field",
    [
        ({"port": 70000}, sms_otp.ConfigurationError, "port"),
        ({"port": -1}, sms_otp.ConfigurationError, "port"),
        ({"port": True}, TypeError, None),
        ({"seed": -1}, sms_otp.ConfigurationError, "seed"),
        ({"seed": 2**64}, sms_otp.ConfigurationError, "seed"),
        ({"rate_limit": 2**32}, sms_otp.ConfigurationError, "rate_limit"),
        ({"project_id": "\ud800"}, sms_otp.ValidationError, "project_id"),
        ({"allowed_country_codes": ["\ud800"]}, sms_otp.ValidationError, "allowed_country_codes[0]"),
        ({"secret": 5}, TypeError, None),
    ],
)
def test_bad_emulator_options_raise_documented_errors(options: dict, error: type, field: object) -> None:
    """Regression (bad-input sweep): these raised OverflowError / UnicodeEncodeError, and
    TypeErrors did not name the option."""
    with pytest.raises(error) as caught:
        Emulator(**options)
    if field is not None:
        assert caught.value.field == field  # type: ignore[attr-defined]
    else:
        assert next(iter(options)) in str(caught.value)


def test_admin_arguments_that_cannot_be_sent_raise_type_or_value_errors() -> None:
    """Regression (bad-input sweep): UnicodeEncodeError and OverflowError escaped."""
    with Emulator() as emu:
        with pytest.raises(EmulatorError):
            emu.messages(phone_number="\ud800")
        with pytest.raises(TypeError):
            emu.messages(phone_number=1)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="timeout"):
            emu.next_message(timeout=float("inf"))
