"""Every Python code block of the repository README and of the package README (the PyPI page)
runs, against the emulator."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from sms_otp.testing import Emulator

READMES = [
    Path(__file__).resolve().parents[2] / "README.md",
    Path(__file__).resolve().parents[1] / "README.md",
]


def python_blocks() -> List[Tuple[Path, str]]:
    found = []
    for readme in READMES:
        blocks = re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)
        assert blocks, f"{readme} has no Python code block"
        found += [(readme, block) for block in blocks]
    return found


@pytest.mark.parametrize("readme,block", python_blocks())
def test_readme_block_runs(readme: Path, block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator() as emu:
        monkeypatch.setenv("STYTCH_PROJECT_ID", emu.project_id)
        monkeypatch.setenv("STYTCH_SECRET", emu.secret)
        monkeypatch.setenv("STYTCH_BASE_URL", emu.url)
        namespace: Dict[str, Any] = {}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(readme), "exec"), namespace)
            for name, value in list(namespace.items()):
                if name.startswith("test_") and callable(value):
                    value(emu)
        assert "not sent" not in out.getvalue() and "unknown outcome" not in out.getvalue(), out.getvalue()
        assert emu.messages(), "the block sent nothing"
