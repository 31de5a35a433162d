"""The benchmark's side of a real server: an installation in a directory (and a PostgreSQL
database) of its own, gunicorn started on loopback with DEBUG off, and an HTTP client that logs
in through the login form and times each request. Used by bench/run.py."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# Bump when bench/generate.py changes what it builds: a cached installation is rebuilt.
GENERATOR_VERSION = 3


@dataclass
class Installation:
    """Where one benchmark installation lives: its data directory, and its database."""

    db: str  # "sqlite" or "postgres"
    scale: int
    data_dir: Path
    database_url: str = ""
    extra_env: dict | None = None  # e.g. a FINSAM_MEDIA_ROOT shared with another installation

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "FINSAM_TESTING", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="finsam.settings",
            SECRET_KEY="bench-" + "x" * 60,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            SECURE_HSTS_SECONDS="0",
            FINSAM_DATA_DIR=str(self.data_dir),
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            FINSAM_TASK_BACKEND="django_tasks_db.DatabaseBackend",
            RATE_LIMIT_PDF="1000000",
            RATE_LIMIT_EXCEL="1000000",
            AXES_FAILURE_LIMIT="1000000",
            LOG_LEVEL="WARNING",
            **extra,
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env or {})
        return env

    def _run(self, argv: list[str], timeout: int) -> str:
        result = subprocess.run(
            argv, cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(argv)[:300]}:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def manage(self, *args: str, timeout: int = 3600) -> str:
        return self._run([PYTHON, "manage.py", *args], timeout)

    def python(self, code: str, *args: str, timeout: int = 3600) -> str:
        """Run `code` with Django set up in this installation; returns what it printed."""
        prelude = f"import sys, django; sys.path.insert(0, {str(ROOT)!r}); django.setup()\n"
        return self._run([PYTHON, "-c", prelude + code, *args], timeout)

    @property
    def stamp(self) -> Path:
        return self.data_dir / "bench.json"

    def ensure(self, log=print) -> dict:
        """Build the installation unless a current one is there; returns what it holds."""
        if self.stamp.exists():
            info = json.loads(self.stamp.read_text())
            if info.get("version") == GENERATOR_VERSION:
                self.manage("migrate", "--noinput", "-v0")  # code newer than the installation
                return info
        if self.database_url:
            _recreate_postgres(self.database_url)
        if self.data_dir.exists():
            subprocess.run(["rm", "-rf", str(self.data_dir)], check=True)
        self.data_dir.mkdir(parents=True)
        log(f"Bygger installationen {self.db} {self.scale}× i {self.data_dir} …")
        start = time.perf_counter()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        out = self.python(
            "import json; from bench.generate import installation; "
            "print(json.dumps(installation(int(sys.argv[1]), log=lambda *a: None)))",
            str(self.scale),
        )
        info = json.loads(out.strip().splitlines()[-1])
        info.update(version=GENERATOR_VERSION, seconds=round(time.perf_counter() - start, 1))
        self.stamp.write_text(json.dumps(info))
        log(f"  klart på {info['seconds']} s")
        return info


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A Redis server of its own on a free loopback port, writing nothing to disk (Debian's
    redis-server): the shared cache of several app servers, for the bench and the tests."""

    def __init__(self):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.time() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("redis-server started no server within 20 seconds")
            time.sleep(0.1)

    def flush(self) -> None:
        """Empty it: one installation never reads what another kept (their keys may match)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall(b"FLUSHALL\r\n")
            if not conn.recv(16).startswith(b"+OK"):
                raise RuntimeError("redis-server did not empty itself")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Server:
    """gunicorn serving an installation on loopback."""

    def __init__(self, installation: Installation, workers: int = 3, port: int | None = None):
        self.installation = installation
        self.port = port or free_port()
        # Every run starts with an empty cache: what the run measures is not left by another.
        shutil.rmtree(installation.data_dir / "cache", ignore_errors=True)
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "finsam.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=installation.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if Client(self.port).get("/halsa/").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn started no server within a minute")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    headers: dict


class Client:
    """One keep-alive connection, with the session and CSRF cookies of a signed-in person."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers=None) -> Answer:
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        start = time.perf_counter()
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=sent)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                start = time.perf_counter()
        seconds = time.perf_counter() - start
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return Answer(response.status, content, seconds, dict(response.getheaders()))

    def get(self, path: str, headers=None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: dict, headers=None) -> Answer:
        headers = {"X-CSRFToken": self.cookies.get("csrftoken", ""), **(headers or {})}
        return self.request(
            "POST",
            path,
            body={"csrfmiddlewaretoken": headers["X-CSRFToken"], **body},
            headers=headers,
        )

    def login(self, username: str, password: str) -> None:
        page = self.get("/konto/logga-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
        answer = self.request(
            "POST",
            "/konto/logga-in/",
            body={
                "csrfmiddlewaretoken": token.decode(),
                "login": username,
                "password": password,
            },
        )
        if answer.status != 302:
            raise RuntimeError(f"could not log in as {username}: {answer.status}")


def median_ms(client: Client, path: str, repeat: int, warm: int = 2) -> tuple[float, int]:
    """Median milliseconds of `repeat` GETs after `warm` unmeasured ones; and the size."""
    for _ in range(warm):
        answer = client.get(path)
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status}")
    times = [client.get(path).seconds for _ in range(repeat)]
    return statistics.median(times) * 1000, len(answer.body)


def load(port: int, paths: list[str], username: str, password: str, users: int, seconds: float):
    """`users` signed-in people requesting `paths` in turn for `seconds`: throughput and
    latency percentiles, and the errors (non-200 answers and failed connections)."""
    clients = []
    for _ in range(users):
        client = Client(port)
        client.login(username, password)
        clients.append(client)
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def work(client: Client, offset: int) -> None:
        i = offset
        mine = []
        while time.perf_counter() < stop:
            try:
                answer = client.get(paths[i % len(paths)])
                if answer.status != 200:
                    with lock:
                        errors[0] += 1
                mine.append(answer.seconds)
            except OSError:
                with lock:
                    errors[0] += 1
            i += 1
        with lock:
            times.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    times.sort()

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))] * 1000 if times else 0.0

    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "requests": len(times),
        "per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "errors": errors[0],
    }
