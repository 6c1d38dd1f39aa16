"""Runs the official, unchanged `stytch` Python SDK (PyPI stytch==15.3.0) against the sms-otp
emulator and checks that it surfaces every row of docs/emulator.md's behaviour table with the
documented status_code and error_type, then drives a whole SMS login (login_or_create, wrong,
right, reused and expired codes) and verifies the session JWT locally with the SDK's own
`sessions.authenticate_jwt_local` against the emulator's JWKS.

Usage: check_python.py EMULATOR_URL   (the runner `tests/official_sdks/run` starts the emulator)

An `https://` URL is given to the SDK's documented `custom_base_url` option (the SDK refuses any
other scheme there); trust for the emulator's self-signed certificate comes from the standard
`REQUESTS_CA_BUNDLE` / `SSL_CERT_FILE` variables the runner sets. An `http://` URL goes through
the `environment` argument instead, which the SDK also uses verbatim as a base URL.

The SDK is only observed, never patched: a `requests.Session` with a response hook is passed
through the documented `sync_session` argument, to see the request the SDK built and the
response headers it does not expose (`Retry-After`). Exits 1 on any mismatch.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import ssl
import sys
import traceback
import urllib.error
import urllib.request
import uuid
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests
import stytch
from stytch.consumer.models.attribute import Attributes
from stytch.consumer.models.otp_sms import SendRequestLocale
from stytch.core.response_base import StytchError
from stytch.version import __version__ as SDK_VERSION

PROJECT_ID = "project-test-00000000-0000-0000-0000-000000000000"
SECRET = "secret-test-emulator"
SANDBOX = "+10000000000"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
REQUEST_ID = re.compile(rf"request-id-test-{UUID}")
USER_ID = re.compile(rf"user-test-{UUID}")
PHONE_ID = re.compile(rf"phone-number-test-{UUID}")

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else os.environ["EMULATOR_URL"].rstrip("/")
ADMIN = BASE + "/_emulator/v1"


class Mismatch(AssertionError):
    pass


def check(ok: bool, what: str) -> None:
    if not ok:
        raise Mismatch(what)


def eq(actual: Any, expected: Any, what: str) -> None:
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


# ------------------------------------------------------------------------------------------
# The admin API (plain urllib: nothing of the SDK's).

_ssl_context: Optional[ssl.SSLContext] = None
if BASE.startswith("https://"):
    _ssl_context = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"))


def admin(method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ADMIN + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30, context=_ssl_context) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as e:
        raise Mismatch(f"admin {method} {path} answered {e.code}: {e.read()!r}") from None


def messages(phone: str) -> List[Dict[str, Any]]:
    return admin("GET", "/messages?phone_number=" + urllib.request.quote(phone))["messages"]


# ------------------------------------------------------------------------------------------
# The official client, observed through its documented `sync_session` argument.

seen: List[requests.Response] = []


def _record(resp: requests.Response, *args: Any, **kwargs: Any) -> None:
    seen.append(resp)


def make_client(project_id: str = PROJECT_ID, secret: str = SECRET) -> stytch.Client:
    session = requests.Session()
    session.hooks["response"].append(_record)
    if BASE.startswith("https://"):
        return stytch.Client(
            project_id=project_id, secret=secret, custom_base_url=BASE, sync_session=session
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return stytch.Client(
            project_id=project_id, secret=secret, environment=BASE, sync_session=session
        )


client = make_client()


def expect_error(
    call: Callable[[], Any], status: int, error_type: Optional[str]
) -> StytchError:
    try:
        resp = call()
    except StytchError as e:
        d = e.details
        eq(d.status_code, status, "status_code")
        eq(d.error_type, error_type, "error_type")
        if error_type is not None:
            check(bool(REQUEST_ID.fullmatch(d.request_id)), f"request_id {d.request_id!r}")
            eq(d.error_url, f"https://stytch.com/docs/api/errors/{status}", "error_url")
            check(bool(d.error_message), "error_message is empty")
        return e
    raise Mismatch(f"expected StytchError {status} {error_type}, got success {resp!r}")


def expect_ok(resp: Any) -> Any:
    eq(resp.status_code, 200, "status_code")
    check(bool(REQUEST_ID.fullmatch(resp.request_id)), f"request_id {resp.request_id!r}")
    check(bool(USER_ID.fullmatch(resp.user_id)), f"user_id {resp.user_id!r}")
    check(bool(PHONE_ID.fullmatch(resp.phone_id)), f"phone_id {resp.phone_id!r}")
    return resp


_numbers = iter(range(1000, 10000))


def fresh_number() -> str:
    """A US number no earlier check has used (fresh rate-limit counter)."""
    return f"+1202555{next(_numbers):04d}"


# ------------------------------------------------------------------------------------------
# Rows

rows: List[Tuple[str, Callable[[], None]]] = []


def row(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(f: Callable[[], None]) -> Callable[[], None]:
        rows.append((name, f))
        return f

    return register


# ------------------------------------------------------------------------------------------
# A whole login. These rows run first and share `login`: the SDK checks a JWT's iat/nbf/exp
# against the real clock, so they run while the emulator's virtual clock still equals it
# (only the last one advances it).

LOGIN_NUMBER = "+12025559001"
login: Dict[str, Any] = {}


def inbox_code(number: str) -> str:
    return messages(number)[-1]["code"]


def expect_refused(code: str, status: int, error_type: str) -> None:
    expect_error(lambda: client.otps.authenticate(method_id=login["phone_id"], code=code),
                 status, error_type)


@row("login: login_or_create makes a pending user")
def _login_or_create() -> None:
    admin("POST", "/reset", {})  # the virtual clock back to real time
    seen.clear()
    resp = client.otps.sms.login_or_create(phone_number=LOGIN_NUMBER,
                                           create_user_as_pending=True)
    eq(seen[-1].request.url.endswith("/v1/otps/sms/login_or_create"), True, "path")
    eq(resp.status_code, 200, "status_code")
    eq(resp.user_created, True, "user_created")
    check(bool(USER_ID.fullmatch(resp.user_id)), f"user_id {resp.user_id!r}")
    check(bool(PHONE_ID.fullmatch(resp.phone_id)), f"phone_id {resp.phone_id!r}")
    check(bool(REQUEST_ID.fullmatch(resp.request_id)), f"request_id {resp.request_id!r}")
    users = admin("GET", "/users?user_id=" + resp.user_id)["users"]
    eq(users[0]["status"], "pending", "user status before authenticate")
    again = client.otps.sms.login_or_create(phone_number=LOGIN_NUMBER)
    eq((again.user_created, again.user_id, again.phone_id),
       (False, resp.user_id, resp.phone_id), "second login_or_create")
    login.update(user_id=resp.user_id, phone_id=resp.phone_id, code=inbox_code(LOGIN_NUMBER))


@row("login: wrong code -> 404 otp_code_not_found")
def _login_wrong_code() -> None:
    wrong = f"{(int(login['code']) + 1) % 1_000_000:06d}"
    e = expect_error(lambda: client.otps.authenticate(method_id=login["phone_id"], code=wrong),
                     404, "otp_code_not_found")
    eq(e.details.error_message,
       "The passcode provided was incorrect and could not be authenticated.", "error_message")


@row("login: right code + session_duration_minutes=60")
def _login_right_code() -> None:
    resp = client.otps.authenticate(method_id=login["phone_id"], code=login["code"],
                                    session_duration_minutes=60,
                                    session_custom_claims={"plan": "pro"},
                                    attributes={"ip_address": "203.0.113.7",
                                                "user_agent": "check_python"})
    eq(resp.status_code, 200, "status_code")
    eq((resp.user_id, resp.method_id), (login["user_id"], login["phone_id"]), "ids")
    eq(resp.user.status, "active", "user.status (was pending)")
    eq([(p.phone_id, p.phone_number, p.verified) for p in resp.user.phone_numbers],
       [(login["phone_id"], LOGIN_NUMBER, True)], "user.phone_numbers")
    eq(resp.reset_sessions, False, "reset_sessions")
    check(resp.session is not None, "session")
    check(resp.session.session_id.startswith("session-test-"), resp.session.session_id)
    eq(resp.session.custom_claims, {"plan": "pro"}, "session.custom_claims")
    factor = resp.session.authentication_factors[0]
    eq((factor.type.value, factor.delivery_method.value,
        factor.phone_number_factor.phone_id), ("otp", "sms", login["phone_id"]), "factor")
    minutes = (resp.session.expires_at - resp.session.started_at).total_seconds() / 60
    eq(minutes, 60, "session length in minutes")
    eq(len(resp.session_token), 44, "session_token length")
    login.update(session=resp.session, session_jwt=resp.session_jwt,
                 session_token=resp.session_token)


@row("login: session JWT verified locally against the JWKS")
def _login_jwt_local() -> None:
    seen.clear()
    local = client.sessions.authenticate_jwt_local(session_jwt=login["session_jwt"])
    check(local is not None, "authenticate_jwt_local refused the emulator's JWT")
    eq(seen, [], "no API call (the JWKS comes through PyJWT, not the API client)")
    eq(local.session_id, login["session"].session_id, "session_id")
    eq(local.user_id, login["user_id"], "user_id")
    eq(local.custom_claims, {"plan": "pro"}, "custom_claims")
    eq(local.expires_at, login["session"].expires_at, "expires_at")
    eq(local.authentication_factors[0].phone_number_factor.phone_number, LOGIN_NUMBER,
       "factor phone")
    # The verification is real: a tampered payload or signature is refused.
    head, payload, sig = login["session_jwt"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "user-test-00000000-0000-4000-8000-000000000000"
    other = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for forged in (f"{head}.{payload}.{sig[:-4]}AAAA", f"{head}.{other}.{sig}"):
        eq(client.sessions.authenticate_jwt_local(session_jwt=forged), None, "forged JWT")
    eq(client.sessions.authenticate_jwt_local(session_jwt=login["session_jwt"],
                                              max_token_age_seconds=0), None, "max age 0")

    async def go() -> Any:
        async with make_client() as aclient:
            return await aclient.sessions.authenticate_jwt_local_async(
                session_jwt=login["session_jwt"])

    eq(asyncio.run(go()).session_id, login["session"].session_id, "async local check")


@row("login: reused code -> 401 unable_to_auth_otp_code")
def _login_reused() -> None:
    expect_refused(login["code"], 401, "unable_to_auth_otp_code")


@row("login: expired code -> 401 unable_to_auth_otp_code")
def _login_expired() -> None:
    client.otps.sms.login_or_create(phone_number=LOGIN_NUMBER, expiration_minutes=1)
    code = inbox_code(LOGIN_NUMBER)
    admin("POST", "/clock/advance", {"seconds": 61})
    expect_refused(code, 401, "unable_to_auth_otp_code")


@row("login: session extended by session_token / session_jwt")
def _login_extend() -> None:
    client.otps.sms.login_or_create(phone_number=LOGIN_NUMBER)
    resp = client.otps.authenticate(method_id=login["phone_id"], code=inbox_code(LOGIN_NUMBER),
                                    session_token=login["session_token"])
    eq(resp.session.session_id, login["session"].session_id, "same session (token)")
    client.otps.sms.login_or_create(phone_number=LOGIN_NUMBER)
    resp = client.otps.authenticate(method_id=login["phone_id"], code=inbox_code(LOGIN_NUMBER),
                                    session_jwt=login["session_jwt"],
                                    session_duration_minutes=30)
    eq(resp.session.session_id, login["session"].session_id, "same session (JWT)")
    expect_error(lambda: client.otps.authenticate(
        method_id=login["phone_id"], code="123456", session_token="no-such-token"),
        404, "session_not_found")


@row("login: sandbox +10000000000 with 000000")
def _login_sandbox() -> None:
    resp = client.otps.sms.login_or_create(phone_number=SANDBOX)
    done = client.otps.authenticate(method_id=resp.phone_id, code="000000")
    eq((done.status_code, done.session_token, done.session), (200, "", None), "sandbox")


@row("wire: what the SDK sends")
def _wire() -> None:
    seen.clear()
    expect_ok(client.otps.sms.send(phone_number=fresh_number(), locale="fr"))
    req = seen[-1].request
    eq(req.method, "POST", "method")
    check(req.url.endswith("/v1/otps/sms/send"), f"url {req.url}")
    eq(req.headers.get("Content-Type"), "application/json", "Content-Type (no charset)")
    eq(req.headers.get("User-Agent"), f"Stytch Python v{SDK_VERSION}", "User-Agent")
    check(req.headers.get("Authorization", "").startswith("Basic "), "Basic auth")
    body = json.loads(req.body)
    eq(sorted(body), ["locale", "phone_number"], "body keys (unset fields are left out)")
    # And the emulator's answer is what the SDK's parser wants.
    eq(seen[-1].headers.get("Content-Type"), "application/json", "response Content-Type")


@row("401 unauthorized_credentials")
def _unauthorized() -> None:
    for bad in (make_client(secret="secret-test-wrong"), make_client(secret="")):
        expect_error(lambda: bad.otps.sms.send(phone_number=fresh_number()), 401,
                     "unauthorized_credentials")
    other = make_client(project_id="project-test-11111111-1111-4111-8111-111111111111")
    expect_error(lambda: other.otps.sms.send(phone_number=fresh_number()), 401,
                 "unauthorized_credentials")


@row("400 bad_request")
def _bad_request() -> None:
    # The SDK sends {"phone_number": null} for a None phone number.
    expect_error(lambda: client.otps.sms.send(phone_number=None), 400,  # type: ignore[arg-type]
                 "bad_request")


@row("400 invalid_phone_number")
def _invalid_phone() -> None:
    for bad in ("12025550162", "+1 202-555-0162", "+9991234567", "not a number"):
        expect_error(lambda: client.otps.sms.send(phone_number=bad), 400,
                     "invalid_phone_number")


@row("400 invalid_phone_number_country_code")
def _country() -> None:
    for number in ("+442079460958", "+33142685300"):
        expect_error(lambda: client.otps.sms.send(phone_number=number), 400,
                     "invalid_phone_number_country_code")


@row("400 invalid_expiration_otp")
def _expiration() -> None:
    for minutes in (0, 11, -1, 10_000):
        expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(),
                                                  expiration_minutes=minutes),
                     400, "invalid_expiration_otp")
    for minutes in (1, 10):
        expect_ok(client.otps.sms.send(phone_number=fresh_number(),
                                       expiration_minutes=minutes))


@row("400 invalid_locale")
def _locale() -> None:
    for tag in ("xx", "english", "en_US"):
        expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(), locale=tag),
                     400, "invalid_locale")


@row("every SendRequestLocale of the SDK accepted")
def _locales() -> None:
    for locale in SendRequestLocale:
        number = fresh_number()
        expect_ok(client.otps.sms.send(phone_number=number, locale=locale))
        eq(messages(number)[-1]["locale"], locale.value, f"inbox locale for {locale.value}")


@row("400 invalid_user_id / 404 user_not_found")
def _user_id() -> None:
    expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(), user_id="u1"),
                 400, "invalid_user_id")
    unknown = f"user-test-{uuid.uuid4()}"
    expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(), user_id=unknown),
                 404, "user_not_found")
    user_id = admin("POST", "/users", {})["user_id"]
    number = fresh_number()
    resp = expect_ok(client.otps.sms.send(phone_number=number, user_id=user_id))
    eq(resp.user_id, user_id, "user_id of a send with a seeded user_id")


@row("400 too_many_session_arguments")
def _too_many_sessions() -> None:
    user_id = admin("POST", "/users", {})["user_id"]
    session = admin("POST", "/sessions", {"user_id": user_id})
    expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(),
                                              session_token=session["session_token"],
                                              session_jwt=session["session_jwt"]),
                 400, "too_many_session_arguments")


@row("404 session_not_found")
def _session_not_found() -> None:
    expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(),
                                              session_token="no-such-token"),
                 404, "session_not_found")
    expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(),
                                              session_jwt="a.b.c"),
                 404, "session_not_found")
    user_id = admin("POST", "/users", {})["user_id"]
    session = admin("POST", "/sessions", {"user_id": user_id})
    for kind in ("session_token", "session_jwt"):
        resp = expect_ok(client.otps.sms.send(phone_number=fresh_number(),
                                              **{kind: session[kind]}))
        eq(resp.user_id, user_id, f"user_id of a send with a seeded {kind}")


@row("429 too_many_requests + Retry-After")
def _rate_limit() -> None:
    number = fresh_number()
    for _ in range(5):
        expect_ok(client.otps.sms.send(phone_number=number))
    seen.clear()
    expect_error(lambda: client.otps.sms.send(phone_number=number), 429, "too_many_requests")
    retry_after = seen[-1].headers.get("Retry-After")
    check(retry_after is not None and retry_after.isdigit() and 1 <= int(retry_after) <= 3600,
          f"Retry-After {retry_after!r}")
    # The window ends when Retry-After says.
    admin("POST", "/clock/advance", {"seconds": int(retry_after)})
    expect_ok(client.otps.sms.send(phone_number=number))


@row("413 bad_request (body over 1 MiB)")
def _too_large() -> None:
    big = {"user_agent": "x" * (1 << 20)}
    expect_error(lambda: client.otps.sms.send(phone_number=fresh_number(), attributes=big),
                 413, "bad_request")
    # The connection the SDK keeps is still usable afterwards.
    expect_ok(client.otps.sms.send(phone_number=fresh_number()))


@row("200: documented fields, ID formats, stable phone_id")
def _success() -> None:
    number = fresh_number()
    seen.clear()
    first = expect_ok(client.otps.sms.send(phone_number=number, expiration_minutes=5,
                                           attributes={"ip_address": "203.0.113.7",
                                                       "user_agent": "check_python"}))
    eq(set(seen[-1].json()), {"request_id", "user_id", "phone_id", "status_code"},
       "fields of the 200 body")
    second = expect_ok(client.otps.sms.send(phone_number=number))
    eq(second.phone_id, first.phone_id, "phone_id on a second send")
    eq(second.user_id, first.user_id, "user_id on a second send")
    check(second.request_id != first.request_id, "request_id differs per call")
    # The SDK's own Attributes model: .dict() sends the unset user_agent as null.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic's deprecation of .dict(), inside the SDK
        seen.clear()
        third = expect_ok(client.otps.sms.send(
            phone_number=number, attributes=Attributes(ip_address="203.0.113.7")))
    eq(json.loads(seen[-1].request.body)["attributes"],
       {"ip_address": "203.0.113.7", "user_agent": None}, "attributes sent by the SDK model")
    eq(third.phone_id, first.phone_id, "phone_id on a third send")
    inbox = messages(number)
    eq(len(inbox), 3, "messages recorded")
    msg = inbox[0]
    check(bool(re.fullmatch(r"\d{6}", msg["code"])), f"code {msg['code']!r}")
    eq(msg["request_id"], first.request_id, "message request_id")
    eq(msg["phone_id"], first.phone_id, "message phone_id")
    eq(msg["user_id"], first.user_id, "message user_id")
    check(msg["code"] in msg["text"], "the code is in the SMS text")


@row("sandbox +10000000000: code 000000, no rate limit")
def _sandbox() -> None:
    admin("DELETE", "/messages")
    for _ in range(7):
        expect_ok(client.otps.sms.send(phone_number=SANDBOX))
    inbox = messages(SANDBOX)
    eq([m["code"] for m in inbox], ["000000"] * 7, "sandbox codes")


@row("resend invalidates the earlier code")
def _invalidation() -> None:
    number = fresh_number()
    expect_ok(client.otps.sms.send(phone_number=number))
    expect_ok(client.otps.sms.send(phone_number=number))
    expect_ok(client.otps.sms.send(phone_number=number))
    eq([m["status"] for m in messages(number)], ["invalidated", "invalidated", "active"],
       "statuses after three sends")
    admin("POST", "/clock/advance", {"seconds": 121})
    eq(messages(number)[-1]["status"], "expired", "status after the default 2 minutes")


@row("fault: 503 server_unavailable")
def _fault_error() -> None:
    number = fresh_number()
    admin("POST", "/faults", {"status": 503, "phone_number": number})
    expect_error(lambda: client.otps.sms.send(phone_number=number), 503, "server_unavailable")
    expect_ok(client.otps.sms.send(phone_number=number))


@row("fault: malformed_body (HTML 502)")
def _fault_html() -> None:
    number = fresh_number()
    admin("POST", "/faults", {"kind": "malformed_body", "phone_number": number})
    # The SDK cannot parse the page: it reports an unknown error with the HTTP status.
    e = expect_error(lambda: client.otps.sms.send(phone_number=number), 502, None)
    eq(e.details.error_message, "An unknown error occurred", "error_message")


@row("async client (aiohttp): 200 and 429")
def _async() -> None:
    async def go() -> None:
        async with make_client() as aclient:
            number = fresh_number()
            for _ in range(5):
                expect_ok(await aclient.otps.sms.send_async(phone_number=number))
            try:
                await aclient.otps.sms.send_async(phone_number=number)
            except StytchError as e:
                eq((e.details.status_code, e.details.error_type), (429, "too_many_requests"),
                   "async error")
            else:
                raise Mismatch("async: 6th send succeeded")
            try:
                await aclient.otps.sms.send_async(phone_number="+442079460958")
            except StytchError as e:
                eq(e.details.error_type, "invalid_phone_number_country_code", "async error")
            else:
                raise Mismatch("async: +44 send succeeded")

    asyncio.run(go())


@row("burst: 200 concurrent sends, one client")
def _burst() -> None:
    numbers = [fresh_number() for _ in range(200)]

    async def go() -> List[Any]:
        async with make_client() as aclient:
            return await asyncio.gather(
                *(aclient.otps.sms.send_async(phone_number=n) for n in numbers))

    results = asyncio.run(go())
    for resp in results:
        expect_ok(resp)
    eq(len({r.phone_id for r in results}), 200, "distinct phone_ids")
    sent = {m["phone_number"] for m in admin("GET", "/messages")["messages"]}
    eq([n for n in numbers if n not in sent], [], "numbers without a message")


def main() -> int:
    print(f"stytch (Python) {SDK_VERSION} against {BASE}")
    admin("POST", "/reset", {})
    results = []
    for name, f in rows:
        try:
            f()
            results.append((name, "pass", ""))
        except Exception as e:  # noqa: BLE001 - every failure is a row's failure
            if isinstance(e, Mismatch):
                detail = str(e)
            else:
                here = [f for f in traceback.extract_tb(e.__traceback__)
                        if f.filename == __file__][-1]
                detail = f"{type(e).__name__}: {e}"[:400] + f" (line {here.lineno})"
            results.append((name, "FAIL", detail))
    width = max(len(name) for name, _, _ in results)
    for name, verdict, detail in results:
        print(f"  {name:<{width}}  {verdict}")
        if detail:
            for line in detail.strip().splitlines():
                print(f"  {'':<{width}}    {line}")
    out = os.environ.get("OFFICIAL_SDK_RESULTS")
    if out:
        with open(out, "w") as f:
            json.dump([{"row": n, "verdict": v, "detail": d} for n, v, d in results], f)
    failed = sum(verdict != "pass" for _, verdict, _ in results)
    print(f"python: {len(results) - failed}/{len(results)} rows pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
