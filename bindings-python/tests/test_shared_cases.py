"""Runs every shared case of tests/cases/ through the Python surface."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from hostile import Hostile, closed_port

import sms_otp
from sms_otp import Client
from sms_otp.testing import Emulator

CASES_DIR = Path(__file__).resolve().parents[2] / "tests" / "cases"
CASES = sorted(CASES_DIR.glob("*.json"))
DEFAULT_PROJECT_ID = "project-test-11111111-2222-3333-4444-555555555555"
DEFAULT_SECRET = "secret-test-shared-cases"


#: The cases that ran to the end, checked against the directory by the last test.
RAN: List[str] = []


def test_every_case_is_collected() -> None:
    files = [name for name in sorted(os.listdir(CASES_DIR)) if name.endswith(".json")]
    assert [p.name for p in CASES] == files and files, f"{len(CASES)} collected of {len(files)} in {CASES_DIR}"


def make_client(options: Dict[str, Any], url: Optional[str], project_id: str, secret: str) -> Client:
    kwargs: Dict[str, Any] = {}
    for key, value in options.items():
        if key.endswith("_ms"):
            kwargs[key[: -len("_ms")]] = value / 1000
        elif key not in ("project_id", "secret"):
            kwargs[key] = value
    if url is not None and "base_url" not in kwargs:
        kwargs["base_url"] = url
    return Client(options.get("project_id", project_id), options.get("secret", secret), **kwargs)


def check_error(error: sms_otp.SmsOtpError, expected: Dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "class":
            assert type(error).__name__ == want, f"class {type(error).__name__} != {want}: {error}"
        elif key == "has_retry_after":
            assert (error.retry_after is not None) == want
        else:
            assert getattr(error, key) == want, f"{key}: {getattr(error, key)!r} != {want!r} ({error})"


def expectation(case: Dict[str, Any]) -> Dict[str, Any]:
    """The case's expectation for Python: ``expect.by_language.python``, when given, replaces
    the outcome (where the language's types make the same input mean something else)."""
    expect = {key: value for key, value in case["expect"].items() if key != "by_language"}
    own = case["expect"].get("by_language", {}).get("python")
    if own is not None:
        for outcome in ("ok", "error", "configuration_error", "type_error"):
            expect.pop(outcome, None)
        expect.update(own)
    return expect


def method(client: Client, name: str) -> Any:
    """The client method of a case's call (`send` unless the case says otherwise)."""
    if name == "login_or_create":
        return client.otps.sms.login_or_create
    if name == "authenticate":
        return client.otps.authenticate
    assert name == "send", name
    return client.otps.sms.send


class Placeholders:
    """`$method_id`, `$code`, `$code:N` and `$wrong_code`: the `phone_id` of the last setup
    step that returned one, and the codes delivered to that step's number, oldest first."""

    def __init__(self, emu: Optional[Emulator] = None) -> None:
        self.emu = emu
        self.phone_number: Optional[str] = None
        self.phone_id: Optional[str] = None

    def codes(self, text: str) -> List[str]:
        assert self.emu is not None and self.phone_number is not None, f"{text}: no setup step returned a phone_id"
        return [m["code"] for m in self.emu.messages(phone_number=self.phone_number)]

    def value(self, text: str) -> str:
        if text == "$method_id":
            assert self.phone_id is not None, f"{text}: no setup step returned a phone_id"
            return self.phone_id
        if text in ("$code", "$wrong_code"):
            code = self.codes(text)[-1]
            return code if text == "$code" else "".join(str((int(d) + 1) % 10) for d in code)
        match = re.fullmatch(r"\$code:(\d+)", text)
        return self.codes(text)[int(match.group(1))] if match else text

    def resolve(self, obj: Dict[str, Any]) -> Dict[str, Any]:
        """`obj` with every top-level string value that is a placeholder replaced."""
        return {key: self.value(value) if isinstance(value, str) else value for key, value in obj.items()}


def at_path(body: Any, path: str) -> Any:
    """The value at a dotted path (`user.phone_numbers.0.verified`), None when absent."""
    for step in path.split("."):
        if isinstance(body, list) and step.isdigit() and int(step) < len(body):
            body = body[int(step)]
        elif isinstance(body, dict):
            body = body.get(step)
        else:
            return None
    return body


def check_ok(resp: Any, want: Dict[str, Any], placeholders: Placeholders) -> None:
    assert resp.status_code == want["status_code"]
    raw = resp.raw
    if "raw_has" in want:
        assert want["raw_has"] in raw
    for path, value in placeholders.resolve(want.get("fields", {})).items():
        if path.endswith("_empty"):
            got = at_path(raw, path[: -len("_empty")]) in (None, "")
        else:
            got = at_path(raw, path)
        assert got == value and type(got) is type(value), f"field {path}: {got!r} != {value!r}"
    if "has_session" in want:
        assert (raw.get("session") is not None) == want["has_session"], raw.get("session")


def call(
    case: Dict[str, Any],
    request: Dict[str, Any],
    placeholders: Placeholders,
    url: Optional[str],
    project_id: str,
    secret: str,
) -> None:
    expect = expectation(case)
    options = case.get("client", {})
    if "configuration_error" in expect:
        with pytest.raises(sms_otp.ConfigurationError) as caught:
            make_client(options, url, project_id, secret)
        check_error(caught.value, expect["configuration_error"])
        return
    client = make_client(options, url, project_id, secret)
    fn = method(client, case.get("call", "send"))
    if "type_error" in expect:
        with pytest.raises(TypeError) as type_error:
            fn(**request)
        assert not isinstance(type_error.value, sms_otp.SmsOtpError)
        assert expect["type_error"]["field"] in str(type_error.value), str(type_error.value)
        return
    if "error" in expect:
        with pytest.raises(sms_otp.SmsOtpError) as caught:
            fn(**request)
        check_error(caught.value, expect["error"])
        return
    check_ok(fn(**request), expect["ok"], placeholders)


def setup_step(step: Dict[str, Any], emu: Emulator, client: Client, placeholders: Placeholders) -> None:
    """A call through the setup client (which must succeed, or fail with the step's
    `error_type`), or `advance_clock`."""
    if "advance_clock" in step:
        emu.advance_clock(step["advance_clock"])
        return
    name = next(name for name in ("send", "login_or_create", "authenticate") if name in step)
    request = placeholders.resolve(step[name])
    if "error_type" in step:
        with pytest.raises(sms_otp.SmsOtpError) as caught:
            method(client, name)(**request)
        assert caught.value.error_type == step["error_type"], caught.value
        return
    resp = method(client, name)(**request)
    if name != "authenticate":
        placeholders.phone_number, placeholders.phone_id = request["phone_number"], resp.phone_id


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_shared_case(path: Path) -> None:
    run_case(path)
    RAN.append(path.stem)


def run_case(path: Path) -> None:
    case = json.loads(path.read_text())
    server = case["server"]
    expect = expectation(case)
    if "hostile" in server:
        with Hostile([], case_steps=server["hostile"]) as hostile:
            none = Placeholders()
            call(case, none.resolve(case["request"]), none, hostile.url, DEFAULT_PROJECT_ID, DEFAULT_SECRET)
            if "requests_seen" in expect:
                assert hostile.seen() == expect["requests_seen"]
    elif "refused" in server:
        none = Placeholders()
        url = f"http://127.0.0.1:{closed_port()}"
        call(case, none.resolve(case["request"]), none, url, DEFAULT_PROJECT_ID, DEFAULT_SECRET)
    else:
        with Emulator() as emu:
            setup_client = emu.client()
            placeholders = Placeholders(emu)
            for step in server["emulator"]["setup"]:
                setup_step(step, emu, setup_client, placeholders)
            for spec in server["emulator"]["faults"]:
                emu.inject_fault(**spec)
            request = placeholders.resolve(case["request"])
            call(case, request, placeholders, emu.url, emu.project_id, emu.secret)
            # The inbox of the request's number, or of the last setup step's.
            phone = request.get("phone_number")
            phone = phone if isinstance(phone, str) else placeholders.phone_number
            if "inbox" in expect or "inbox_count" in expect:
                assert phone is not None, "inbox expected, but no phone number"
            inbox: List[Dict[str, Any]] = [] if phone is None else emu.messages(phone_number=phone)
            if "inbox" in expect:
                assert len(inbox) == len(expect["inbox"]), inbox
                for got, want in zip(inbox, expect["inbox"]):
                    for key, value in want.items():
                        assert got[key] == value, (key, got)
            if "inbox_count" in expect:
                assert len(inbox) == expect["inbox_count"]
            if "fault_hits" in expect:
                assert [f["hits"] for f in emu.faults()] == expect["fault_hits"]


def test_every_case_ran_exactly_once() -> None:
    """Last in the file: every case of tests/cases/ ran to the end, none twice, none skipped."""
    files = sorted(name[: -len(".json")] for name in os.listdir(CASES_DIR) if name.endswith(".json"))
    assert sorted(RAN) == files, f"ran {len(RAN)} of {len(files)} cases: missing {sorted(set(files) - set(RAN))}"
