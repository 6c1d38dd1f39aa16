"""pytest plugin (registered through the `pytest11` entry point): the `sms_otp_emulator`
fixture gives each test a fresh in-process emulator."""

from __future__ import annotations

from typing import Iterator

import pytest

from sms_otp.testing import Emulator


@pytest.fixture
def sms_otp_emulator() -> Iterator[Emulator]:
    """A running emulator, stopped after the test."""
    with Emulator() as emulator:
        yield emulator
