"""start_worker.sh: a Celery worker on RabbitMQ that runs the tasks the site queues, one
beat at most, a concurrency guard, and nothing left behind when it stops; the queue
scripts (queue_length.sh, purge_tasks.sh)."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import pytest

from tests.stack.stack import REPO, SCRIPTS, processes_in_group, script, wait_until

pytestmark = pytest.mark.stack


class Worker:
    """scripts/start_worker.sh running in the background, as an operator would start it."""

    def __init__(self, stack, *args: str):
        self.stack = stack
        self.log_start = len(stack.log("celery-worker.log"))
        self.process = subprocess.Popen(
            [str(SCRIPTS / "start_worker.sh"), *args],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.node = f"{stack.project}-{self.process.pid}@"

    @property
    def log(self) -> str:
        return self.stack.log("celery-worker.log")[self.log_start :]

    def wait_until_ready(self) -> None:
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"start_worker.sh exited:\n{self.process.stdout.read()}")
            return re.search(rf"{re.escape(self.node)}\S* ready", self.log)

        wait_until(ready, 90, f"the worker {self.node} to be ready")

    def stop(self) -> int:
        """Send TERM to the worker's process group, as Ctrl-C or a service manager would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            left = processes_in_group(self.process.pid)
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            assert not left, f"processes left behind by the worker: {left}"


@pytest.fixture
def worker(stack):
    started = Worker(stack, "1")
    try:
        started.wait_until_ready()
        yield started
    finally:
        started.stop()


def queue_lengths() -> dict[str, tuple[int, int]]:
    lines = script("queue_length.sh").stdout.splitlines()
    assert lines[0] == "queue messages consumers"
    return {name: (int(m), int(c)) for name, m, c in (line.split() for line in lines[1:])}


def test_a_worker_started_by_the_script_runs_the_tasks_queued_through_rabbitmq(stack, worker):
    assert "beat included" in worker.process.stdout.readline()
    assert (REPO / "run/celerybeat.pid").read_text().strip() == str(worker.process.pid)
    assert queue_lengths()["images"][1] == 1  # the worker consumes the images queue

    # Adding a photo queues its thumbnails (queue images) once the row is committed.
    photo_id = stack.add_photo()

    def thumbnail():
        match = re.search(
            r'src="(/media/photos/thumbs/[^"]+-fit1024\.jpg)"',
            stack.get(f"/photos/{photo_id}/").text,
        )
        return match and match.group(1)

    url = wait_until(thumbnail, 60, "the worker to make the thumbnails")
    image = stack.get(url)
    assert image.status_code == 200
    assert image.headers["Server"].startswith("nginx")
    assert image.content[:2] == b"\xff\xd8"
    assert re.search(r"photo_thumbnails_generate\[[-0-9a-f]+\] succeeded", worker.log)
    # The worker runs as the service account.
    uid = os.stat(f"/proc/{worker.process.pid}").st_uid
    assert uid == int(subprocess.check_output(["id", "-u", stack.config["SERVER_USER"]]))


def test_a_second_beat_is_refused_while_one_runs(stack, worker):
    result = script("start_worker.sh", "1", "--beat", check=False)
    assert result.returncode == 1
    assert "a Celery beat already runs" in result.stderr
    assert f"worker pid {worker.process.pid}" in result.stderr


def test_a_concurrency_above_half_the_cores_is_refused():
    result = script("start_worker.sh", "64", check=False)
    assert result.returncode == 1
    half = max(os.cpu_count() // 2, 1)
    assert f"concurrency 64 is refused: this machine has {os.cpu_count()} cores" in result.stderr
    assert f"at most half of them ({half})" in result.stderr


def test_stopping_the_worker_stops_every_process_and_frees_the_beat(stack):
    first = Worker(stack, "1")
    first.wait_until_ready()
    status = first.stop()  # asserts that no process of its group is left
    assert status == 0, first.log
    assert "Warm shutdown" in first.log
    # A restarted worker is a new process (it loads the task code afresh) and gets beat.
    second = Worker(stack, "1", "--beat")
    try:
        second.wait_until_ready()
        assert second.process.pid != first.process.pid
    finally:
        second.stop()


def test_purge_asks_first_then_empties_the_queues(stack):
    stack.add_photo()  # no worker runs: its thumbnail task waits in the queue
    assert queue_lengths()["images"][0] >= 1

    refused = script("purge_tasks.sh", check=False)
    assert refused.returncode == 1
    assert "nothing was changed" in refused.stderr
    assert queue_lengths()["images"][0] >= 1

    script("purge_tasks.sh", "--yes")
    assert queue_lengths() == {"celery": (0, 0), "images": (0, 0)}
