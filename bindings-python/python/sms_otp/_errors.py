"""The exception hierarchy of sms_otp, made at import from the Rust core's error table
(``_native.tables()["errors"]``: one row per class with its code, parent, default
``maybe_delivered``, attributes and summary), so Python restates none of it. The native core
raises instances with every attribute set; they pickle and unpickle with their attributes.

``_errors.pyi`` declares the same classes for type checkers; ``tests/test_drift.py`` keeps
the two equal and prints the declarations to write when they differ."""

from __future__ import annotations

# The typing names below appear in annotations only, which are never evaluated here: `typing`
# is not imported at run time (it would cost `import sms_otp` several milliseconds).
from sms_otp import _native

_TABLES: Dict[str, Any] = _native.tables()
#: The optional attributes every error carries (``None`` when its kind does not set them).
_OPTIONAL: Tuple[str, ...] = tuple(_TABLES["error_attributes"])
#: Every attribute ``__reduce__`` saves.
_ATTRIBUTES: Tuple[str, ...] = ("code", "maybe_delivered", *_OPTIONAL, "attempts")

#: Python's own exceptions some classes also derive from, so that ``except ValueError``
#: catches bad arguments and options and ``except TimeoutError`` both timeout phases. A
#: Python idiom, not a rule of the library: it lives here, not in the core.
_EXTRA_BASES: Dict[str, Tuple[type, ...]] = {
    "ValidationError": (ValueError,),
    "ConfigurationError": (ValueError,),
    "RequestTimeoutError": (TimeoutError,),
}


def _rebuild(cls: Type[Any], message: str, attributes: Dict[str, Any]) -> Any:
    return cls(message, **attributes)


def _init(
    self: Any,
    message: str,
    *,
    code: Optional[str] = None,
    maybe_delivered: Optional[bool] = None,
    attempts: int = 0,
    **attributes: Any,
) -> None:
    unknown = [name for name in attributes if name not in _OPTIONAL]
    if unknown:
        raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {unknown[0]!r}")
    super(_ROOT, self).__init__(message)
    self.message = message
    if code is not None:
        self.code = code
    self.maybe_delivered = type(self)._default_maybe_delivered if maybe_delivered is None else maybe_delivered
    for name in _OPTIONAL:
        setattr(self, name, attributes.get(name))
    self.attempts = attempts


def _str(self: Any) -> str:
    return str(self.message)


def _repr(self: Any) -> str:
    return f"{type(self).__name__}({self.message!r}, code={self.code!r}, maybe_delivered={self.maybe_delivered!r})"


def _reduce(self: Any) -> Tuple[Any, ...]:
    attributes = {name: getattr(self, name) for name in _ATTRIBUTES}
    return (_rebuild, (type(self), self.message, attributes), self.__dict__)


def _make_classes() -> Dict[str, type]:
    classes: Dict[str, type] = {}
    for code, name, parent, default_maybe_delivered, carries, summary in _TABLES["errors"]:
        namespace: Dict[str, Any] = {
            "__module__": __name__,
            "__qualname__": name,
            "__doc__": summary,
            "code": code,
            "_default_maybe_delivered": default_maybe_delivered,
            "_carries": tuple(carries),
        }
        if parent is None:
            bases: Tuple[type, ...] = (Exception,)
            namespace.update(__init__=_init, __str__=_str, __repr__=_repr, __reduce__=_reduce)
        else:
            bases = (classes[parent],)
        classes[name] = type(name, bases + _EXTRA_BASES.get(name, ()), namespace)
    return classes


_CLASSES = _make_classes()
_ROOT: type = next(cls for cls in _CLASSES.values() if cls.__bases__ == (Exception,))
globals().update(_CLASSES)

__all__: List[str] = list(_CLASSES)
