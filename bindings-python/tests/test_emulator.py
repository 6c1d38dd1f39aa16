"""`sms_otp.testing.Emulator` and the `sms_otp_emulator` pytest fixture: a login flow
tested offline, faults, clock, users, sessions, reset, and the errors (the same API as
Node's `sms-otp/testing`, test/emulator.test.js there)."""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable, Dict, List, Tuple

import pytest

import sms_otp
from sms_otp.testing import Emulator, EmulatorError

PHONE = "+12025550162"


def test_fixture_gives_a_running_emulator(sms_otp_emulator: Emulator) -> None:
    client = sms_otp_emulator.client()
    resp = client.otps.sms.send(phone_number=PHONE, locale="es")
    (message,) = sms_otp_emulator.messages(phone_number=PHONE)
    assert message["phone_id"] == resp.phone_id
    assert message["request_id"] == resp.request_id
    assert message["status"] == "active" and message["locale"] == "es"
    assert len(message["code"]) == 6 and message["code"] in message["text"]
    assert list(message)[0] == "message_id", "fields in the admin API's order"
    assert sms_otp_emulator.url.startswith("http://127.0.0.1:")
    assert sms_otp_emulator.project_id == "project-test-00000000-0000-0000-0000-000000000000"
    assert sms_otp_emulator.secret == "secret-test-emulator"


def test_the_same_seed_gives_the_same_codes() -> None:
    codes = []
    for _ in range(2):
        with Emulator(seed=2**64 - 1) as emu:
            emu.client().otps.sms.send(phone_number=PHONE)
            codes.append(emu.messages()[0]["code"])
    assert codes[0] == codes[1]


def test_resend_invalidates_and_the_clock_expires() -> None:
    with Emulator(seed=42) as emu:
        client = emu.client()
        first = client.otps.sms.send(phone_number=PHONE, expiration_minutes=1)
        second = client.otps.sms.send(phone_number=PHONE, expiration_minutes=1)
        assert first.phone_id == second.phone_id
        assert [m["status"] for m in emu.messages(phone_number=PHONE)] == ["invalidated", "active"]
        emu.advance_clock(61)
        assert emu.messages(phone_number=PHONE)[-1]["status"] == "expired"
        assert emu.clear_messages() == 2
        emu.reset()
        assert emu.messages() == []


def test_next_message_long_polls_returns_none_on_timeout_and_stops() -> None:
    emu = Emulator()
    client = emu.client()
    threading.Timer(0.2, lambda: client.otps.sms.send(phone_number=PHONE)).start()
    message = emu.next_message(phone_number=PHONE, timeout=5)
    assert message is not None and message["phone_number"] == PHONE
    assert emu.next_message(timeout=0.05) is None
    assert emu.next_message(PHONE, 0) is None
    with pytest.raises(EmulatorError) as too_long:
        emu.next_message(timeout=601)
    assert (too_long.value.kind, too_long.value.status, too_long.value.field) == ("admin", 400, "timeout")
    with pytest.raises(TypeError):
        emu.next_message(timeout="1")  # type: ignore[arg-type]
    # Stopping the emulator ends a wait with `stopped`.
    waited: List[BaseException] = []

    def wait() -> None:
        try:
            emu.next_message(timeout=30)
        except EmulatorError as e:
            waited.append(e)

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.2)
    started = time.monotonic()
    emu.stop()
    waiter.join(10)
    assert time.monotonic() - started < 5
    assert [getattr(e, "kind", None) for e in waited] == ["stopped"]


def test_faults_map_to_the_documented_errors() -> None:
    with Emulator() as emu:
        client = emu.client()
        fault = emu.inject_fault(status=503, error_type="server_unavailable")
        assert fault["fault_id"].startswith("fault-")
        assert (fault["kind"], fault["status"], fault["times"], fault["hits"], fault["remaining"]) == ("error", 503, 1, 0, 1)
        with pytest.raises(sms_otp.ServerError) as caught:
            client.otps.sms.send(phone_number=PHONE)
        assert caught.value.maybe_delivered and caught.value.error_type == "server_unavailable"
        emu.inject_fault(kind="process_then_reset")
        with pytest.raises(sms_otp.NetworkError) as net:
            client.otps.sms.send(phone_number=PHONE)
        assert net.value.after_send is True
        assert len(emu.messages(phone_number=PHONE)) == 1  # recorded, then cut
        emu.inject_fault(kind="malformed_body")
        with pytest.raises(sms_otp.UnexpectedResponseError):
            client.otps.sms.send(phone_number=PHONE)
        assert [f["hits"] for f in emu.faults()] == [1, 1, 1]
        assert emu.clear_faults() == 3 and emu.faults() == []
        for spec in ({"kind": "no-such-kind"}, {"bogus": 1}, {"status": 600}):
            with pytest.raises(EmulatorError) as refused:
                emu.inject_fault(**spec)
            assert (refused.value.kind, refused.value.status, refused.value.error_type) == ("admin", 400, "bad_request")


def test_the_sandbox_number_and_the_rate_limit() -> None:
    with Emulator() as emu:
        client = emu.client()
        for _ in range(7):
            client.otps.sms.send(phone_number="+10000000000")
        assert {m["code"] for m in emu.messages(phone_number="+10000000000")} == {"000000"}
        for _ in range(5):
            client.otps.sms.send(phone_number=PHONE)
        with pytest.raises(sms_otp.RateLimitedError) as caught:
            client.otps.sms.send(phone_number=PHONE)
        assert caught.value.retry_after is not None and caught.value.retry_after > 0


