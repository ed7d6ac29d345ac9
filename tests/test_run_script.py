"""End to end: ./scripts/run.sh from a fresh copy of the repository serves the catalog.

It starts the real processes (gunicorn, a Celery worker and beat on the embedded broker)
and talks to them over HTTP, as a newcomer's browser would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
SKIP = {".git", "venv", "data", "run", "backup", "secrets", "__pycache__", ".ruff_cache"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_repo(target: Path) -> Path:
    shutil.copytree(REPO, target, ignore=lambda d, names: [n for n in names if n in SKIP])
    return target


class RunScript:
    """scripts/run.sh running in the background, with its output in a file."""

    def __init__(self, repo: Path, port: int):
        self.repo, self.port = repo, port
        self.log = repo / "run-script-output.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE", "MEMCACHED", "CELERY", "DATA_DIR"))
        }
        env.update(PORT=str(port), VENV_DIR=str(REPO / "venv"))
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            ["./scripts/run.sh"],
            cwd=repo,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def output(self) -> str:
        return self.log.read_text()

    def wait_until_running(self, timeout: float = 120) -> float:
        while "OpenSurfaces is running at" not in self.output:
            if self.process.poll() is not None:
                raise AssertionError(f"run.sh exited early:\n{self.output}")
            if time.monotonic() - self.started > timeout:
                raise AssertionError(f"run.sh did not start in {timeout} s:\n{self.output}")
            time.sleep(0.5)
        return time.monotonic() - self.started

    def stop(self) -> int:
        """Press Ctrl-C (SIGINT to the process group) and wait for everything to exit."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)


def wait_for_thumbnail(base: str, photo_path: str, timeout: float = 60) -> str:
    """Return a thumbnail URL from the photo page once the worker has made it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = requests.get(base + photo_path, timeout=10).text
        match = re.search(r'src="(/media/photos/thumbs/[^"]+-fit1024\.jpg)"', html)
        if match:
            return match.group(1)
        time.sleep(1)
    raise AssertionError("the worker did not make the thumbnails")


def do_a_task_and_see_it_processed(base: str, password: str) -> None:
    """Log in, take the next task from /crowd/work/, answer it, and watch the worker
    process it: the photo page shows the crowd's verdict."""
    import json

    session = requests.Session()
    session.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"
    login = session.get(base + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    session.post(
        base + "/accounts/login/",
        data={"username": "admin", "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
        timeout=10,
    )
    work = session.get(base + "/crowd/work/", timeout=10)
    assert work.status_code == 200 and "Which photos show" in work.text, work.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', work.text).group(1)
    task = session.post(
        base + "/crowd/work/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": base + "/crowd/work/"},
        timeout=10,
    )
    assert "/mturk/external/task/" in task.url
    config = json.loads(
        re.search(
            r'<script id="task-config" type="application/json">(.*?)</script>', task.text, re.S
        ).group(1)
    )
    results = {str(item["id"]): True for item in config["contents"]}
    answer = session.post(
        task.url,
        data={
            "token": config["token"],
            "results": json.dumps(results),
            "version": json.dumps(config["version"]),
            "time_ms": "4000",
        },
        timeout=10,
    )
    assert answer.json()["result"] == "success", answer.text
    photo_path = f"/photos/{config['contents'][0]['id']}/"
    deadline = time.monotonic() + 60
    while "judged correct" not in requests.get(base + photo_path, timeout=10).text:
        assert time.monotonic() < deadline, "the worker did not process the submission"
        time.sleep(1)


def test_run_script_serves_home_photos_and_thumbnails(tmp_path):
    repo = copy_repo(tmp_path / "opensurfaces")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = RunScript(repo, port)
    try:
        first_start = run.wait_until_running()
        assert first_start < 120
        assert f"running at {base}/" in run.output
        assert re.search(r"Admin: .*login admin / \S+", run.output)

        home = requests.get(base + "/", timeout=10)
        assert home.status_code == 200
        photos = int(re.search(r'<dd id="stat-photos">(\d+)</dd>', home.text).group(1))
        assert photos >= 10  # the demo photographs and synthetic scenes
        photo_path = re.search(r'href="(/photos/\d+/)"', home.text).group(1)
        assert requests.get(base + photo_path, timeout=10).status_code == 200

        thumbnail = requests.get(base + wait_for_thumbnail(base, photo_path), timeout=10)
        assert thumbnail.status_code == 200
        assert thumbnail.headers["Content-Type"] == "image/jpeg"
        assert thumbnail.content[:2] == b"\xff\xd8"
        assert (repo / "run" / "gunicorn.log").stat().st_size > 0
        assert "succeeded" in (repo / "run" / "celery-worker.log").read_text()

        password = re.search(r"login admin / (\S+)", run.output).group(1)
        do_a_task_and_see_it_processed(base, password)
    finally:
        status = run.stop()
    assert status in (0, 130, 143), run.output
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/", timeout=2)

    # A second run reuses the venv, database and demo data, and starts quickly.
    second = RunScript(repo, port)
    try:
        second_start = second.wait_until_running()
        assert "Loading the demo photos" not in second.output
        assert "Installing Python packages" not in second.output
        home = requests.get(base + "/", timeout=10)
        assert f'<dd id="stat-photos">{photos}</dd>' in home.text
    finally:
        second.stop()
    assert second_start < 30, f"second start took {second_start:.1f} s"
