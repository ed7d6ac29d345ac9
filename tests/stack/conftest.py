"""The production stack, installed on this machine by scripts/install_all.sh.

The stack tests run the operator scripts as root and talk to the real services: nginx
on port 80, gunicorn under supervisor, PostgreSQL, memcached, RabbitMQ and Celery
workers. They restart services and back up and restore the database: run them on a
test or CI machine (./scripts/test.sh does), never on a live site.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import pytest

from tests.stack.stack import Stack, script


@dataclass(frozen=True)
class InstallRun:
    output: str
    seconds: float


@pytest.fixture(scope="session")
def install() -> InstallRun:
    """Run ./scripts/install_all.sh once for the session."""
    if os.geteuid() != 0:
        pytest.skip("the stack tests install packages and services: run them as root")
    started = time.monotonic()
    result = script("install_all.sh", timeout=1800)
    return InstallRun(result.stdout + result.stderr, time.monotonic() - started)


@pytest.fixture(scope="session")
def stack(install) -> Stack:
    return Stack.load()


@pytest.fixture(scope="session")
def photo_id(stack) -> int:
    """A photo added through manage.sh add_photos, for the page and cache tests."""
    return stack.add_photo()
