"""On the embedded SQLite, colleagues saving at once never get "database is locked": each
transaction takes the write lock when it begins (transaction_mode IMMEDIATE, WAL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "sqlite_writers.py"


def test_ten_clients_saving_at_once_on_sqlite_all_succeed():
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["saves"] == 200
