"""Drift tests: the Python surface states no rule of its own. The error classes are made
from the Rust core's error table and their static declarations (`_errors.pyi`) equal it; the
locale tags equal the core's list, and no option restates a default. On a mismatch the
failure prints the corrected Python text."""

from __future__ import annotations

import ast
import inspect
import re
import typing
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import sms_otp
from sms_otp import _errors, _native


ERRORS_STUB = Path(_errors.__file__).with_suffix(".pyi")


def _expected_stub_classes() -> Dict[str, Tuple[List[str], Optional[List[str]]]]:
    """From the core's table: each class's bases and the codes its `code` may hold (None for
    the root, whose `code` is any `str`)."""
    rows = _native.tables()["errors"]
    parents = {name: parent for _, name, parent, _, _, _ in rows}

    def lineage(name: Optional[str]) -> List[str]:
        chain = []
        while name is not None:
            chain.append(name)
            name = parents[name]
        return chain

    # A class's instances include its subclasses', so its `code` may hold their codes too.
    codes = {name: [code for code, other, _, _, _, _ in rows if name in lineage(other)] for name in parents}
    expected: Dict[str, Tuple[List[str], Optional[List[str]]]] = {}
    for code, name, parent, _, _, _ in rows:
        if parent is None:
            expected[name] = (["Exception"], None)
        else:
            extra = [base.__name__ for base in _errors._EXTRA_BASES.get(name, ())]
            expected[name] = ([parent, *extra], codes[name])
    return expected


def _render(name: str, bases: List[str], codes: Optional[List[str]]) -> str:
    literal = ", ".join(f'"{c}"' for c in codes or [])
    return f"class {name}({', '.join(bases)}):\n    code: Literal[{literal}]"


def _declared_stub_classes() -> Dict[str, Tuple[List[str], Optional[List[str]]]]:
    tree = ast.parse(ERRORS_STUB.read_text())
    declared: Dict[str, Tuple[List[str], Optional[List[str]]]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        codes: Optional[List[str]] = None
        for item in node.body:
            if (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and item.target.id == "code"
                and isinstance(item.annotation, ast.Subscript)
            ):
                elements = item.annotation.slice
                values = elements.elts if isinstance(elements, ast.Tuple) else [elements]
                codes = [v.value for v in values if isinstance(v, ast.Constant)]
        declared[node.name] = ([ast.unparse(b) for b in node.bases], codes)
    return declared


def test_the_error_classes_are_made_from_the_core_table() -> None:
    rows = _native.tables()["errors"]
    assert [name for _, name, _, _, _, _ in rows] == _errors.__all__
    for code, name, parent, default_maybe_delivered, carries, summary in rows:
        cls = getattr(sms_otp, name)
        assert cls is getattr(_errors, name)
        assert cls.code == code and cls.__doc__ == summary
        assert cls.__bases__[0].__name__ == (parent or "Exception"), name
        assert cls(message="m").maybe_delivered is default_maybe_delivered, name
        assert cls.__module__ == "sms_otp._errors" and cls.__qualname__ == name
    assert sms_otp.SmsOtpError.code == "internal_error"
    assert _errors._ATTRIBUTES == ("code", "maybe_delivered", *_native.tables()["error_attributes"], "attempts")


def test_the_error_stub_declares_the_core_table() -> None:
    """`_errors.pyi` is what type checkers see; it must say what the table says."""
    expected = _expected_stub_classes()
    declared = _declared_stub_classes()
    problems = [
        f"{name}: the stub says {declared.get(name)}, the core's table says {want}"
        for name, want in expected.items()
        if declared.get(name) != want
    ]
    problems += [f"{name} is in the stub but not in the core's table" for name in declared if name not in expected]
    fix = "\n\n".join(_render(name, bases, codes) for name, (bases, codes) in expected.items() if codes is not None)
    assert not problems, "\n".join(problems) + f"\n\nWrite in {ERRORS_STUB.name}, after SmsOtpError:\n\n{fix}"
    stub_all = ast.literal_eval(
        next(
            node.value
            for node in ast.parse(ERRORS_STUB.read_text()).body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
        )
    )
    assert stub_all == _errors.__all__, f"set __all__ in {ERRORS_STUB.name} to {_errors.__all__}"
    assert set(_errors.__all__) <= set(sms_otp.__all__), "sms_otp must re-export every error class"


def test_the_root_class_declares_every_attribute_of_the_core() -> None:
    tree = ast.parse(ERRORS_STUB.read_text())
    root = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "SmsOtpError")
    annotated = [i.target.id for i in root.body if isinstance(i, ast.AnnAssign) and isinstance(i.target, ast.Name)]
    missing = [a for a in _errors._ATTRIBUTES if a not in annotated]
    assert not missing, f"declare {missing} on SmsOtpError in {ERRORS_STUB.name}"
    init = next(i for i in root.body if isinstance(i, ast.FunctionDef) and i.name == "__init__")
    keywords = [a.arg for a in init.args.kwonlyargs]
    assert sorted(keywords) == sorted(_errors._ATTRIBUTES), f"SmsOtpError.__init__ must take {_errors._ATTRIBUTES}"


