"""Checked with `mypy --strict`: how users call the package, fully typed."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import sms_otp
from sms_otp import Client, SendResponse


def send_one(client: Client) -> str:
    resp: SendResponse = client.otps.sms.send(
        phone_number="+12025550162",
        expiration_minutes=5,
        locale="es",
        attributes={"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    )
    status: int = resp.status_code
    raw_id: object = resp.raw.get("request_id")
    return f"{resp.request_id} {resp.user_id} {resp.phone_id} {status} {raw_id}"


async def send_async(client: Client) -> List[str]:
    results = await asyncio.gather(*(client.otps.sms.send_async(phone_number="+12025550162") for _ in range(2)))
    return [r.phone_id for r in results]


def handle(client: Client) -> Optional[float]:
    try:
        client.otps.sms.send(phone_number=sms_otp.normalize_phone_number("(202) 555-0162", "US"))
    except sms_otp.RateLimitedError as e:
        return e.retry_after
    except sms_otp.ValidationError as e:
        field: Optional[str] = e.field
        print(field, e.reason, e.code, e.maybe_delivered)
    except sms_otp.ApiError as e:
        print(e.status_code, e.error_type, e.error_message, e.request_id, e.error_url, e.body)
    except sms_otp.RequestTimeoutError as e:
        print(e.phase)
    except sms_otp.NetworkError as e:
        print(e.after_send)
    except sms_otp.SmsOtpError as e:
        print(e.code)
    return None


def build() -> Client:
    return Client(
        "project-test-x",
        "secret-test-x",
        environment="test",
        custom_base_url="http://127.0.0.1:9010",
        timeout=5.0,
        connect_timeout=1,
        max_retries=0,
        retry_rate_limited=True,
        allowed_country_codes=["1", "44"],
        user_agent_suffix="app/1",
    )


def from_env() -> Client:
    return Client.from_env(timeout=2.0)
