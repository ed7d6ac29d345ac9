"""The in-house work queue: give each annotator the next task, one at a time."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from opensurfaces.crowd.backends.local import LocalBackend
from opensurfaces.crowd.models import (
    Assignment,
    AssignmentEvent,
    ExperimentWorker,
    Hit,
    LocalAssignment,
    LocalHit,
    Worker,
)

LOCAL_SUBMIT_PATH = "/crowd/local"


def task_url(*, hit: Hit, assignment_id: str, worker: Worker) -> str:
    """The task page address with the parameters a marketplace would add."""
    query = urlencode(
        {
            "hitId": hit.external_id,
            "assignmentId": assignment_id,
            "workerId": worker.external_id,
            "turkSubmitTo": settings.SITE_URL + LOCAL_SUBMIT_PATH,
        }
    )
    return reverse("crowd:task", kwargs={"experiment_id": hit.experiment_id}) + "?" + query


def _hits_with_room(now):
    """External ids of local HITs with a free slot (none taken by a live reservation)."""
    taken = (
        LocalAssignment.objects.filter(hit=OuterRef("pk"))
        .exclude(status=LocalAssignment.Status.ABANDONED)
        .exclude(status=LocalAssignment.Status.ACCEPTED, deadline__lte=now)
        .values("hit")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        LocalHit.objects.filter(deleted=False, expires_at__gt=now)
        .annotate(taken=Coalesce(Subquery(taken), 0))
        .filter(taken__lt=F("max_assignments"))
        .values("external_id")
    )


def _open_hits(worker: Worker):
    now = timezone.now()
    blocked_in = ExperimentWorker.objects.filter(worker=worker, blocked=True).values("experiment")
    done_groups = (
        Assignment.objects.filter(worker=worker).exclude(hit__group="").values("hit__group")
    )
    return (
        Hit.objects.filter(
            marketplace="local",
            sandbox=settings.CROWD_SANDBOX,
            expired=False,
            expires_at__gt=now,
            experiment__active=True,
        )
        .exclude(experiment__in=blocked_in)
        .exclude(assignments__worker=worker)
        .exclude(Q(group__in=done_groups))
        .filter(external_id__in=_hits_with_room(now))
        .select_related("experiment__settings")
    )


def local_available(*, worker: Worker) -> list[dict]:
    """Return, per experiment, how many HITs this annotator could start now."""
    counts: dict[int, dict] = {}
    for hit in _open_hits(worker).order_by("experiment__slug")[:1000]:
        entry = counts.setdefault(hit.experiment_id, {"experiment": hit.experiment, "hits": 0})
        entry["hits"] += 1
    return list(counts.values())


def local_next_task(*, worker: Worker, experiment_id: int | None = None) -> str | None:
    """Reserve the annotator's next task and return its URL (or resume the current one)."""
    backend = LocalBackend(sandbox=settings.CROWD_SANDBOX)
    current = backend.accepted(worker_id=worker.external_id)
    if current is not None:
        hit = Hit.objects.filter(marketplace="local", external_id=current.hit_id).first()
        if hit is not None:
            return task_url(hit=hit, assignment_id=current.assignment_id, worker=worker)
    hits = _open_hits(worker)
    if experiment_id is not None:
        hits = hits.filter(experiment_id=experiment_id)
    hits = list(hits.order_by("-experiment__settings__priority", "id")[:50])
    reserved = backend.reserve(worker_id=worker.external_id, hit_ids=[h.external_id for h in hits])
    if reserved is None:
        return None
    hit = next(h for h in hits if h.external_id == reserved.hit_id)
    return task_url(hit=hit, assignment_id=reserved.assignment_id, worker=worker)


def local_return(*, worker: Worker, assignment_id: str) -> None:
    """Give an unfinished task back (someone else may take it)."""
    backend = LocalBackend(sandbox=settings.CROWD_SANDBOX)
    backend.return_assignment(assignment_id, worker_id=worker.external_id)
    _mark_abandoned(
        Assignment.objects.filter(
            external_id=assignment_id, worker=worker, status=Assignment.Status.ACCEPTED
        ),
        by="worker",
    )


def local_release_abandoned() -> int:
    """Release reservations whose time ran out; return how many were released."""
    LocalBackend(sandbox=settings.CROWD_SANDBOX).release_abandoned()
    stale = LocalAssignment.objects.filter(status=LocalAssignment.Status.ABANDONED).values(
        "external_id"
    )
    return _mark_abandoned(
        Assignment.objects.filter(
            hit__marketplace="local",
            status=Assignment.Status.ACCEPTED,
            external_id__in=stale,
        ),
        by="deadline",
    )


def _mark_abandoned(assignments, *, by: str) -> int:
    count = 0
    for assignment in assignments:
        AssignmentEvent.objects.create(
            assignment=assignment,
            from_status=assignment.status,
            to_status=Assignment.Status.ABANDONED,
            by=by,
        )
        count += Assignment.objects.filter(
            pk=assignment.pk, status=Assignment.Status.ACCEPTED
        ).update(status=Assignment.Status.ABANDONED)
    return count
