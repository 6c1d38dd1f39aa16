"""The rest of an SMS login from Python: ``client.otps.sms.login_or_create`` and
``client.otps.authenticate`` (+ ``_async``) against the real emulator over loopback."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any, Tuple

import pytest

import sms_otp
from sms_otp import Client, InvalidCodeError, ValidationError
from sms_otp.testing import Emulator

PHONE = "+12025550162"


@pytest.fixture
def emulator() -> Any:
    with Emulator() as emulator:
        yield emulator


def code_for(emulator: Emulator, phone: str = PHONE) -> str:
    message = emulator.messages(phone)[-1]
    return str(message["code"])


def login(client: Client, emulator: Emulator, **options: Any) -> Tuple[sms_otp.LoginOrCreateResponse, str]:
    sent = client.otps.sms.login_or_create(PHONE, **options)
    return sent, code_for(emulator)


def test_a_whole_login_with_a_session(emulator: Emulator) -> None:
    client = emulator.client()
    sent, code = login(client, emulator, create_user_as_pending=True)
    assert isinstance(sent, sms_otp.LoginOrCreateResponse)
    assert sent.user_created is True and sent.status_code == 200
    assert sent.phone_id.startswith("phone-number-test-") and sent.raw["phone_id"] == sent.phone_id
    resp = client.otps.authenticate(sent.phone_id, code, session_duration_minutes=60)
    assert isinstance(resp, sms_otp.AuthenticateResponse)
    assert resp.user_id == sent.user_id and resp.method_id == sent.phone_id
    assert resp.user.status == "active"
    assert resp.user.phone_numbers[0].phone_number == PHONE and resp.user.phone_numbers[0].verified is True
    assert isinstance(resp.session, sms_otp.Session) and resp.session.expires_at
    factor = resp.session.authentication_factors[0]
    assert factor.type == "otp" and factor.delivery_method == "sms"
    assert factor.phone_number_factor.phone_id == sent.phone_id
    assert resp.session_token and resp.session_jwt.count(".") == 2
    # The second login finds the user.
    again = client.otps.sms.login_or_create(phone_number=PHONE)
    assert again.user_created is False and again.user_id == sent.user_id


def test_without_a_session_the_tokens_are_empty_and_session_is_none(emulator: Emulator) -> None:
    client = emulator.client()
    sent, code = login(client, emulator)
    resp = client.otps.authenticate(method_id=sent.phone_id, code=code)
    assert resp.session is None and resp.session_token == "" and resp.session_jwt == ""


def test_secrets_never_appear_in_a_repr(emulator: Emulator) -> None:
    client = emulator.client()
    sent, code = login(client, emulator)
    resp = client.otps.authenticate(sent.phone_id, code, session_duration_minutes=5)
    shown = repr(resp)
    assert resp.session_token not in shown and resp.session_jwt not in shown and code not in shown
    assert "session_token=<redacted>" in shown and "User(" in shown and resp.user_id in shown


def test_a_wrong_code_is_invalid_code_error_and_a_used_one_too(emulator: Emulator) -> None:
    client = emulator.client()
    sent, code = login(client, emulator)
    wrong = "000001" if code != "000001" else "000002"
    with pytest.raises(InvalidCodeError) as refused:
        client.otps.authenticate(sent.phone_id, wrong)
    assert refused.value.code == "invalid_code" and refused.value.status_code == 404
    assert refused.value.error_type == "otp_code_not_found" and wrong not in str(refused.value)
    assert isinstance(refused.value, sms_otp.ApiError)
    client.otps.authenticate(sent.phone_id, code)
    with pytest.raises(InvalidCodeError) as used:
        client.otps.authenticate(sent.phone_id, code)
    assert used.value.error_type == "unable_to_auth_otp_code" and used.value.status_code == 401


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"code": "12345"}, "code"),
        ({"code": "12345a"}, "code"),
        ({"code": "١٢٣٤٥٦"}, "code"),
        ({"method_id": "phone-number-live-00000000-0000-0000-0000-000000000000"}, "method_id"),
        ({"method_id": "nope"}, "method_id"),
        ({"session_duration_minutes": 4}, "session_duration_minutes"),
        ({"session_duration_minutes": 527041}, "session_duration_minutes"),
        ({"session_duration_minutes": 2**70}, "session_duration_minutes"),
        ({"session_token": "t", "session_jwt": "j"}, "session_jwt"),
        ({"session_custom_claims": {"sub": "x"}}, "session_custom_claims"),
        ({"session_custom_claims": {"big": "x" * 5000}}, "session_custom_claims"),
        ({"session_custom_claims": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 1}}}}}}}}}}}, "session_custom_claims"),
        ({"session_custom_claims": {"x": float("nan")}}, "session_custom_claims.x"),
    ],
)
def test_bad_values_are_validation_errors_naming_the_field(emulator: Emulator, arguments: Any, field: str) -> None:
    client = emulator.client()
    request = {"method_id": "phone-number-test-00000000-0000-0000-0000-000000000000", "code": "123456"} | arguments
    with pytest.raises(ValidationError) as refused:
        client.otps.authenticate(**request)
    assert refused.value.field == field, refused.value
    assert "x" * 5000 not in str(refused.value)
    assert emulator.messages() == []


@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        ({"code": 123456}, "code must be a str, not int"),
        ({"session_custom_claims": ["a"]}, "session_custom_claims must be a dict, not list"),
        ({"session_custom_claims": {1: "a"}}, "session_custom_claims keys must be str, not int"),
        ({"session_custom_claims": {"a": object()}}, "session_custom_claims.a must be JSON data"),
        ({"options": {"ip_match_required": "yes"}}, "options.ip_match_required must be a bool, not str"),
        ({"session_duration_minutes": 5.0}, "session_duration_minutes must be an int, not float"),
        ({"unknown": 1}, "authenticate() got an unexpected keyword argument 'unknown'"),
    ],
)
def test_wrong_types_are_type_errors_naming_the_field(emulator: Emulator, arguments: Any, names: str) -> None:
    client = emulator.client()
    request = {"method_id": "phone-number-test-00000000-0000-0000-0000-000000000000", "code": "123456"} | arguments
    with pytest.raises(TypeError, match=names.replace("(", r"\(").replace(")", r"\)")):
        client.otps.authenticate(**request)


def test_missing_arguments_are_type_errors() -> None:
    client = Client("project-test-11111111-2222-3333-4444-555555555555", "secret")
    with pytest.raises(TypeError, match="missing required argument: 'code'"):
        client.otps.authenticate("phone-number-test-00000000-0000-0000-0000-000000000000")
    with pytest.raises(TypeError, match="missing required argument: 'phone_number'"):
        client.otps.sms.login_or_create()


def test_custom_claims_reach_the_session(emulator: Emulator) -> None:
    client = emulator.client()
    sent, code = login(client, emulator)
    claims = {"plan": "pro", "n": 3, "nested": {"list": [1, 2.5, None, True]}}
    resp = client.otps.authenticate(sent.phone_id, code, session_duration_minutes=5, session_custom_claims=claims)
    assert resp.session.custom_claims == claims


def test_responses_pickle_compare_and_refuse_unknown_attributes(emulator: Emulator) -> None:
    client = emulator.client()
    sent, code = login(client, emulator)
    resp = client.otps.authenticate(sent.phone_id, code, session_duration_minutes=5)
    copy = pickle.loads(pickle.dumps(resp))
    assert copy == resp and type(copy) is sms_otp.AuthenticateResponse and copy.user.user_id == resp.user_id
    with pytest.raises(AttributeError):
        resp.no_such_field  # noqa: B018
    assert sms_otp.User({"user_id": "u"}).external_id is None


def test_the_async_twins(emulator: Emulator) -> None:
    client = emulator.client()

    async def main() -> sms_otp.AuthenticateResponse:
        sent = await client.otps.sms.login_or_create_async(PHONE)
        message = emulator.messages(PHONE)[-1]
        return await client.otps.authenticate_async(sent.phone_id, message["code"], session_duration_minutes=5)

    resp = asyncio.run(main())
    assert resp.session is not None and resp.user.phone_numbers[0].verified


def test_an_async_authenticate_cancelled_in_flight_is_abandoned(emulator: Emulator) -> None:
    client = emulator.client(max_retries=0)
    sent, code = login(client, emulator)
    emulator.inject_fault(kind="stall", path="/v1/otps/authenticate")

    async def main() -> None:
        task = asyncio.ensure_future(client.otps.authenticate_async(sent.phone_id, code))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
