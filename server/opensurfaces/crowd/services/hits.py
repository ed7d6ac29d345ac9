"""Keeping our HITs and assignments in step with the marketplace: sync, expire, delete."""

from __future__ import annotations

import logging
import re

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from opensurfaces.crowd.backends import get_backend
from opensurfaces.crowd.backends.base import MarketplaceError, RemoteAssignment
from opensurfaces.crowd.models import Assignment, AssignmentEvent, Hit, PendingContent
from opensurfaces.crowd.services.assignments import worker_get_or_create

logger = logging.getLogger(__name__)

_REMOTE_STATUS = {
    "Submitted": Assignment.Status.SUBMITTED,
    "Approved": Assignment.Status.APPROVED,
    "Rejected": Assignment.Status.REJECTED,
}
_RANK = {
    Assignment.Status.ACCEPTED: 0,
    Assignment.Status.ABANDONED: 0,
    Assignment.Status.SUBMITTED: 1,
    Assignment.Status.APPROVED: 2,
    Assignment.Status.REJECTED: 2,
}
_HIT_STATUS = {
    "Assignable": Hit.Status.ASSIGNABLE,
    "Unassignable": Hit.Status.UNASSIGNABLE,
    "Reviewable": Hit.Status.REVIEWABLE,
    "Reviewing": Hit.Status.REVIEWING,
    "Disposed": Hit.Status.DISPOSED,
}


def hit_sync(*, hit_id: int) -> Hit | None:
    """Copy a HIT's state and its assignments from the marketplace."""
    hit = Hit.objects.filter(pk=hit_id).first()
    if hit is None:
        return None
    backend = get_backend(hit.marketplace, sandbox=hit.sandbox)
    remote = backend.get_hit(hit.external_id)
    assignments = backend.list_assignments(hit.external_id)
    with transaction.atomic():
        hit = Hit.objects.select_for_update().get(pk=hit_id)
        for item in assignments:
            _assignment_sync(hit, item)
        submitted = hit.assignments.filter(status__in=Assignment.DONE_STATUSES).count()
        hit.status = _HIT_STATUS.get(remote.status, hit.status)
        hit.max_assignments = remote.max_assignments
        hit.num_assignments_available = remote.available
        hit.num_assignments_pending = remote.pending
        hit.num_assignments_completed = remote.completed
        hit.expires_at = remote.expires_at
        hit.expired = hit.expired or remote.expires_at <= timezone.now()
        hit.any_submitted = submitted > 0
        hit.all_submitted = submitted >= hit.max_assignments
        hit.synced_at = timezone.now()
        hit.save()
    return hit


def _assignment_sync(hit: Hit, item: RemoteAssignment) -> None:
    worker = worker_get_or_create(marketplace=hit.marketplace, external_id=item.worker_id)
    assignment, _ = Assignment.objects.get_or_create(
        hit=hit,
        external_id=item.assignment_id,
        defaults={"worker": worker, "status": Assignment.Status.ACCEPTED},
    )
    status = _REMOTE_STATUS.get(item.status)
    updates = {
        "accepted_at": assignment.accepted_at or item.accepted_at,
        "submitted_at": assignment.submitted_at or item.submitted_at,
        "deadline": item.deadline or assignment.deadline,
    }
    if status == Assignment.Status.APPROVED:
        updates["approved_at"] = assignment.approved_at or item.reviewed_at
    if status == Assignment.Status.REJECTED:
        updates["rejected_at"] = assignment.rejected_at or item.reviewed_at
    # The marketplace's status only moves an assignment forward (or flips a review).
    if (
        status
        and status != assignment.status
        and (_RANK[status] > _RANK[assignment.status] or _RANK[status] == 2)
    ):
        AssignmentEvent.objects.create(
            assignment=assignment, from_status=assignment.status, to_status=status, by="sync"
        )
        updates["status"] = status
    Assignment.objects.filter(pk=assignment.pk).update(**updates)


