"""``python -m sms_otp`` and the ``sms-otp`` console script: the package's command line.

It is the Rust ``sms-otp`` program itself (``sms-otp emulator``, ``sms-otp send``), run from
the native module, so flags and output are the same as ``cargo install sms-otp-cli`` and
``npx sms-otp``; see ``docs/cli.md`` in the repository.
"""

from __future__ import annotations

import signal
import sys


def main() -> int:
    from sms_otp import _native

    # The native command handles SIGINT and SIGTERM itself (the emulator shuts down and
    # exits 0). With Python's own SIGINT handler left in place, the same Ctrl-C would also
    # raise KeyboardInterrupt once the command has returned.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return _native.run_cli(["sms-otp", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
