"""The Python surface against the hostile loopback server: exact request on the wire,
every exception class and attribute, request counts, validation before any request."""

from __future__ import annotations

import base64
import json
import pickle
import platform
import time

import pytest
from conftest import PROJECT_ID, SECRET
from hostile import Behaviour, Hostile, closed_port

import sms_otp
from sms_otp import Client


def client_for(url: str, **options: object) -> Client:
    options.setdefault("timeout", 1.0)
    options.setdefault("connect_timeout", 0.5)
    return Client(PROJECT_ID, SECRET, base_url=url, **options)  # type: ignore[arg-type]


def assert_no_secret(*things: object) -> None:
    for thing in things:
        for text in (str(thing), repr(thing)):
            assert "MARKER" not in text, text


def test_the_request_on_the_wire_is_exact() -> None:
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url + "/prefix", user_agent_suffix="myapp/2.1")
        resp = client.otps.sms.send(
            phone_number="+12025550162",
            expiration_minutes=5,
            locale="es",
            attributes={"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
        )
        assert (resp.request_id, resp.user_id, resp.phone_id, resp.status_code) == (
            "request-id-test-1",
            "user-test-1",
            "phone-number-test-1",
            200,
        )
        assert resp.raw["extra"] == {"kept": True}
        assert resp.to_dict() == resp.raw
        assert "phone-number-test-1" in repr(resp)
        (r,) = server.requests
        assert (r.method, r.path) == ("POST", "/prefix/v1/otps/sms/send")
        assert r.headers["content-type"] == "application/json"
        assert r.headers["user-agent"] == f"sms-otp/{sms_otp.__version__} python/{platform.python_version()} myapp/2.1"
        auth = base64.b64decode(r.headers["authorization"].removeprefix("Basic ")).decode()
        assert auth == f"{PROJECT_ID}:{SECRET}"
        assert json.loads(r.body) == {
            "phone_number": "+12025550162",
            "expiration_minutes": 5,
            "locale": "es",
            "attributes": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
        }
        assert b"null" not in r.body


def test_unset_fields_are_left_out() -> None:
    with Hostile([Behaviour()]) as server:
        client_for(server.url).otps.sms.send(phone_number="+12025550162", locale=None, user_id=None)
        assert server.requests[0].body == b'{"phone_number":"+12025550162"}'


@pytest.mark.parametrize(
    "status,error_type,cls,code,maybe",
    [
        (400, "invalid_phone_number", sms_otp.BadRequestError, "bad_request", False),
        (401, "unauthorized_credentials", sms_otp.UnauthorizedError, "unauthorized", False),
        (403, "captcha_required", sms_otp.ForbiddenError, "forbidden", False),
        (404, "user_not_found", sms_otp.NotFoundError, "not_found", False),
        (408, "request_timeout", sms_otp.ApiError, "api_error", False),
        (429, "too_many_requests", sms_otp.RateLimitedError, "rate_limited", False),
        (500, "internal_server_error", sms_otp.ServerError, "server_error", True),
        (503, "server_unavailable", sms_otp.ServerError, "server_error", True),
    ],
)
def test_each_error_status_raises_its_class_once(
    status: int, error_type: str, cls: type, code: str, maybe: bool
) -> None:
    with Hostile([Behaviour.stytch_error(status, error_type, retry_after="2")]) as server:
        with pytest.raises(cls) as caught:
            client_for(server.url).otps.sms.send(phone_number="+12025550162")
        e = caught.value
        assert type(e) is cls
        assert isinstance(e, sms_otp.ApiError) and isinstance(e, sms_otp.SmsOtpError)
        assert (e.code, e.maybe_delivered, e.status_code, e.error_type) == (code, maybe, status, error_type)
        assert e.error_message == "Something."
        assert e.request_id == "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141"
        assert e.error_url == f"https://stytch.com/docs/api/errors/{status}"
        assert e.retry_after == 2.0
        assert e.body is not None and error_type in e.body
        assert server.seen() == 1
        assert_no_secret(e)


def test_rate_limited_is_retried_once_only_when_asked() -> None:
    limited = Behaviour.stytch_error(429, "too_many_requests", retry_after="1")
    with Hostile([limited, Behaviour()]) as server:
        client_for(server.url, retry_rate_limited=True).otps.sms.send(phone_number="+12025550162")
        assert server.seen() == 2
    with Hostile([limited, Behaviour()]) as server:
        with pytest.raises(sms_otp.RateLimitedError):
            client_for(server.url).otps.sms.send(phone_number="+12025550162")
        assert server.seen() == 1


@pytest.mark.parametrize(
    "behaviour,status,maybe",
    [
        (Behaviour(status=502, body=b"<html>Bad Gateway</html>", headers=[("Content-Type", "text/html")]), 502, True),
        (Behaviour(body=b'"a JSON string"'), 200, True),
        (Behaviour(body=b'{"request_id": "r"}'), 200, True),
        (Behaviour(status=400, body=b"Bad Request"), 400, False),
        (Behaviour(kind="huge"), 200, True),
        (Behaviour(status=302, body=b"", headers=[("Location", "/elsewhere")]), 302, True),
    ],
)
def test_broken_answers_are_unexpected_and_never_retried(behaviour: Behaviour, status: int, maybe: bool) -> None:
    with Hostile([behaviour]) as server:
        with pytest.raises(sms_otp.UnexpectedResponseError) as caught:
            client_for(server.url).otps.sms.send(phone_number="+12025550162")
        e = caught.value
        assert (e.code, e.status_code, e.maybe_delivered) == ("unexpected_response", status, maybe)
        assert e.body is not None and len(e.body) <= 200
        assert server.seen() == 1


def test_a_stalled_response_times_out_once() -> None:
    with Hostile([Behaviour(kind="stall")]) as server:
        started = time.monotonic()
        with pytest.raises(sms_otp.RequestTimeoutError) as caught:
            client_for(server.url, timeout=0.4).otps.sms.send(phone_number="+12025550162")
        took = time.monotonic() - started
        e = caught.value
        assert isinstance(e, TimeoutError)
        assert (e.code, e.phase, e.maybe_delivered) == ("timeout", "response", True)
        assert 0.4 <= took < 3
        assert server.seen() == 1


@pytest.mark.parametrize("kind", ["reset", "close"])
def test_a_connection_broken_after_sending_is_not_retried(kind: str) -> None:
    with Hostile([Behaviour(kind=kind)]) as server:
        with pytest.raises(sms_otp.NetworkError) as caught:
            client_for(server.url).otps.sms.send(phone_number="+12025550162")
        e = caught.value
        assert (e.code, e.after_send, e.maybe_delivered) == ("network_error", True, True)
        assert server.seen() == 1


def test_connection_refused_is_retried_and_not_delivered() -> None:
    client = client_for(f"http://127.0.0.1:{closed_port()}", max_retries=2)
    with pytest.raises(sms_otp.NetworkError) as caught:
        client.otps.sms.send(phone_number="+12025550162")
    e = caught.value
    assert (e.after_send, e.maybe_delivered, e.attempts) == (False, False, 3)
    assert isinstance(e.__cause__, ConnectionRefusedError)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"phone_number": "202-555-0162"}, "phone_number"),
        ({"phone_number": "+12025550162", "expiration_minutes": 11}, "expiration_minutes"),
        ({"phone_number": "+12025550162", "expiration_minutes": 10**40}, "expiration_minutes"),
        ({"phone_number": "+12025550162", "locale": "pt-BR"}, "locale"),
        ({"phone_number": "+12025550162", "attributes": {"ip_address": "999.1.1.1"}}, "attributes.ip_address"),
        ({"phone_number": "+12025550162", "attributes": {"user_agent": "a" * 1025}}, "attributes.user_agent"),
        ({"phone_number": "+12025550162", "user_id": ""}, "user_id"),
        ({"phone_number": "+12025550162", "session_token": "a", "session_jwt": "b"}, "session_jwt"),
        ({"phone_number": "+1202\udcff5550162"}, "phone_number"),
        ({"phone_number": "+33142685300"}, "phone_number"),
    ],
)
def test_validation_happens_before_any_request(kwargs: dict, field: str) -> None:
    with Hostile([Behaviour()]) as server:
        client = client_for(server.url, allowed_country_codes=["1", "44"])
        with pytest.raises(sms_otp.ValidationError) as caught:
            client.otps.sms.send(**kwargs)
        e = caught.value
        assert isinstance(e, ValueError)
        assert (e.code, e.field, e.maybe_delivered) == ("validation_error", field, False)
        assert e.reason and field in str(e)
        assert server.seen() == 0


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"phone_number": 12025550162}, "phone_number"),
        ({"phone_number": None}, "phone_number"),
        ({"phone_number": "+12025550162", "expiration_minutes": "5"}, "expiration_minutes"),
        ({"phone_number": "+12025550162", "expiration_minutes": 5.0}, "expiration_minutes"),
        ({"phone_number": "+12025550162", "expiration_minutes": True}, "expiration_minutes"),
        ({"phone_number": "+12025550162", "locale": 5}, "locale"),
        ({"phone_number": "+12025550162", "attributes": ["x"]}, "attributes"),
        ({"phone_number": "+12025550162", "attributes": {"ip": "1.2.3.4"}}, "attributes"),
        ({"phone_number": "+12025550162", "attributes": {"ip_address": 5}}, "attributes.ip_address"),
        ({"phone_number": "+12025550162", "user_id": b"bytes"}, "user_id"),
    ],
)
def test_wrong_types_raise_type_error_naming_the_field(kwargs: dict, field: str) -> None:
    client = client_for(f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(TypeError) as caught:
        client.otps.sms.send(**kwargs)
    assert field in str(caught.value)
    assert not isinstance(caught.value, sms_otp.SmsOtpError)


@pytest.mark.parametrize(
    "options,field",
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"connect_timeout": float("inf")}, "connect_timeout"),
        ({"max_retries": 11}, "max_retries"),
        ({"max_retries": -1}, "max_retries"),
        ({"allowed_country_codes": []}, "allowed_country_codes"),
        ({"allowed_country_codes": ["+44"]}, "allowed_country_codes"),
        ({"environment": "prod"}, "environment"),
        ({"base_url": "http://example.com"}, "base_url"),
        ({"ca_file": "/nonexistent.pem"}, "ca_file"),
    ],
)
def test_bad_options_raise_configuration_error(options: dict, field: str) -> None:
    with pytest.raises(sms_otp.ConfigurationError) as caught:
        Client(PROJECT_ID, SECRET, **options)
    e = caught.value
    assert isinstance(e, ValueError)
    assert (e.code, e.field, e.maybe_delivered) == ("configuration_error", field, False)
    assert_no_secret(e)


