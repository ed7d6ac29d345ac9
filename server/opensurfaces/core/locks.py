"""Named locks kept in the database, so that only one copy of a periodic job runs.

A lock row is claimed by a conditional UPDATE (or the INSERT of a new row); the row
count decides who holds it, on PostgreSQL and SQLite alike. A holder that dies leaves a
lock that expires after ``ttl`` seconds.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from opensurfaces.core.models import JobLock


class LockHeld(RuntimeError):
    """Another process holds the lock."""


def lock_acquire(name: str, *, ttl: int) -> str | None:
    """Take the lock ``name`` for ``ttl`` seconds; return a token, or None if it is held."""
    token = uuid.uuid4().hex
    now = timezone.now()
    expires = now + timedelta(seconds=ttl)
    claimed = JobLock.objects.filter(name=name, expires_at__lte=now).update(
        holder=token, acquired_at=now, expires_at=expires
    )
    if claimed:
        return token
    try:
        with transaction.atomic():
            JobLock.objects.create(name=name, holder=token, acquired_at=now, expires_at=expires)
    except IntegrityError:
        return None
    return token


def lock_release(name: str, token: str) -> None:
    """Release the lock if ``token`` still holds it."""
    JobLock.objects.filter(name=name, holder=token).update(expires_at=timezone.now())


@contextlib.contextmanager
def db_lock(name: str, *, ttl: int) -> Iterator[None]:
    """Hold the lock ``name`` for the block; raise LockHeld if another process has it."""
    token = lock_acquire(name, ttl=ttl)
    if token is None:
        raise LockHeld(name)
    try:
        yield
    finally:
        lock_release(name, token)
