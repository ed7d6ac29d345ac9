"""Durability with real processes: a Celery worker on RabbitMQ against PostgreSQL.

- A worker killed in the middle of processing a submission: its transaction rolls back,
  RabbitMQ redelivers the unacknowledged message (acks_late), and the next worker
  processes it exactly once.
- The broker unreachable while workers post: every POST still succeeds, the answers are
  stored, and the periodic sweep hands them to a worker once the broker is back.
- Identical POSTs arriving at the same moment are stored once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from opensurfaces.crowd.models import Submission
from opensurfaces.crowd.tests.helpers import (
    answers,
    page_config,
    post_data,
    task_url,
    worker_client,
)
from opensurfaces.photos.models import PhotoSceneQualityLabel

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

SERVER = Path(__file__).resolve().parents[3]
RABBITMQ = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.fail("these tests need PostgreSQL: run them through scripts/test.sh")


def database_url() -> str:
    params = connection.settings_dict
    password = params.get("PASSWORD") or ""
    auth = f"{params['USER']}:{password}" if password else params["USER"]
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


class Worker:
    """``celery worker`` in a subprocess, on its own queue."""

    def __init__(self, queue: str, tmp_path: Path):
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": RABBITMQ,
            "DATA_DIR": str(tmp_path),
        }
        env.pop("DATABASE_PASSWORD_FILE", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queue,
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
                "-n",
                f"{queue}@%h",
            ],
            cwd=SERVER,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def queue():
    from kombu import Connection
    from kombu import Queue as KombuQueue

    name = f"test-durability-{uuid.uuid4().hex[:8]}"
    yield name
    with Connection(RABBITMQ) as conn:
        KombuQueue(name).bind(conn.default_channel).delete()


def enqueue(queue: str, submission_id: int) -> None:
    from kombu import Connection

    from opensurfaces.crowd.tasks import submission_process

    with Connection(RABBITMQ) as conn:
        submission_process.apply_async(args=[submission_id], queue=queue, connection=conn)


def submitted(mturk_hit, worker_id: str = "W1") -> Submission:
    assignment_id = mturk_hit.accept(worker_id)
    client = worker_client()
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id=worker_id)
    config = page_config(client.get(url))
    assert client.post(url, post_data(config, answers(config))).status_code == 200
    return Submission.objects.get(assignment__external_id=assignment_id)


def lock_row(table: str, pk: int) -> tuple[psycopg.Connection, threading.Event]:
    """Hold a row lock from another connection, so a worker blocks in the middle."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    holder = psycopg.connect(**{k: v for k, v in params.items() if v is not None})
    holder.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608
    return holder


def waiting_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE %s",
            ["%crowd_submission%FOR UPDATE%"],
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_task_leaves_the_submission_to_the_next_one(mturk_hit, queue, tmp_path):
    submission = submitted(mturk_hit)
    holder = lock_row(Submission._meta.db_table, submission.pk)
    first = Worker(queue, tmp_path)
    try:
        enqueue(queue, submission.pk)
        wait_for(waiting_on_lock, what="the worker to start the task")
        first.kill()  # in the middle of the task: its transaction is open, the message unacked
    finally:
        holder.rollback()
        holder.close()
        first.stop()
    submission.refresh_from_db()
    assert submission.processed_at is None and not PhotoSceneQualityLabel.objects.exists()

    second = Worker(queue, tmp_path)
    try:
        wait_for(
            lambda: Submission.objects.get(pk=submission.pk).processed_at is not None,
            what="the redelivered task to be processed",
        )
    finally:
        second.stop()
    assert PhotoSceneQualityLabel.objects.count() == 3  # once, not twice


def test_posts_succeed_with_the_broker_down_and_the_sweep_recovers_them(
    mturk_hit, queue, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from celery import current_app

    from opensurfaces.crowd.services import submissions as submission_services

    current_app.conf.broker_url = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens there
    current_app.conf.broker_connection_timeout = 1
    try:
        with django_capture_on_commit_callbacks(execute=True):
            stored = [submitted(mturk_hit, f"W{n}") for n in range(3)]
    finally:
        current_app.conf.broker_url = "memory://"
    assert all(s.processed_at is None for s in stored)

    from opensurfaces.crowd import tasks

    worker = Worker(queue, tmp_path)
    try:
        # The sweep (a beat task) re-queues what was never processed, to this test's queue.
        monkeypatch.setattr(tasks.submission_process, "delay", lambda pk: enqueue(queue, pk))
        swept = submission_services.submissions_sweep(older_than_seconds=0)
        assert sorted(swept) == sorted(s.pk for s in stored)
        wait_for(
            lambda: not Submission.objects.filter(processed_at__isnull=True).exists(),
            what="the swept submissions to be processed",
        )
    finally:
        worker.stop()
    assert PhotoSceneQualityLabel.objects.count() == 9


def test_identical_posts_at_the_same_moment_are_stored_once(mturk_hit):
    assignment_id = mturk_hit.accept("W1")
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1")
    config = page_config(worker_client().get(url))
    data = post_data(config, answers(config))
    start = threading.Barrier(4)
    responses = []

    def post() -> None:
        client = worker_client()
        start.wait()
        responses.append(client.post(url, data))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in responses) == [200] * 4
    assert sorted(r.json()["repeated"] for r in responses) == [False, True, True, True]
    assert Submission.objects.count() == 1
