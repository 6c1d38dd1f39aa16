"""Searching captured output for every form of the marker secret (marker.json). Used by
tests/secrets/run and bindings-python/tests/test_secret_sweep.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
MARKER: Dict[str, object] = json.loads((HERE / "marker.json").read_text(encoding="utf-8"))


def leaks(text: str) -> List[str]:
    """One line per forbidden form found in `text`: the form and the line around it."""
    found = []
    forbidden = MARKER["forbidden"]
    assert isinstance(forbidden, list)
    for form in forbidden:
        at = text.find(form)
        if at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            line = text[start : end if end >= 0 else len(text)]
            found.append(f"{form!r} in: {line[:300]}")
    return found


def case_codes(stdout: str) -> Dict[str, int]:
    """How many `case … -> <code> …` lines ended in each code."""
    counts: Dict[str, int] = {}
    for line in stdout.splitlines():
        if line.startswith("case ") and " -> " in line:
            code = line.split(" -> ", 1)[1].split(" ", 1)[0]
            counts[code] = counts.get(code, 0) + 1
    return counts
