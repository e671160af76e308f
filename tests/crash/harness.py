"""A throwaway Hromada for the crash tests: set up once, served and stopped many times.

``Deployment`` owns one var dir and one database (SQLite in the var dir, or a fresh
PostgreSQL database beside the test database when the suite runs on PostgreSQL, created
here and dropped at the end). It starts the real server (``hromada run``: granian, one
worker) and the real task worker (``hromada worker``), each optionally armed with a
crashpoint (``HROMADA_CRASHPOINT``, see hromada/lib/crashpoints.py), and a probe process
(tests/crash/probe.py) that prepares and reads the database as the server sees it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from tests.liveserver import (
    HOST,
    ROOT,
    SERVE_OPTIONS,
    _free_port,
    _server_env,
    _stop,
    _wait_until_answering,
)

SETUP_TIMEOUT = 300.0
DEATH_TIMEOUT = 20.0
PYTHON = [sys.executable, "-m"]


class CrashFailed(AssertionError):
    """The process armed with a crashpoint did not die where it should have."""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def client(self, *, session: str | None = None, token: str | None = None) -> httpx.Client:
        headers = {"Accept-Language": "en"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        cookies = {"hromada_session": session} if session else None
        return httpx.Client(
            base_url=self.base_url,
            headers=headers,
            cookies=cookies,
            timeout=300.0,
            trust_env=False,  # never through a proxy
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def answers(self) -> bool:
        try:
            httpx.get(f"{self.base_url}/", timeout=2.0, trust_env=False)
        except httpx.TransportError:
            return False
        return True

    def stop(self) -> None:
        _stop(self.process)


def _database_url(base: str | None, name: str) -> str | None:
    """A PostgreSQL URL beside the suite's own database, or None for SQLite."""
    if not base or not base.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


class Deployment:
    def __init__(self, var_dir: Path, suite_database_url: str | None) -> None:
        self.var_dir = var_dir
        self.mailbox = var_dir / "mailbox.jsonl"
        self.database_url = _database_url(suite_database_url, f"hromada_crash_{os.getpid()}")
        self._probe: subprocess.Popen[str] | None = None

    # -- environment ------------------------------------------------------------------------

    def env(self, crashpoint: str | None = None) -> dict[str, str]:
        env = _server_env(self.var_dir, "en")
        env.pop("HROMADA_CRASHPOINT", None)
        if crashpoint:
            env["HROMADA_CRASHPOINT"] = crashpoint
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env["EMAIL_BACKEND"] = "tests.crash.mailbox.EmailBackend"
        env["HROMADA_CRASH_MAILBOX"] = str(self.mailbox)
        return env

    def setup(self) -> None:
        if self.database_url:
            name = urlsplit(self.database_url).path.lstrip("/")
            _admin(self.database_url, f'DROP DATABASE IF EXISTS "{name}"')
            _admin(self.database_url, f'CREATE DATABASE "{name}"')
        done = subprocess.run(
            [*PYTHON, "hromada", "setup", "--no-demo"],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"`hromada setup` failed:\n{done.stdout}{done.stderr}")

    def teardown(self) -> None:
        if self._probe is not None:
            self._probe.stdin.close()  # type: ignore[union-attr]
            self._probe.wait(timeout=30)
        if self.database_url:
            name = urlsplit(self.database_url).path.lstrip("/")
            _admin(self.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- the probe --------------------------------------------------------------------------

    def probe(self, op: str, *args: Any) -> Any:
        if self._probe is None:
            self._probe = subprocess.Popen(
                [*PYTHON, "tests.crash.probe"],
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        assert self._probe.stdin is not None and self._probe.stdout is not None
        self._probe.stdin.write(json.dumps({"op": op, "args": list(args)}) + "\n")
        self._probe.stdin.flush()
        for line in self._probe.stdout:
            if line.startswith("@@"):
                answer = json.loads(line[2:])
                if "error" in answer:
                    raise RuntimeError(f"probe {op} failed:\n{answer['error']}")
                return answer["ok"]
        raise RuntimeError(f"the probe died during {op}")

    # -- processes --------------------------------------------------------------------------

    @contextlib.contextmanager
    def server(self, crashpoint: str | None = None) -> Iterator[Server]:
        """``hromada run`` with one web worker and no task worker; stopped when done."""
        port = _free_port()
        base_url = f"http://{HOST}:{port}"
        log_path = self.var_dir / f"server-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*PYTHON, "hromada", "run", "--host", HOST, "--port", str(port), *SERVE_OPTIONS],
                cwd=ROOT,
                env=self.env(crashpoint),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(process, base_url, log_path)
        try:
            _wait_until_answering(process, base_url, log_path)
            yield server
        finally:
            server.stop()

    @contextlib.contextmanager
    def worker(self, crashpoint: str | None = None) -> Iterator[subprocess.Popen[bytes]]:
        """``hromada worker`` (django-tasks' db_worker and the periodic jobs, ticking each
        second); stopped when done unless it died first."""
        log_path = self.var_dir / f"worker-{time.monotonic_ns()}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*PYTHON, "hromada", "worker", "--tick", "1"],
                cwd=ROOT,
                env=self.env(crashpoint),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            yield process
        finally:
            _stop(process)

    def sent(self) -> list[str]:
        """The addresses mailed so far, one entry per message."""
        if not self.mailbox.exists():
            return []
        lines = self.mailbox.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["to"] for line in lines if line]


RESPAWNED = "Unexpected exit from worker"  # granian's line when it starts a dead worker again


def crash(server: Server, send: Any) -> None:
    """Make the request that reaches the crashpoint: the connection must drop without an
    answer, the web process must be gone (granian says so), and another must take its place
    (``hromada run`` respawns failed workers): the server answers again without a restart."""
    try:
        response = send()
    except httpx.TransportError:
        pass
    else:
        raise CrashFailed(
            f"answered {response.status_code} instead of dying:\n{response.text[:2000]}"
            f"\n{server.output()}"
        )
    deadline = time.monotonic() + DEATH_TIMEOUT
    while RESPAWNED not in server.output():
        if time.monotonic() > deadline:
            raise CrashFailed(f"no web process died:\n{server.output()}")
        time.sleep(0.2)
    while not server.answers():
        if time.monotonic() > deadline:
            raise CrashFailed(f"the dead web process was not replaced:\n{server.output()}")
        time.sleep(0.2)


def wait_for(check: Any, *, timeout: float, what: str) -> Any:
    """Poll ``check()`` until it returns something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def killed(process: subprocess.Popen[bytes], timeout: float = DEATH_TIMEOUT) -> int:
    """Wait for an armed process to die; return its exit status (-9 for SIGKILL)."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CrashFailed("the armed process did not die") from None


SIGKILLED = -signal.SIGKILL
