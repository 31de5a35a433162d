"""`manage.py check --deploy` is clean under production settings (DEBUG off, a real secret key,
named hosts), and reports what a deployment that switches the protections off would lose."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests' conftest allows sync ORM calls in their event loop; production never.
        if key
        not in {
            "DEBUG",
            "FINSAM_TESTING",
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="plan.example.se",
        FINSAM_DATA_DIR=str(tmp_path),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_deployment_without_https(tmp_path):
    result = check_deploy(
        tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="0"
    )
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stdout + result.stderr
