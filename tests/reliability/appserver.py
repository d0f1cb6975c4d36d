"""A throwaway app server for the reliability tests: its own database (a temporary SQLite file,
or a fresh PostgreSQL database on the suite's cluster), migrated and seeded by `manage.py`,
served by gunicorn with 2 sync workers and production settings (DEBUG off).

Nothing here touches the suite's own test database: the server's database is made, reached
(sqlite3 / psycopg, as an operator would) and dropped by this module.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import dj_database_url

REPO = Path(__file__).resolve().parents[2]
SUITE_DATABASE_URL = os.environ.get("DATABASE_URL", "")
USERNAME = "reliability-pharmacist"
PASSWORD = secrets.token_urlsafe(16)


def suite_backend() -> str:
    """Return "sqlite" or "postgresql": the database the suite itself runs on (as settings.py
    chooses it), or the ENGINE's last part for anything else."""
    if not SUITE_DATABASE_URL:
        return "sqlite"
    engine = dj_database_url.parse(SUITE_DATABASE_URL)["ENGINE"]
    return "postgresql" if engine.endswith("postgresql") else engine.rsplit(".", 1)[-1]


# --- HTTP, as a browser and an integrating system speak it ---------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def __str__(self) -> str:
        return f"{self.status} {self.headers.get('content-type', '')}: {self.text[:300]!r}"


