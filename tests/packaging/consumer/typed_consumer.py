"""A user's module type-checked with `mypy --strict` against the installed wheel's stubs."""

from __future__ import annotations

import asyncio

from sms_otp import Client, SmsOtpError, ValidationError, normalize_phone_number
from sms_otp.testing import Emulator


def send_once(client: Client, phone: str) -> str:
    try:
        resp = client.otps.sms.send(phone_number=phone, expiration_minutes=5, locale="es")
    except ValidationError as e:
        return f"bad input: {e.field}"
    except SmsOtpError as e:
        return f"{e.code} maybe_delivered={e.maybe_delivered}"
    return resp.phone_id


async def send_async(client: Client) -> str:
    resp = await client.otps.sms.send_async(phone_number=normalize_phone_number("(202) 555-0162"))
    return resp.request_id


def main() -> None:
    with Emulator() as emu:
        client: Client = emu.client()
        print(send_once(client, "+12025550162"))
        print(asyncio.run(send_async(client)))


if __name__ == "__main__":
    main()
