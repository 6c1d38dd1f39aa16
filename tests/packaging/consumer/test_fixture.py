"""A user's test module: the pytest fixture the installed wheel registers (no conftest)."""


def test_login_sends_a_code(sms_otp_emulator) -> None:  # type: ignore[no-untyped-def]
    client = sms_otp_emulator.client()
    resp = client.otps.sms.send(phone_number="+12025550162")
    code = sms_otp_emulator.messages(phone_number="+12025550162")[-1]["code"]
    assert len(code) == 6 and resp.phone_id.startswith("phone-number-test-")