@dataclass
class Client:
    """One user agent: cookies kept by hand (the session cookie is Secure, and the server sits
    behind a TLS proxy as in production: every request says X-Forwarded-Proto: https)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"X-Forwarded-Proto": "https", "Connection": "close", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            data = answer.read()
            raw_headers = answer.getheaders()
        finally:
            connection.close()
        for name, value in raw_headers:
            if name.lower() == "set-cookie":
                jar = SimpleCookie()
                jar.load(value)
                for key, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        return Response(answer.status, {k.lower(): v for k, v in raw_headers}, data)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_json(self, path: str, data: Any, *, token: str) -> Response:
        return self.request(
            "POST",
            path,
            json.dumps(data).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )

    def post_form(self, path: str, data: dict[str, Any]) -> Response:
        """POST a form as the browser does: the CSRF token (the cookie's secret, which Django
        accepts unmasked), and the Origin that the HTTPS check compares with the host."""
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        return self.request(
            "POST",
            path,
            urlencode(fields, doseq=True).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            },
        )

    def login(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        assert page.status == 200, str(page)
        answer = self.post_form("/accounts/login/", {"username": username, "password": password})
        assert answer.status == 302 and "sessionid" in self.cookies, str(answer)


# --- The server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> set[int]:
    """Return the pids of a process's children (gunicorn's workers), read from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields_[1]) == pid:
                found.add(int(stat.parent.name))
    return found


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the test process dies (Linux), so a killed
    pytest never leaves gunicorn behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _drop_leftovers(admin: Any) -> None:
    """Drop the throwaway databases of test runs that were killed before cleaning up."""
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE 'infusion\\_reliability\\_%'"
    ).fetchall()
    for (name,) in rows:
        pid = name.rsplit("_", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # that run is still going
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        from psycopg import sql

        with contextlib.suppress(Exception):
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


SETUP_SCRIPT = """
import io
from django.contrib.auth.models import Group, User
from django.core.management import call_command
call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
user = User.objects.create_user({username!r}, password={password!r})
user.groups.add(Group.objects.get(name="Pharmacist"))
out = io.StringIO()
call_command("api_token", {username!r}, stdout=out, stderr=io.StringIO())
print("TOKEN=" + out.getvalue().strip())
"""


class AppServer:
    """gunicorn (2 sync workers) on a database of its own; see the module docstring."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.port = 0
        self.token = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "gunicorn.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reliability.server_settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("DJANGO_SQLITE_PATH", None)
        if backend == "sqlite":
            # The database sits alone in a folder: moving the folder away (with its -wal and
            # -shm files) makes it unreachable without losing or creating anything.
            self.db_dir = workdir / "db"
            self.db_dir.mkdir()
            self.sqlite_path = self.db_dir / "app.sqlite3"
            self.env["DJANGO_SQLITE_PATH"] = str(self.sqlite_path)
        elif backend == "postgresql":
            self.db_name = f"infusion_reliability_{os.getpid()}"
            parts = urlsplit(SUITE_DATABASE_URL)
            self.database_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
            self.env["DATABASE_URL"] = self.database_url
        else:
            raise ValueError(f"no throwaway database for {backend}")

    # -- lifecycle ---------------------------------------------------------------------------

    def setup(self) -> None:
        """Make the database, migrate and seed it, add a pharmacist and a token."""
        if self.backend == "postgresql":
            with self._admin() as admin:
                _drop_leftovers(admin)
                admin.execute(self._sql("DROP DATABASE IF EXISTS {} WITH (FORCE)"))
                admin.execute(self._sql("CREATE DATABASE {}"))
        self.manage("migrate", "--noinput", "--verbosity", "0")
        script = SETUP_SCRIPT.format(username=USERNAME, password=PASSWORD)
        out = self.manage("shell", "--no-imports", "-c", script)
        tokens = [line[6:] for line in out.splitlines() if line.startswith("TOKEN=")]
        assert len(tokens) == 1 and tokens[0], out
        self.token = tokens[0]

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode:
            raise AssertionError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, timeout: float = 30) -> None:
        self.port = _free_port()
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "infusion.wsgi",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
                "--error-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to end it and its workers at once
            preexec_fn=_die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited ({self.process.returncode}):\n{self.log()}")
            with contextlib.suppress(OSError):
                if self.client().get("/healthz").status == 200 and len(self.workers()) == 2:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer from /healthz in {timeout} s:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # SIGINT: gunicorn's quick shutdown (every request has been answered by now; a graceful
        # SIGTERM waits out an idle sync worker's select, up to --graceful-timeout).
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # its own session: gunicorn and workers
            process.wait(timeout=10)

    def close(self) -> None:
        """Stop gunicorn and drop the PostgreSQL database (the SQLite one goes with workdir)."""
        try:
            self.stop()
        finally:
            if self.backend == "postgresql":
                with self._admin() as admin:
                    admin.execute(self._sql("DROP DATABASE IF EXISTS {} WITH (FORCE)"))

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def workers(self) -> set[int]:
        """The pids of gunicorn's worker processes now."""
        assert self.process is not None
        return _children(self.process.pid)

    def client(self) -> Client:
        return Client(self.port)

    # -- the database, from outside ----------------------------------------------------------

    def _sql(self, template: str) -> Any:
        from psycopg import sql

        return sql.SQL(template).format(sql.Identifier(self.db_name))

    @contextlib.contextmanager
    def _admin(self) -> Iterator[Any]:
        """An autocommit connection as the suite's role, to the suite's own database."""
        import psycopg

        with psycopg.connect(SUITE_DATABASE_URL, autocommit=True, connect_timeout=10) as conn:
            yield conn

    def query(self, sql_text: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run a read query on the server's database (`?` placeholders on both backends)."""
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql_text, params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=10) as conn:
            return conn.execute(sql_text.replace("?", "%s"), params).fetchall()

    def orders(self, prefix: str) -> list[tuple[int, str, int, int]]:
        """(id, patient reference, drugs, claim lines) of each order whose reference starts so."""
        return [
            (int(pk), ref, int(drugs), int(lines))
            for pk, ref, drugs, lines in self.query(
                "SELECT o.id, o.patient_reference,"
                " (SELECT COUNT(*) FROM calculator_orderdrug d WHERE d.order_id = o.id),"
                " (SELECT COUNT(*) FROM calculator_claimline c WHERE c.order_id = o.id)"
                " FROM calculator_order o WHERE o.patient_reference LIKE ?",
                f"{prefix}%",
            )
        ]

    @contextlib.contextmanager
    def database_down(self) -> Iterator[None]:
        """Make the database unreachable for the app server, and bring it back on leaving.

        SQLite: its folder is moved away, so opening it fails ("unable to open database file"),
        at once rather than after the 20 s busy timeout a held lock would cost (and in WAL mode
        an exclusive transaction does not even stop readers). PostgreSQL: the database refuses
        new connections and the workers' open ones are ended; the cluster the suite itself uses
        keeps running."""
        if self.backend == "sqlite":
            away = self.db_dir.with_name("db-away")
            self.db_dir.rename(away)
            try:
                yield
            finally:
                away.rename(self.db_dir)
            return
        with self._admin() as admin:
            admin.execute(self._sql("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false"))
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.db_name,),
            )
        try:
            yield
        finally:
            with self._admin() as admin:
                admin.execute(self._sql("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true"))
