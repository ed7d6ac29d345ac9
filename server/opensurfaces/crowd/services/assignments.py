"""What happens when a worker opens a task page: workers, assignments, sentinels, tutorial."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from opensurfaces.crowd.models import (
    Assignment,
    AssignmentEvent,
    ExperimentWorker,
    Hit,
    Sentinel,
    SentinelResponse,
    Worker,
)
from opensurfaces.crowd.selectors import AssignmentAccessDenied

PREVIEW_ASSIGNMENT_ID = "ASSIGNMENT_ID_NOT_AVAILABLE"


class TaskUnavailable(Exception):
    """The worker cannot do this task now; ``str(exc)`` is shown to them."""


def worker_get_or_create(*, marketplace: str, external_id: str, user=None) -> Worker:
    """Return the worker with this marketplace id, creating them on first sight."""
    worker, _ = Worker.objects.get_or_create(
        marketplace=marketplace, external_id=external_id, defaults={"user": user}
    )
    return worker


def local_worker(user) -> Worker:
    """Return the in-house worker for a site account."""
    return worker_get_or_create(marketplace="local", external_id=str(user.pk), user=user)


def assignment_event(assignment: Assignment, *, to: str, by: str, note: str = "") -> None:
    AssignmentEvent.objects.create(
        assignment=assignment, from_status=assignment.status, to_status=to, by=by, note=note
    )


def assignment_open(*, hit: Hit, worker: Worker, assignment_id: str) -> Assignment:
    """Return the worker's assignment for a task page, recording it on first sight.

    The first worker seen with an assignment id owns it; anyone else is refused
    (AssignmentAccessDenied). On the local marketplace the reservation made at
    /crowd/work/ must exist and be the worker's.
    """
    if hit.marketplace != worker.marketplace:
        raise AssignmentAccessDenied("This assignment is on another marketplace.")
    if hit.marketplace == "local":
        _check_local_reservation(hit=hit, worker=worker, assignment_id=assignment_id)
    if hit.group and (
        Assignment.objects.filter(worker=worker, hit__group=hit.group)
        .exclude(hit=hit)
        .exclude(status=Assignment.Status.ABANDONED)
        .exists()
    ):
        raise TaskUnavailable(
            "You already did this task in another HIT of the same batch. Please return it."
        )
    now = timezone.now()
    assignment, created = Assignment.objects.get_or_create(
        hit=hit,
        external_id=assignment_id,
        defaults={
            "worker": worker,
            "accepted_at": now,
            "deadline": now + timezone.timedelta(seconds=hit.hit_type.settings.duration),
        },
    )
    if assignment.worker_id != worker.pk:
        raise AssignmentAccessDenied("This assignment belongs to another worker.")
    if created:
        AssignmentEvent.objects.create(
            assignment=assignment, to_status=assignment.status, by="task page"
        )
    return assignment


def _check_local_reservation(*, hit: Hit, worker: Worker, assignment_id: str) -> None:
    from opensurfaces.crowd.models import LocalAssignment

    reservation = LocalAssignment.objects.filter(
        external_id=assignment_id, hit__external_id=hit.external_id
    ).first()
    if reservation is None or reservation.worker_id != worker.external_id:
        raise AssignmentAccessDenied("This assignment was not given to you.")
    if reservation.status == LocalAssignment.Status.ABANDONED:
        raise TaskUnavailable("Your time for this task ran out; it was given to someone else.")


def experiment_worker_for(*, hit: Hit, worker: Worker) -> ExperimentWorker:
    experiment_worker, _ = ExperimentWorker.objects.get_or_create(
        experiment=hit.experiment, worker=worker
    )
    return experiment_worker


def blocked_reason(*, worker: Worker, experiment_worker: ExperimentWorker) -> str | None:
    """Return why the worker may not work on this experiment, or None."""
    if worker.blocked:
        return worker.blocked_reason or "You are blocked from our tasks."
    if experiment_worker.blocked:
        return experiment_worker.blocked_reason or "You are blocked from this task."
    return None


def assignment_sentinels_pick(
    *, assignment: Assignment, experiment_worker: ExperimentWorker
) -> list[Sentinel]:
    """Choose the sentinels of an assignment once; later page loads get the same ones.

    Picks, highest priority first, sentinels the worker never answered and that are not
    real contents of this HIT.
    """
    wanted = assignment.hit.hit_type.settings.sentinels_per_assignment
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.num_sentinels is not None:
            return list(locked.sentinels.all())
        answered = SentinelResponse.objects.filter(experiment_worker=experiment_worker).values(
            "sentinel_id"
        )
        in_hit = assignment.hit.contents.values("object_id")
        chosen = (
            list(
                Sentinel.objects.filter(experiment=assignment.hit.experiment)
                .exclude(pk__in=answered)
                .exclude(object_id__in=in_hit)
                .order_by("-priority", "id")[:wanted]
            )
            if wanted
            else []
        )
        locked.sentinels.set(chosen)
        locked.num_sentinels = len(chosen)
        locked.save(update_fields=["num_sentinels", "updated_at"])
    assignment.num_sentinels = len(chosen)
    return chosen


def tutorial_complete(*, experiment_worker: ExperimentWorker) -> None:
    ExperimentWorker.objects.filter(pk=experiment_worker.pk).update(tutorial_completed=True)
