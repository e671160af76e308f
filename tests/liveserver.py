"""Start the real Hromada server for the browser tests, the bench and the screenshots.

Django's test server is not what a visitor meets: here DEBUG is off, the strict
Content-Security-Policy is sent, and WhiteNoise serves the hashed, compressed static
files that `setup` collected. So we run `hromada setup` and `hromada run` (granian)
exactly as a deployment does, against a throwaway var dir with the demo community.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HOST = "127.0.0.1"  # loopback only: nothing outside this machine can reach the server
SETUP_TIMEOUT = 300.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0  # `run` itself gives each child 10 s
SERVE_OPTIONS = ("--workers", "1", "--no-worker")  # one process is plenty; no task worker
# Settings a developer's shell may carry that would point the server away from the fresh
# var dir (another database or cache), or change what it serves (HTTPS redirects, tiles).
FOREIGN_ENV = ("DATABASE_URL", "REDIS_URL", "HTTPS", "DEBUG", "TILE_URL", "LANGUAGE_CODE")


def chromium_args() -> list[str]:
    """Flags that keep Chromium quiet: no GPU, no QUIC, and no calls home of its own,
    so every request a test sees was made by the page."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _server_env(var_dir: Path, lang_env: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env["HROMADA_VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    if lang_env is not None:
        env["LANGUAGE_CODE"] = lang_env
    return env


def _answers(url: str) -> bool:
    """True once the server answers HTTP at all (any status counts as an answer)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server as Ctrl-C in its terminal would: SIGINT to its whole process group,
    so `run` waits for granian to finish; SIGKILL the group if that takes too long. Whatever
    of the group outlives `run` (a web process granian started again after a crash test
    killed one, if granian's shutdown raced the new start) is killed too. A process that had
    already ended is left alone: its group's number may belong to somebody else by now."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)
    # Until its last member ends, the group's number is not given to another process.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_until_answering(server: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    """Poll GET / until the server answers; fail with its output if it dies or stays silent."""
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(f"{base_url}/"):
        if server.poll() is not None:
            problem = f"exited with status {server.returncode}"
        elif time.monotonic() > deadline:
            problem = f"did not answer within {START_TIMEOUT:.0f}s"
        else:
            time.sleep(0.1)  # between connection attempts
            continue
        output = log_path.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"Hromada at {base_url} {problem}. Server output:\n{output}")


@contextlib.contextmanager
def running_hromada(*, lang_env: str | None = None) -> Iterator[str]:
    """Set up and serve a fresh Hromada with the demo data; yield its base URL.

    ``lang_env`` sets the server's default language (``LANGUAGE_CODE``, e.g. ``"en"``);
    None keeps the shipped default (Ukrainian). The server and its var dir are gone
    when the block ends, however it ends.
    """
    with tempfile.TemporaryDirectory(prefix="hromada-live-", ignore_cleanup_errors=True) as tmp:
        var_dir = Path(tmp)
        env = _server_env(var_dir, lang_env)
        hromada = [sys.executable, "-m", "hromada"]
        setup = subprocess.run(
            [*hromada, "setup"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        if setup.returncode != 0:
            raise RuntimeError(
                f"`hromada setup` failed ({setup.returncode}):\n{setup.stdout}{setup.stderr}"
            )

        port = _free_port()
        base_url = f"http://{HOST}:{port}"
        log_path = var_dir / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [*hromada, "run", "--host", HOST, "--port", str(port), *SERVE_OPTIONS],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_answering(server, base_url, log_path)
            yield base_url
        finally:
            _stop(server)
