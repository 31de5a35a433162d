"""Restore drills, performed as an operator would, with the commands README.md documents, on
installations of their own (a data directory each, run as separate processes):

1. One förbund at a time: export_forbund from one installation, import_forbund into a new one.
2. The whole installation: the database (SQLite's backup, or pg_dump and pg_restore when the
   suite runs on PostgreSQL) and the media folder, restored as a new installation.

Each restored installation must give the same plan_summary for every plan, and the same bytes
for every stored PDF."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ["goteborg", "sodra-vatterbygden", "sundsvall"]
# The backup key the operator sets in both installations, as docs/backup.md says: not the
# development key DEBUG would give them, so the drill signs and verifies as production does.
BACKUP_KEY = "ovningens-nyckel-for-sakerhetskopior-0123456789abcdef"

# What an operator reads off an installation: every plan's summary, every stored PDF's checksum.
SURVEY = """
import hashlib, json
from budgets.selectors import plan_figures
from budgets.summary import summary
from plans.models import Plan, PlanPdf
plans = {
    f"{p.forbund.slug} {p.budget_year} v{p.version}": summary(plan_figures(p))
    for p in Plan.objects.select_related("forbund").order_by("forbund__slug", "budget_year")
}
pdfs = {}
for pdf in PlanPdf.objects.exclude(file="").select_related("plan__forbund"):
    with pdf.file.open("rb") as f:
        body = f.read()
    assert hashlib.sha256(body).hexdigest() == pdf.sha256, pdf.file.name
    pdfs[f"{pdf.plan.forbund.slug} {pdf.kind} {pdf.pk}"] = pdf.sha256
print(json.dumps({"plans": plans, "pdfs": pdfs}))
"""

# Draft PDFs of the two demo plans not adopted, so that every förbund has a stored PDF.
DRAFTS = """
from plans import services
from plans.models import Plan
for plan in Plan.objects.exclude(status="antagen"):
    services.pdf_request(plan=plan, acting_user=None)
"""


def manage(data_dir: Path, *args: str, database_url: str = "") -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"FINSAM_TESTING", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        DEBUG="1",
        FINSAM_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="finsam.settings",
        FINSAM_BACKUP_KEY=BACKUP_KEY,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def survey(data_dir: Path, database_url: str = "") -> dict:
    out = manage(data_dir, "shell", "-c", SURVEY, database_url=database_url)
    return json.loads(out.strip().splitlines()[-1])  # the shell may first say what it imported


def demo_installation(data_dir: Path, database_url: str = "") -> dict:
    manage(data_dir, "migrate", "--noinput", "-v0", database_url=database_url)
    manage(data_dir, "load_demo", database_url=database_url)
    manage(data_dir, "shell", "-c", DRAFTS, database_url=database_url)
    manage(data_dir, "db_worker", "--batch", "--no-startup-delay", database_url=database_url)
    found = survey(data_dir, database_url)
    assert len(found["plans"]) == 3 and len(found["pdfs"]) == 3, found["pdfs"]
    return found


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("kalla")
    return data_dir, demo_installation(data_dir)


def test_each_forbund_restores_into_a_new_installation(source, tmp_path):
    data_dir, before = source
    target = tmp_path / "ny"
    manage(target, "migrate", "--noinput", "-v0")
    archives = []
    for slug in DEMO:
        archive = tmp_path / f"{slug}.finsam.zip"
        manage(data_dir, "export_forbund", slug, "--out", str(archive))
        archives.append(archive)
    # In another order than they were made: ids must not depend on the order.
    for archive in reversed(archives):
        out = manage(target, "import_forbund", str(archive))
        assert "underskriften (nyckel-id" in out and "kontrollsummorna stämmer" in out
        assert "samma id som i originalet" in out
    after = survey(target)
    assert after["plans"] == before["plans"]
    assert after["pdfs"] == before["pdfs"]
    # A second import of the same förbund is refused and changes nothing.
    env_before = survey(target)
    with pytest.raises(AssertionError, match="finns redan"):
        manage(target, "import_forbund", str(archives[0]))
    assert survey(target) == env_before


def test_the_whole_sqlite_installation_restores_from_its_backup(source, tmp_path):
    data_dir, before = source
    restored = tmp_path / "aterstalld"
    restored.mkdir()
    # README, "Säkerhetskopiering": the database with SQLite's online backup, and the media folder.
    with (
        sqlite3.connect(data_dir / "finsam.sqlite3") as live,
        sqlite3.connect(restored / "finsam.sqlite3") as copy,
    ):
        live.backup(copy)
    shutil.copytree(data_dir / "media", restored / "media")
    assert survey(restored) == before


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.mark.skipif(
    not _postgres_url(), reason="the suite runs on SQLite (CI also runs it on PostgreSQL)"
)
def test_the_whole_postgresql_installation_restores_from_pg_dump(tmp_path):
    base = _postgres_url()
    suffix = uuid.uuid4().hex[:8]
    live_db, restored_db = f"drill_live_{suffix}", f"drill_restored_{suffix}"
    admin = _with_database(base, "postgres")

    def psql(sql: str) -> None:
        subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)

    psql(f"CREATE DATABASE {live_db}")
    psql(f"CREATE DATABASE {restored_db}")
    try:
        live_url, restored_url = _with_database(base, live_db), _with_database(base, restored_db)
        live_dir, restored_dir = tmp_path / "live", tmp_path / "restored"
        before = demo_installation(live_dir, live_url)
        # README, "Säkerhetskopiering": pg_dump in its custom format, and the media folder.
        dump = tmp_path / "finsam.dump"
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), live_url], check=True)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_url, str(dump)],
            check=True,
        )
        shutil.copytree(live_dir / "media", restored_dir / "media")
        assert survey(restored_dir, restored_url) == before
    finally:
        psql(f"DROP DATABASE IF EXISTS {live_db}")
        psql(f"DROP DATABASE IF EXISTS {restored_db}")
