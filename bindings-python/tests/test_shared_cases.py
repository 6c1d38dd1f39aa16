"""Runs every shared case of tests/cases/ through the Python surface."""

from __future__ import annotations

import json
import os
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


def call(case: Dict[str, Any], url: Optional[str], project_id: str, secret: str) -> None:
    expect = expectation(case)
    options = case.get("client", {})
    if "configuration_error" in expect:
        with pytest.raises(sms_otp.ConfigurationError) as caught:
            make_client(options, url, project_id, secret)
        check_error(caught.value, expect["configuration_error"])
        return
    client = make_client(options, url, project_id, secret)
    if "type_error" in expect:
        with pytest.raises(TypeError) as type_error:
            client.otps.sms.send(**case["request"])
        assert not isinstance(type_error.value, sms_otp.SmsOtpError)
        assert expect["type_error"]["field"] in str(type_error.value), str(type_error.value)
        return
    if "error" in expect:
        with pytest.raises(sms_otp.SmsOtpError) as caught:
            client.otps.sms.send(**case["request"])
        check_error(caught.value, expect["error"])
        return
    resp = client.otps.sms.send(**case["request"])
    assert resp.status_code == expect["ok"]["status_code"]
    if "raw_has" in expect["ok"]:
        assert expect["ok"]["raw_has"] in resp.raw


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
            call(case, hostile.url, DEFAULT_PROJECT_ID, DEFAULT_SECRET)
            if "requests_seen" in expect:
                assert hostile.seen() == expect["requests_seen"]
    elif "refused" in server:
        call(case, f"http://127.0.0.1:{closed_port()}", DEFAULT_PROJECT_ID, DEFAULT_SECRET)
    else:
        with Emulator() as emu:
            setup_client = emu.client()
            for step in server["emulator"]["setup"]:
                if "send" in step:
                    setup_client.otps.sms.send(**step["send"])
                else:
                    emu.advance_clock(step["advance_clock"])
            for spec in server["emulator"]["faults"]:
                emu.inject_fault(**spec)
            call(case, emu.url, emu.project_id, emu.secret)
            phone = case["request"]["phone_number"]
            inbox: List[Dict[str, Any]] = emu.messages(phone_number=phone)
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