def test_the_rate_limit_window_is_set_in_seconds() -> None:
    with Emulator(rate_limit=1, rate_window=60.0) as emu:
        client = emu.client(max_retries=0)
        client.otps.sms.send(phone_number=PHONE)
        with pytest.raises(sms_otp.RateLimitedError) as caught:
            client.otps.sms.send(phone_number=PHONE)
        assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 60
        emu.advance_clock(60)
        client.otps.sms.send(phone_number=PHONE)


def test_users_and_sessions() -> None:
    with Emulator() as emu:
        user = emu.create_user(phone_number="+12025550100")
        assert list(user) == ["user_id", "phone_number", "phone_id"]
        assert user["user_id"].startswith("user-test-") and user["phone_number"] == "+12025550100"
        assert emu.create_user()["phone_id"] is None
        with pytest.raises(EmulatorError) as duplicate:
            emu.create_user(phone_number="+12025550100")
        assert (duplicate.value.status, duplicate.value.error_type) == (400, "duplicate_phone_number")
        session = emu.create_session(user["user_id"])
        assert list(session) == ["session_id", "user_id", "session_token", "session_jwt"]
        sent = emu.client().otps.sms.send(phone_number="+12025550100", session_token=session["session_token"])
        assert sent.user_id == user["user_id"]
        # A malformed user_id is refused as the admin API refuses it; an unknown one is not found.
        with pytest.raises(EmulatorError) as malformed:
            emu.create_session("bob")
        assert (malformed.value.kind, malformed.value.status, malformed.value.error_type, malformed.value.field) == (
            "admin",
            400,
            "invalid_user_id",
            "user_id",
        )
        with pytest.raises(EmulatorError) as unknown:
            emu.create_session("user-test-00000000-0000-4000-8000-000000000000")
        assert (unknown.value.status, unknown.value.error_type) == (404, "user_not_found")


@pytest.mark.parametrize(
    "options, kind, field",
    [
        ({"project_id": "project-live-abc"}, "live_credentials", "project_id"),
        ({"secret": "secret-live-abc"}, "live_credentials", "secret"),
        ({"port": 70000}, "invalid_config", "port"),
        ({"port": -1}, "invalid_config", "port"),
        ({"seed": -1}, "invalid_config", "seed"),
        ({"seed": 2**64}, "invalid_config", "seed"),
        ({"rate_limit": 2**32}, "invalid_config", "rate_limit"),
        ({"rate_window": 0}, "invalid_config", "rate_window"),
        ({"rate_window": math.inf}, "invalid_config", "rate_window"),
        ({"allowed_country_codes": []}, "invalid_config", "allowed_country_codes"),
        ({"project_id": "\ud800"}, "invalid_config", "project_id"),
        ({"allowed_country_codes": ["\ud800"]}, "invalid_config", "allowed_country_codes[0]"),
        ({"host": "203.0.113.7"}, "bind", None),
    ],
)
def test_start_failures_are_emulator_errors(options: Any, kind: str, field: object) -> None:
    """Regression (bad-input sweep): these raised OverflowError / UnicodeEncodeError."""
    with pytest.raises(EmulatorError) as caught:
        Emulator(**options)
    assert (caught.value.kind, caught.value.field) == (kind, field)


@pytest.mark.parametrize(
    "options", [{"port": True}, {"secret": 5}, {"seed": 1.5}, {"allowed_country_codes": "1"}, {"rate_window": "1"}]
)
def test_start_options_of_the_wrong_type_are_type_errors(options: Any) -> None:
    with pytest.raises(TypeError) as caught:
        Emulator(**options)
    assert next(iter(options)) in str(caught.value)


def test_admin_arguments_wrong_types_are_type_errors_bad_values_emulator_errors() -> None:
    """Regression (bad-input sweep): UnicodeEncodeError and OverflowError escaped."""
    with Emulator() as emu:
        wrong: List[Callable[[], Any]] = [
            lambda: emu.messages(phone_number=1),  # type: ignore[arg-type]
            lambda: emu.messages(phone_number=b"+1"),  # type: ignore[arg-type]
            lambda: emu.create_session(None),  # type: ignore[arg-type]
            lambda: emu.advance_clock("5"),  # type: ignore[arg-type]
            lambda: emu.inject_fault(phone_number=object()),
        ]
        for call in wrong:
            with pytest.raises(TypeError):
                call()
        circular: Dict[str, Any] = {}
        circular["self"] = circular
        with pytest.raises(TypeError, match="nested too deep"):
            emu.inject_fault(phone_number=circular)
        bad: List[Tuple[Callable[[], Any], str]] = [
            (lambda: emu.messages(phone_number="\ud800"), "phone_number"),
            (lambda: emu.next_message(timeout=float("inf")), "timeout"),
            (lambda: emu.advance_clock(-1), "seconds"),
            (lambda: emu.advance_clock(math.nan), "seconds"),
            (lambda: emu.create_user(phone_number="2025550100"), "phone_number"),
        ]
        for call, field in bad:
            with pytest.raises(EmulatorError) as caught:
                call()
            assert (caught.value.kind, caught.value.status, caught.value.field) == ("admin", 400, field)


def test_stop_is_idempotent_and_later_calls_say_the_emulator_stopped() -> None:
    emu = Emulator()
    client = emu.client(max_retries=0)
    emu.stop()
    emu.stop()
    calls: List[Callable[[], Any]] = [emu.messages, emu.next_message, emu.inject_fault, emu.reset, emu.clear_faults]
    for call in calls:
        with pytest.raises(EmulatorError) as caught:
            call()
        assert caught.value.kind == "stopped"
    with pytest.raises(sms_otp.NetworkError) as refused:
        client.otps.sms.send(phone_number=PHONE)
    assert refused.value.maybe_delivered is False
    assert repr(emu).startswith("Emulator(url='http://127.0.0.1:")