@pytest.mark.parametrize(
    "options,field",
    [
        ({"timeout": "1"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"retry_rate_limited": 1}, "retry_rate_limited"),
        ({"allowed_country_codes": "1"}, "allowed_country_codes"),
        ({"allowed_country_codes": [1]}, "allowed_country_codes[0]"),
    ],
)
def test_wrong_option_types_raise_type_error(options: dict, field: str) -> None:
    with pytest.raises(TypeError) as caught:
        Client(PROJECT_ID, SECRET, **options)
    assert field in str(caught.value)


def test_empty_credentials_are_configuration_errors() -> None:
    for pid, secret, field in [("", SECRET, "project_id"), (PROJECT_ID, " ", "secret")]:
        with pytest.raises(sms_otp.ConfigurationError) as caught:
            Client(pid, secret)
        assert caught.value.field == field


def test_environment_and_custom_base_url_follow_the_official_client() -> None:
    assert Client("project-live-x", SECRET).endpoint == "https://api.stytch.com/v1/otps/sms/send"
    assert Client("project-test-x", SECRET).environment == "test"
    assert Client("project-live-x", SECRET, environment="test").endpoint.startswith("https://test.stytch.com/")
    c = Client(PROJECT_ID, SECRET, custom_base_url="https://proxy.example/stytch")
    assert c.endpoint == "https://proxy.example/stytch/v1/otps/sms/send"


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYTCH_PROJECT_ID", raising=False)
    with pytest.raises(sms_otp.ConfigurationError) as caught:
        Client.from_env()
    assert caught.value.field == "project_id"
    monkeypatch.setenv("STYTCH_PROJECT_ID", PROJECT_ID)
    monkeypatch.setenv("STYTCH_SECRET", SECRET)
    monkeypatch.setenv("STYTCH_BASE_URL", "http://127.0.0.1:9/p")
    assert Client.from_env().endpoint == "http://127.0.0.1:9/p/v1/otps/sms/send"
    assert Client.from_env(base_url="http://localhost:1").endpoint == "http://localhost:1/v1/otps/sms/send"


