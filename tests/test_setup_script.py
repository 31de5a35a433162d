"""bin/_setup.sh on a fresh machine where another apt holds the dpkg lock (unattended-upgrades
after boot): apt-get is told to wait for the lock rather than fail the setup at once. Run
against stand-ins for dpkg, apt-get and sudo that record what they were asked; the stand-in
Python is not 3.11, so the script stops before it touches the virtualenv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def test_setup_waits_for_a_held_apt_lock_in_update_and_install(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "apt-calls"
    stand_in(fake, "dpkg", "exit 1")  # every system package is missing
    stand_in(fake, "apt-get", f'echo "$*" >> {calls}')
    stand_in(fake, "sudo", 'exec "$@"')
    stand_in(fake, "python-not-3.11", "exit 1")

    result = subprocess.run(
        ["bash", "-c", "source bin/_setup.sh"],
        cwd=ROOT,
        env={
            **os.environ,
            "PATH": f"{fake}:/usr/bin:/bin",
            "PYTHON": str(fake / "python-not-3.11"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert "Installerar systempaket" in result.stdout
    update, install = calls.read_text().splitlines()
    assert "update" in update and "install" in install
    for call in (update, install):
        assert "-o DPkg::Lock::Timeout=300" in call, call
