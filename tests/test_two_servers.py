"""Past one machine (docs/scaling.md): two app servers (gunicorn, DEBUG off, on two loopback
ports, each with its own data directory) and a PDF worker of their own, sharing one PostgreSQL
database, and either one folder of stored files or an S3-compatible object store (moto's
server) with the figures cache in Redis (Debian's redis-server). A person signed in through one
server is signed in on the other, a figure saved through one is read through the other, and a
PDF asked for on one and rendered by the worker downloads from the other, byte for byte."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.run import CellSaver
from bench.serve import Client, Installation, RedisServer, Server, free_port

URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not URL.startswith(("postgres://", "postgresql://")),
    reason="several servers share PostgreSQL; the suite runs on SQLite (CI also runs it on PostgreSQL)",
)


def _database(name: str) -> str:
    return urlunsplit(urlsplit(URL)._replace(path=f"/{name}"))


@contextlib.contextmanager
def _s3(bucket: str):
    """An S3-compatible server on loopback (moto in server mode) holding an empty bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    keys = {
        "AWS_ACCESS_KEY_ID": "finsam-test",
        "AWS_SECRET_ACCESS_KEY": "finsam-test",
        "AWS_DEFAULT_REGION": "eu-north-1",
    }
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=keys["AWS_DEFAULT_REGION"],
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": keys["AWS_DEFAULT_REGION"]}
    )
    try:
        env = {
            **keys,
            "FINSAM_S3_BUCKET": bucket,
            "FINSAM_S3_ENDPOINT_URL": endpoint,
            "FINSAM_S3_REGION": keys["AWS_DEFAULT_REGION"],
        }
        yield env, client
    finally:
        server.stop()


@contextlib.contextmanager
def _two_servers(tmp_path, shared: dict):
    """Server A, server B and the PDF worker on one new PostgreSQL database with the demo."""
    name = f"two_servers_{uuid.uuid4().hex[:8]}"
    admin = _database("postgres")
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
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
            yield on_a, on_b, worker
    finally:
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False
        )


def _plan_url(client: Client) -> str:
    start = client.get("/")
    assert start.status == 200
    assert "Logga ut" in start.body.decode()  # signed in through the other server
    return re.findall(r'href="(/f/sodra-vatterbygden/planer/\d+/)"', start.body.decode())[0]


def _pdf_across(on_a: Client, on_b: Client, worker: Installation, plan_url: str) -> bytes:
    """A PDF asked for on B, rendered by the worker, downloaded from A and from B: the bytes,
    the same from both and as their recorded checksum says."""
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
    assert hashlib.sha256(download.body).hexdigest() == download.headers["X-Checksum-SHA256"]
    assert on_b.get(file_url).body == download.body
    return download.body


def _shown(client: Client, editor: str, cell: str) -> str:
    page = client.get(editor).body.decode()
    value = re.search(rf'name="{cell}"[^>]*value="([^"]*)"', page).group(1)
    return re.sub(r"\s", "", value.replace("&nbsp;", ""))


def test_two_servers_share_sessions_and_stored_pdfs(tmp_path):
    shared = {"FINSAM_MEDIA_ROOT": str(tmp_path / "delade-filer")}  # e.g. over NFS
    with _two_servers(tmp_path, shared) as (on_a, on_b, worker):
        _pdf_across(on_a, on_b, worker, _plan_url(on_b))


def test_two_servers_share_the_figures_in_redis_and_the_files_in_s3(tmp_path):
    bucket = "finsam-" + uuid.uuid4().hex[:8]
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    import redis

    with RedisServer() as cache_server, _s3(bucket) as (s3_env, s3):
        redis_client = redis.Redis(host="127.0.0.1", port=cache_server.port)
        shared = {"CACHE_BACKEND": cache_server.url, **s3_env}
        with _two_servers(tmp_path, shared) as (on_a, on_b, worker):
            plan_url = _plan_url(on_b)
            editor = plan_url + "budget/"
            # A figure saved through A is what B shows next, and the other way round: the
            # figures kept in Redis are keyed by the förbund's count of changes, never stale.
            on_a_saver, on_b_saver = CellSaver(on_a, editor), CellSaver(on_b, editor)
            on_b_saver.count = 100  # its figures differ from A's
            assert on_a_saver.name == on_b_saver.name
            for saver, reader in ((on_a_saver, on_b), (on_b_saver, on_a), (on_a_saver, on_b)):
                saver.stored = _shown(saver.client, editor, saver.name)
                saver.save()
                assert _shown(reader, editor, saver.name) == saver.stored
            # The figures and the pages' kept parts are in Redis, not in a server's files.
            kept = [key.decode() for key in redis_client.keys("*")]
            assert any("plan-figures:" in key for key in kept), kept
            for server in ("server-a", "server-b"):
                assert not list((tmp_path / server / "cache").glob("**/*.djcache"))
            pdf = _pdf_across(on_a, on_b, worker, plan_url)
            # The PDF lies in the bucket, as the servers sent it (beside the adopted demo
            # plan's archived one, which the worker rendered in the same batch).
            objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            stored = {
                o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in objects
            }
            drafts = [body for key, body in stored.items() if "sodra-vatterbygden" in key]
            assert drafts == [pdf]
            assert all(body.startswith(b"%PDF") for body in stored.values())