def hit_expire(*, hit_id: int) -> bool:
    """Expire a HIT on the marketplace and give its unused demand back to its items.

    Items' scheduled counts drop by (assignments not submitted) x ratio, so they can be
    dispatched again. Returns False if it was expired already.
    """
    hit = Hit.objects.filter(pk=hit_id).first()
    if hit is None:
        return False
    get_backend(hit.marketplace, sandbox=hit.sandbox).expire_hit(hit.external_id)
    with transaction.atomic():
        hit = Hit.objects.select_for_update().get(pk=hit_id)
        if hit.expired:
            return False
        _return_unused_demand(hit)
        hit.expired = True
        hit.expires_at = min(hit.expires_at, timezone.now())
        hit.num_assignments_available = 0
        hit.save(update_fields=["expired", "expires_at", "num_assignments_available", "updated_at"])
    return True


def hits_expire_matching(*, pattern: str, marketplace: str, sandbox: bool) -> list[Hit]:
    """Expire live HITs of experiments whose slug matches ``pattern``, costliest first."""
    regex = re.compile(pattern)
    hits = (
        Hit.objects.filter(expired=False, marketplace=marketplace, sandbox=sandbox)
        .select_related("experiment")
        .order_by(-F("reward") * F("num_assignments_available"))
    )
    expired = []
    for hit in hits:
        if regex.search(hit.experiment.slug) and hit_expire(hit_id=hit.pk):
            expired.append(hit)
    return expired


def hits_sync_all(*, marketplace: str, sandbox: bool) -> dict[str, int]:
    """Reconcile every HIT with the marketplace (manage.py mtsync).

    Local HITs the marketplace no longer knows become disposed and expired, and their
    submitted assignments approved (the marketplace pays those automatically); HITs the
    marketplace has but we do not know are expired there; every known HIT is synced.
    """
    backend = get_backend(marketplace, sandbox=sandbox)
    remote = {hit.hit_id: hit for hit in backend.list_hits()}
    ours = Hit.objects.filter(marketplace=marketplace, sandbox=sandbox)
    counts = {"synced": 0, "disposed": 0, "unknown_expired": 0}
    for hit in ours.exclude(status=Hit.Status.DISPOSED):
        if hit.external_id not in remote:
            with transaction.atomic():
                Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.DISPOSED, expired=True)
                for assignment in hit.assignments.filter(status=Assignment.Status.SUBMITTED):
                    AssignmentEvent.objects.create(
                        assignment=assignment,
                        from_status=assignment.status,
                        to_status=Assignment.Status.APPROVED,
                        by="sync",
                        note="HIT disposed on the marketplace",
                    )
                hit.assignments.filter(status=Assignment.Status.SUBMITTED).update(
                    status=Assignment.Status.APPROVED, approved_at=timezone.now()
                )
            counts["disposed"] += 1
            continue
        try:
            hit_sync(hit_id=hit.pk)
            counts["synced"] += 1
        except MarketplaceError as exc:
            logger.warning("could not sync %s: %s", hit, exc)
    known = set(ours.values_list("external_id", flat=True))
    for hit_id, hit in remote.items():
        if hit_id not in known and hit.expires_at > timezone.now():
            backend.expire_hit(hit_id)
            counts["unknown_expired"] += 1
    return counts


def hits_delete(
    *, marketplace: str, sandbox: bool, experiment_slug: str | None = None, only_empty: bool = False
) -> int:
    """Delete HITs on a sandbox and locally (manage.py mtdelete; refused in production)."""
    if not sandbox:
        raise MarketplaceError("deleting HITs is only allowed on the sandbox")
    backend = get_backend(marketplace, sandbox=True)
    hits = Hit.objects.filter(marketplace=marketplace, sandbox=True)
    if experiment_slug:
        hits = hits.filter(experiment__slug=experiment_slug)
    if only_empty:
        hits = hits.filter(contents__isnull=True)
    deleted = 0
    for hit in hits:
        try:
            backend.expire_hit(hit.external_id)
            backend.delete_hit(hit.external_id)
        except MarketplaceError as exc:
            logger.warning("marketplace kept %s: %s", hit, exc)
        if not hit.expired:
            _return_unused_demand(hit)
        hit.delete()
        deleted += 1
    return deleted


def _return_unused_demand(hit: Hit) -> None:
    """Lower the HIT's items' scheduled counts by the slots no worker handed in."""
    done = hit.assignments.filter(status__in=Assignment.DONE_STATUSES).count()
    unused = max(0, hit.max_assignments - done) * hit.out_count_ratio
    if unused:
        PendingContent.objects.filter(hit_contents__hit=hit).update(
            num_outputs_scheduled=Greatest(F("num_outputs_scheduled") - unused, Value(0))
        )