def test_locale_literal_equals_the_core_tags() -> None:
    core = tuple(_native.tables()["locales"])
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
    d = _native.tables()["defaults"]
    timeout, connect_timeout, max_retries, max_max_retries, retry_rate_limited = (
        d["timeout"], d["connect_timeout"], d["max_retries"], d["max_max_retries"], d["retry_rate_limited"]
    )
    doc = " ".join((sms_otp.Client.__doc__ or "").split())
    expected = (
        f"timeout={timeout!r} (seconds per attempt, from sending to a fully read response), "
        f"connect_timeout={connect_timeout!r} (TCP + TLS), max_retries={max_retries} (at most "
        f"{max_max_retries}; only failures that provably never reached the server), "
        f"retry_rate_limited={retry_rate_limited}."
    )
    assert expected in doc, f"the Client docstring drifted from the core; it should say:\n{expected}"


def test_the_testing_api_is_the_native_one_and_the_same_as_node() -> None:
    """`client` makes each language's own client; every other method is the native
    emulator's `call`, so Python and Node expose the same set (Node in camelCase)."""
    from sms_otp.testing import Emulator

    expected = sorted([*_native.NativeEmulator.METHODS, "client"])
    methods = sorted(name for name, value in vars(Emulator).items() if callable(value) and not name.startswith("_"))
    assert methods == expected, "sms_otp.testing.Emulator methods"
    for name in methods:
        restated = {
            p.name: p.default
            for p in inspect.signature(getattr(Emulator, name)).parameters.values()
            if p.default is not inspect.Parameter.empty and p.default is not None
        }
        assert not restated, f"Emulator.{name} restates defaults {restated}: write `= None` (the Rust side decides)"
    node = Path(__file__).resolve().parents[2] / "bindings-node" / "testing.d.ts"
    body = re.search(r"export declare class Emulator \{(.*?)\n\}", node.read_text(), re.S)
    assert body is not None
    declared = [m for m in re.findall(r"^  ([a-zA-Z]\w*)\(", body.group(1), re.M) if m != "toJSON"]
    snake = sorted(re.sub(r"[A-Z]", lambda c: "_" + c.group(0).lower(), m) for m in declared)
    assert snake == expected, "Node's testing.d.ts Emulator methods, in snake_case"


PACKAGE_STUB = Path(sms_otp.__file__).with_suffix(".pyi")


def _stub_signatures() -> Dict[str, List[str]]:
    """The parameter names `__init__.pyi` declares for each call, and the keys of `Attributes`."""
    stubs = [PACKAGE_STUB, PACKAGE_STUB.with_name("_responses.pyi")]
    classes = {n.name: n for stub in stubs for n in ast.parse(stub.read_text()).body if isinstance(n, ast.ClassDef)}

    def parameters(cls: str, method: str) -> List[str]:
        node = next(
            item
            for item in classes[cls].body
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == method
        )
        assert all(isinstance(d, ast.Constant) and d.value is Ellipsis for d in node.args.defaults + node.args.kw_defaults if d), (
            f"{cls}.{method} in {PACKAGE_STUB.name} restates a default; write `= ...` (the core resolves defaults)"
        )
        return [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs][1:]

    def keys(cls: str) -> List[str]:
        return [i.target.id for i in classes[cls].body if isinstance(i, ast.AnnAssign) and isinstance(i.target, ast.Name)]

    return {
        "Client": parameters("Client", "__init__"),
        "Client.from_env": parameters("Client", "from_env"),
        "send": parameters("Sms", "send"),
        "send_async": parameters("Sms", "send_async"),
        "login_or_create": parameters("Sms", "login_or_create"),
        "login_or_create_async": parameters("Sms", "login_or_create_async"),
        "authenticate": parameters("Otps", "authenticate"),
        "authenticate_async": parameters("Otps", "authenticate_async"),
        "attributes": keys("Attributes"),
        "authenticate_options": keys("AuthenticateOptions"),
        **{name: keys(name) for name in _native.tables()["responses"]},
    }


def test_the_stub_declares_the_core_field_tables() -> None:
    """Arguments go to the Rust core whole and are read by its field tables
    (core/src/host/mod.rs); `__init__.pyi` must declare exactly those names, in that order."""
    core = _native.tables()["fields"]
    expected = {
        "Client": core["Client"],
        "Client.from_env": [f for f in core["Client"] if f not in ("project_id", "secret")],
        "send": core["send"],
        "send_async": core["send"],
        "login_or_create": core["login_or_create"],
        "login_or_create_async": core["login_or_create"],
        "authenticate": core["authenticate"],
        "authenticate_async": core["authenticate"],
        "attributes": core["attributes"],
        "authenticate_options": core["authenticate_options"],
        # The response classes: the fields of the core's response table, in its order.
        **{name: [f for f, _ in fields] for name, fields in _native.tables()["responses"].items()},
    }
    declared = _stub_signatures()
    problems = [
        f"{call}: {PACKAGE_STUB.name} declares {declared[call]}, the core reads {names}"
        for call, names in expected.items()
        if declared[call] != names
    ]
    assert not problems, "\n".join(problems)


def test_the_stub_locale_literal_equals_the_core_tags() -> None:
    tree = ast.parse(PACKAGE_STUB.read_text())
    node = next(n for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "Locale")
    assert isinstance(node.value, ast.Subscript)
    declared = [e.value for e in ast.walk(node.value.slice) if isinstance(e, ast.Constant)]
    core = _native.tables()["locales"]
    assert declared == core, f"{PACKAGE_STUB.name}: write Locale: TypeAlias = Literal[{', '.join(repr(t) for t in core)}]"
