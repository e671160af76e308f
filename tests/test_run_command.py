"""`hromada run` as a service manager sees it: it serves, and SIGTERM stops every child."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.liveserver import HOST, ROOT, _free_port, _server_env, _wait_until_answering


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_to_run_stops_the_web_server_and_the_worker(tmp_path):
    env = _server_env(tmp_path, None)
    subprocess.run(
        [sys.executable, "-m", "hromada", "setup", "--no-demo"],  # an empty board serves too
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hromada",
                "run",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_answering(run, f"http://{HOST}:{port}", log)
        with urllib.request.urlopen(f"http://{HOST}:{port}/needs/", timeout=5) as response:
            assert response.status == 200
        os.kill(run.pid, signal.SIGTERM)  # the parent only, as systemd's KillMode=mixed would
        run.wait(timeout=15)
        deadline = time.monotonic() + 15
        while group_alive(run.pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # the children are shutting down
        assert not group_alive(run.pid), log.read_text()
    finally:
        if group_alive(run.pid):
            os.killpg(run.pid, signal.SIGKILL)