def test_secrets_never_show() -> None:
    client = Client(PROJECT_ID, SECRET)
    assert_no_secret(client, client.otps, client.otps.sms)
    assert PROJECT_ID in repr(client)
    with pytest.raises(TypeError):
        pickle.dumps(client)


def test_errors_pickle_with_their_attributes() -> None:
    with Hostile([Behaviour.stytch_error(429, "too_many_requests", retry_after="3")]) as server:
        with pytest.raises(sms_otp.RateLimitedError) as caught:
            client_for(server.url).otps.sms.send(phone_number="+12025550162")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is sms_otp.RateLimitedError
    assert (copy.code, copy.status_code, copy.retry_after, copy.error_type, str(copy)) == (
        "rate_limited",
        429,
        3.0,
        "too_many_requests",
        str(caught.value),
    )


def test_every_error_class_constructs_pickles_and_keeps_its_python_bases() -> None:
    """The classes are made at import from the core's table; they behave like written ones."""
    for cls in (getattr(sms_otp, name) for name in sms_otp._errors.__all__):
        err = cls("message", field="f", attempts=2)
        assert isinstance(err, sms_otp.SmsOtpError) and isinstance(err, Exception)
        assert (str(err), err.message, err.code, err.field, err.attempts, err.reason) == (
            "message",
            "message",
            cls.code,
            "f",
            2,
            None,
        )
        assert repr(err).startswith(f"{cls.__name__}('message', code={cls.code!r}")
        copy = pickle.loads(pickle.dumps(err))
        assert type(copy) is cls
        assert (copy.code, copy.maybe_delivered, copy.field, copy.attempts) == (
            err.code,
            err.maybe_delivered,
            "f",
            2,
        )
    assert issubclass(sms_otp.ValidationError, ValueError) and issubclass(sms_otp.ConfigurationError, ValueError)
    assert issubclass(sms_otp.RequestTimeoutError, TimeoutError)
    assert issubclass(sms_otp.RateLimitedError, sms_otp.ApiError)
    # Defaults from the core's table; an explicit value wins.
    assert sms_otp.SmsOtpError("x").code == "internal_error"
    assert sms_otp.SmsOtpError("x").maybe_delivered is True
    assert sms_otp.ValidationError("x").maybe_delivered is False
    assert sms_otp.ServerError("x").maybe_delivered is True
    assert sms_otp.ValidationError("x", maybe_delivered=True).maybe_delivered is True
    assert sms_otp.SmsOtpError("x", code="custom").code == "custom"
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        sms_otp.ApiError("x", nope=1)  # type: ignore[call-arg]


