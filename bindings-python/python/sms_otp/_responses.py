"""The responses of ``login_or_create`` and ``authenticate``: attribute access all the way
down (``resp.user.phone_numbers[0].verified``, ``resp.session.expires_at``) over the whole
JSON body, which ``raw`` holds (unknown fields included). The classes are made at import from
the Rust core's table (``_native.tables()["responses"]``); ``__init__.pyi`` declares them and
``tests/test_drift.py`` keeps the two equal. A documented field missing from a body is
``None``; session tokens and JWTs never appear in a ``repr``."""

from __future__ import annotations

# The core's lists, read once at import by _errors (building them again costs start-up).
from sms_otp._errors import _TABLES
_SECRET = frozenset(_TABLES["secret_fields"])


class Response:
    """One JSON object of a response, read by attribute."""

    __slots__ = ("raw",)
    #: field name -> class of the objects it holds (None: plain data)
    _fields: Dict[str, Optional[str]] = {}

    def __init__(self, raw: Dict[str, Any]) -> None:
        self.raw = raw

    def __getattr__(self, name: str) -> Any:
        fields = type(self)._fields
        if name not in fields:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = self.raw.get(name)
        if value is None or fields[name] is None:
            return value
        cls = _CLASSES[fields[name]]
        return [cls(item) for item in value] if isinstance(value, list) else cls(value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.raw == self.raw  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = []
        for name in type(self)._fields:
            if name not in self.raw:
                continue
            value = getattr(self, name)
            secret = name in _SECRET and value
            shown.append(f"{name}={'<redacted>' if secret else repr(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _make_classes() -> Dict[str, type]:
    made = {}
    for name, fields in _TABLES["responses"].items():
        namespace = {"__slots__": (), "__module__": "sms_otp", "__qualname__": name, "_fields": dict(fields)}
        made[name] = type(name, (Response,), namespace)
    return made


_CLASSES = _make_classes()
globals().update(_CLASSES)
__all__ = ["Response", *_CLASSES]
