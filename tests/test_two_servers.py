"""Past one machine (docs/scaling.md): two app servers (gunicorn, DEBUG off, on two loopback
ports, each with its own data directory) and a PDF worker of their own, sharing one PostgreSQL
database and one folder of stored files. A person signed in through one server is signed in on
the other, and a PDF asked for on one and rendered by the worker downloads from the other."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.serve import Client, Installation, Server

URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not URL.startswith(("postgres://", "postgresql://")),
    reason="several servers share PostgreSQL; the suite runs on SQLite (CI also runs it on PostgreSQL)",
)


def _database(name: str) -> str:
    return urlunsplit(urlsplit(URL)._replace(path=f"/{name}"))


def test_two_servers_share_sessions_and_stored_pdfs(tmp_path):
    name = f"two_servers_{uuid.uuid4().hex[:8]}"
    admin = _database("postgres")
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    media = tmp_path / "delade-filer"  # the shared (or object) storage of docs/scaling.md
    shared = {"FINSAM_MEDIA_ROOT": str(media)}
    a, b, worker = (
        Installation("postgres", 1, tmp_path / host, _database(name), shared)
        for host in ("server-a", "server-b", "pdf-worker")
    )
    try:
        for host in (a, b, worker):
            host.data_dir.mkdir()
        a.manage("migrate", "--noinput", "-v0")
        a.manage("load_demo")
        for host in (a, b):
            host.manage("collectstatic", "--noinput", "-v0")
        with Server(a, workers=1) as server_a, Server(b, workers=1) as server_b:
            on_a = Client(server_a.port)
            on_a.login("kansli-sodra-vatterbygden", "finsam-demo")
            on_b = Client(server_b.port)
            on_b.cookies = dict(on_a.cookies)  # the same browser, now sent to the other server
            start = on_b.get("/")
            assert start.status == 200
            assert "Logga ut" in start.body.decode()
            plans = re.findall(r'href="(/f/sodra-vatterbygden/planer/\d+/)"', start.body.decode())
            plan_url = plans[0]
            asked = on_b.post(plan_url + "pdf/", {})
            assert asked.status == 302, asked.status
            status_url = asked.headers["Location"]
            # The worker, on a machine of its own, renders what the queue holds.
            worker.manage("db_worker", "--batch", "--no-startup-delay", timeout=600)
            ready = on_a.get(status_url).body.decode()
            file_url = re.search(r'href="([^"]+/fil/)"', ready).group(1)
            download = on_a.get(file_url)
            assert download.status == 200
            assert download.body.startswith(b"%PDF")
            recorded = download.headers["X-Checksum-SHA256"]
            assert hashlib.sha256(download.body).hexdigest() == recorded
            assert on_b.get(file_url).body == download.body
    finally:
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False
        )
