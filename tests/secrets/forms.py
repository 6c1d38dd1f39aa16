#!/usr/bin/env python3
"""The marker credentials of the secret-hygiene sweep, and every form of the secret that must
never show in anything the sweeps print. Writes marker.json beside this file, which the Rust,
Python and Node sweeps read, so the list of forbidden strings exists once.

`python3 tests/secrets/forms.py` rewrites marker.json; `--check` fails when it is stale.

The secret mixes characters that every encoding changes (`/ + % " \\ & = é`) around an ASCII
token (TOKEN) that survives all of them except base64: a leak that is escaped, quoted by a
repr, percent-encoded or cut in half still shows the token. Base64 is covered at every byte
alignment, so the secret is found inside any base64 blob, not only the Basic header."""

from __future__ import annotations

import base64
import json
import re
import sys
import urllib.parse
from pathlib import Path
from typing import List

PROJECT_ID = "project-test-5ec7e7aa-0000-4000-8000-00000000beef"
TOKEN = "Qz7MARKERx"
SECRET = 'secret-test-' + TOKEN + '/+%"\\&=\u00e9-k2'
HERE = Path(__file__).resolve().parent


def base64_fragments(text: str) -> List[str]:
    """The base64 characters that encode only `text`'s bytes, for each of the 3 alignments
    `text` can have inside a longer encoded string, in both alphabets."""
    raw = text.encode()
    out: List[str] = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        first = -(-8 * shift // 6)  # the first character whose 6 bits are all from `raw`
        last = (8 * (shift + len(raw)) - 6) // 6
        piece = encoded[first : last + 1]
        out += [piece, piece.replace("+", "-").replace("/", "_")]
    return out


def forms() -> List[str]:
    basic = base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()).decode()
    found = [
        SECRET,
        TOKEN,
        TOKEN.lower(),
        f"{PROJECT_ID}:{SECRET}",
        json.dumps(SECRET)[1:-1],  # JSON-escaped, ASCII only (\u00e9)
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        json.dumps(SECRET)[1:-1].replace("/", "\\/"),  # JSON with escaped slashes
        repr(SECRET)[1:-1],  # a Python repr
        urllib.parse.quote(SECRET, safe=""),
        re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), urllib.parse.quote(SECRET, safe="")),
        urllib.parse.quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.b64encode(SECRET.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("="),
        basic,
        basic.rstrip("="),
        f"Basic {basic}",
        *base64_fragments(TOKEN),
    ]
    return sorted(set(found), key=found.index)


def echoes() -> List[str]:
    """What a hostile server echoes back in the sweeps: every whole encoding of the secret
    (and of the Authorization header) a server framework could produce. The library must
    redact each; the scan then looks for these and for the partial forms of `forms()`."""
    # Partial forms, and a Python repr (a scan form for Python output, not a wire encoding).
    skip = {TOKEN, TOKEN.lower(), repr(SECRET)[1:-1], *base64_fragments(TOKEN)}
    return [f for f in forms() if f not in skip]


def document() -> str:
    return (
        json.dumps(
            {"project_id": PROJECT_ID, "secret": SECRET, "token": TOKEN, "forbidden": forms(), "echoes": echoes()},
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    target = HERE / "marker.json"
    if "--check" in sys.argv:
        if target.read_text(encoding="utf-8") != document():
            sys.exit("tests/secrets/marker.json is stale: run python3 tests/secrets/forms.py")
    else:
        target.write_text(document(), encoding="utf-8")
