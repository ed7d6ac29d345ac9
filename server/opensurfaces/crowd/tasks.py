"""Celery tasks of the crowd pipeline: ids in, a service call, retries for outages only."""

import logging

from celery import shared_task
from django.db import OperationalError

from opensurfaces.crowd.backends.base import MarketplaceUnavailable

logger = logging.getLogger(__name__)

TRANSIENT = (MarketplaceUnavailable, OperationalError)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def submission_process(submission_id: int) -> None:
    """Turn a stored submission into domain rows (idempotent)."""
    from opensurfaces.crowd.services.submissions import submission_failed
    from opensurfaces.crowd.services.submissions import submission_process as process

    try:
        process(submission_id=submission_id)
    except TRANSIENT:
        raise
    except Exception as exc:
        # Kept unprocessed with the error; the sweep retries it and staff can see why.
        submission_failed(submission_id=submission_id, error=repr(exc))
        raise


@shared_task(ignore_result=True)
def submissions_sweep() -> None:
    """Queue every submission still unprocessed (lost queue messages, broker outages)."""
    from opensurfaces.crowd.services.submissions import submissions_sweep as sweep

    queued = sweep()
    if queued:
        logger.info("re-queued %d unprocessed submissions", len(queued))


@shared_task(ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=60, max_retries=5)
def pending_add(model_label: str, object_ids: list[int]) -> None:
    """Update pending content for new or changed inputs."""
    from django.apps import apps

    from opensurfaces.crowd.services.pending import pending_add as add

    add(model=apps.get_model(model_label), object_ids=object_ids)


@shared_task(ignore_result=True)
def crowd_dispatch() -> None:
    """Batch pending content into HITs (beat, every CROWD_DISPATCH_INTERVAL seconds)."""
    from django.conf import settings

    from opensurfaces.core.locks import LockHeld
    from opensurfaces.crowd.services.dispatch import dispatch_all

    if not settings.CROWD_PIPELINE_ENABLED:
        return
    try:
        dispatch_all()
    except LockHeld:
        logger.info("a dispatch is already running")


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=10,
)
def assignment_approve(assignment_id: int, message: str = "") -> None:
    """Approve an assignment (auto-approval); idempotent through the payment ledger."""
    from opensurfaces.crowd.services.review import ReviewRefused
    from opensurfaces.crowd.services.review import assignment_approve as approve

    try:
        approve(assignment_id=assignment_id, message=message, by="")
    except ReviewRefused as exc:
        logger.info("assignment %s not approved: %s", assignment_id, exc)


@shared_task(ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=60, max_retries=5)
def hit_sync(hit_id: int) -> None:
    """Copy a HIT's state and assignments from the marketplace."""
    from opensurfaces.crowd.services.hits import hit_sync as sync

    sync(hit_id=hit_id)


@shared_task(ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=60, max_retries=5)
def hit_expire_remote(marketplace: str, sandbox: bool, hit_id: str) -> None:
    """Expire a HIT we do not know on the marketplace (a worker found a stray HIT)."""
    from opensurfaces.crowd.backends import get_backend
    from opensurfaces.crowd.backends.base import MarketplaceError

    try:
        get_backend(marketplace, sandbox=sandbox).expire_hit(hit_id)
    except MarketplaceUnavailable:
        raise
    except MarketplaceError as exc:
        logger.info("could not expire unknown HIT %s: %s", hit_id, exc)


@shared_task(ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=60, max_retries=5)
def payments_reconcile() -> None:
    """Finish interrupted payments and confirm sent ones with the marketplace."""
    from opensurfaces.crowd.services.review import payments_reconcile as reconcile

    reconcile()


@shared_task(ignore_result=True)
def local_assignments_release() -> None:
    """Release in-house assignments whose time ran out, for someone else to take."""
    from opensurfaces.crowd.services.local import local_release_abandoned

    local_release_abandoned()
