"""A SQLite file named by DATABASE_URL behaves as the default one: a write beside another
writer (the PDF worker beside the server) waits for the lock instead of answering 500."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# In a process of its own (the settings are read once): a save that reads first, while another
# connection writes and commits in between (a deferred transaction could then not take the
# write lock: "database is locked" at once, whatever the timeout).
CODE = """
import sqlite3, threading, django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", "contenttypes", verbosity=0)
path = connection.settings_dict["NAME"]
go, done = threading.Event(), threading.Event()
def other_writer():
    go.wait()
    other = sqlite3.connect(path, timeout=10)
    other.execute("INSERT INTO django_content_type (app_label, model) VALUES ('prov', 'annan')")
    other.commit()
    done.set()
threading.Thread(target=other_writer).start()
from django.contrib.contenttypes.models import ContentType
with transaction.atomic():
    ContentType.objects.count()
    go.set()
    done.wait(1)  # with the write lock taken at BEGIN, the other waits for this commit
    ContentType.objects.create(app_label="prov", model="las")
done.wait(10)
print("sparade", ContentType.objects.filter(app_label="prov").count())
"""


def test_a_sqlite_database_url_waits_for_another_writer_instead_of_failing(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FINSAM_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings",
        FINSAM_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'annan.sqlite3'}",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="plan.example.se",
    )
    out = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "database is locked" not in out.stderr
    assert out.stdout.strip().splitlines()[-1:] == ["sparade 2"], out.stderr[-2000:]
