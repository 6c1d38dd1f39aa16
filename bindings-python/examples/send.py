"""Send a passcode and handle every error class. Run against the emulator:

    sms-otp emulator                      # prints: listening on http://127.0.0.1:PORT
    STYTCH_PROJECT_ID=project-test-00000000-0000-0000-0000-000000000000 \\
    STYTCH_SECRET=secret-test-emulator STYTCH_BASE_URL=http://127.0.0.1:PORT \\
    python examples/send.py +12025550162
"""

from __future__ import annotations

import sys

import sms_otp


def send(client: sms_otp.Client, phone_number: str) -> int:
    try:
        resp = client.otps.sms.send(phone_number=sms_otp.normalize_phone_number(phone_number))
    except sms_otp.ValidationError as e:  # bad input: fix it, nothing was sent
        print(f"check {e.field}: {e.reason}")
        return 2
    except sms_otp.RateLimitedError as e:  # tell the user when to try again
        print(f"too many codes; retry in {e.retry_after or 'a few'} seconds")
        return 1
    except (sms_otp.BadRequestError, sms_otp.NotFoundError, sms_otp.ForbiddenError) as e:
        print(f"Stytch refused ({e.error_type}): {e.error_message}")
        return 1
    except sms_otp.UnauthorizedError:
        print("wrong STYTCH_PROJECT_ID / STYTCH_SECRET")
        return 1
    except (sms_otp.ServerError, sms_otp.RequestTimeoutError, sms_otp.NetworkError, sms_otp.UnexpectedResponseError) as e:
        # The library already retried what was safe to retry.
        if e.maybe_delivered:
            print(f"outcome unknown ({e.code}): ask the user whether a code arrived before resending")
        else:
            print(f"not sent ({e.code}): {e}")
        return 1
    except sms_otp.SmsOtpError as e:  # ApiError for other statuses, ConfigurationError
        print(f"failed ({e.code}): {e}")
        return 1
    print(f"sent: phone_id={resp.phone_id} request_id={resp.request_id}")
    return 0


if __name__ == "__main__":
    sys.exit(send(sms_otp.Client.from_env(), sys.argv[1] if len(sys.argv) > 1 else "+12025550162"))
