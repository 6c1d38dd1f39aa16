"""Drift tests: the Python surface states no rule of its own. The error classes and locale
tags equal the Rust core's lists, and no option restates a default. On a mismatch the
failure prints the corrected Python text."""

from __future__ import annotations

import inspect
import typing

import sms_otp
from sms_otp import _errors, _native


def test_error_classes_equal_the_core_kinds() -> None:
    kinds = _native.error_kinds()
    expected = "\n\n".join(
        f"class {name}({parent}{', ValueError' if code in ('validation_error', 'configuration_error') else ''}"
        f"{', TimeoutError' if code == 'timeout' else ''}):\n    code = {code!r}"
        for code, name, parent in kinds
    )
    problems = []
    for code, name, parent in kinds:
        cls = getattr(sms_otp, name, None)
        if cls is None:
            problems.append(f"missing class {name}")
            continue
        if cls.code != code:
            problems.append(f"{name}.code is {cls.code!r}, the core says {code!r}")
        if cls.__bases__[0].__name__ != parent:
            problems.append(f"{name} derives from {cls.__bases__[0].__name__}, the core says {parent}")
    declared = {
        name
        for name, value in vars(_errors).items()
        if isinstance(value, type) and issubclass(value, _errors.SmsOtpError) and value is not _errors.SmsOtpError
    }
    extra = declared - {name for _, name, _ in kinds}
    if extra:
        problems.append(f"classes the core does not know: {sorted(extra)}")
    assert not problems, "\n".join(problems) + "\n\nThe core's hierarchy, as Python:\n\n" + expected


def test_locale_literal_equals_the_core_tags() -> None:
    core = tuple(_native.locales())
    declared = typing.get_args(sms_otp.Locale)
    assert declared == core, f"sms_otp.Locale drifted; write:\nLocale = Literal[{', '.join(repr(t) for t in core)}]"


def test_options_leave_defaults_to_the_core() -> None:
    for function in (sms_otp.Client.__init__, sms_otp.Client.from_env):
        restated = {
            name: p.default
            for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty and p.default is not None and name != "suppress_warnings"
        }
        assert not restated, (
            f"{function.__qualname__} restates defaults {restated}; "
            "write `= None` so the Rust core resolves them (one place for every default)"
        )


def test_documented_defaults_equal_the_core() -> None:
    timeout, connect_timeout, max_retries, max_max_retries, retry_rate_limited = _native.defaults()
    doc = " ".join((sms_otp.Client.__doc__ or "").split())
    expected = (
        f"timeout={timeout!r} (seconds per attempt, from sending to a fully read response), "
        f"connect_timeout={connect_timeout!r} (TCP + TLS), max_retries={max_retries} (at most "
        f"{max_max_retries}; only failures that provably never reached the server), "
        f"retry_rate_limited={retry_rate_limited}."
    )
    assert expected in doc, f"the Client docstring drifted from the core; it should say:\n{expected}"
