from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

PROJECT_ID = "project-test-11111111-2222-3333-4444-555555555555"
SECRET = "secret-test-MARKER-9f8e7d6c5b4a"