def test_responses_pickle() -> None:
    with Hostile([Behaviour()]) as server:
        resp = client_for(server.url).otps.sms.send(phone_number="+12025550162")
    copy = pickle.loads(pickle.dumps(resp))
    assert copy == resp and copy.raw == resp.raw


def test_normalize_phone_number() -> None:
    assert sms_otp.normalize_phone_number("(202) 555-0162") == "+12025550162"
    assert sms_otp.normalize_phone_number("020 7946 0958", "GB") == "+442079460958"
    assert sms_otp.normalize_phone_number("+44 20 7946 0958", default_region="US") == "+442079460958"
    with pytest.raises(sms_otp.ValidationError) as caught:
        sms_otp.normalize_phone_number("hello")
    assert caught.value.field == "phone_number"
    with pytest.raises(TypeError):
        sms_otp.normalize_phone_number(2025550162)  # type: ignore[arg-type]


def test_from_env_names_values_that_are_not_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (bad-input sweep): a non-UTF-8 STYTCH_BASE_URL was repaired with U+FFFD
    and accepted (sending elsewhere than configured), and a non-UTF-8 project id was
    reported as "not set"."""
    import os

    monkeypatch.setenv("STYTCH_PROJECT_ID", PROJECT_ID)
    monkeypatch.setenv("STYTCH_SECRET", SECRET)
    monkeypatch.setitem(os.environb, b"STYTCH_BASE_URL", b"http://127.0.0.1:9/p\xff")
    with pytest.raises(sms_otp.ConfigurationError, match="STYTCH_BASE_URL is not valid UTF-8") as caught:
        Client.from_env()
    assert caught.value.field == "base_url"
    monkeypatch.delenv("STYTCH_BASE_URL")
    monkeypatch.setitem(os.environb, b"STYTCH_PROJECT_ID", b"project-test-\xff")
    with pytest.raises(sms_otp.ConfigurationError, match="STYTCH_PROJECT_ID is not valid UTF-8"):
        Client.from_env()
