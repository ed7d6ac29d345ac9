"""Reads for the crowd pages, including the one audited path to an assignment."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Model, Q

from opensurfaces.crowd.models import (
    Assignment,
    Experiment,
    ExperimentExample,
    ExperimentWorker,
    Feedback,
    Hit,
    HitContent,
    PendingContent,
    Worker,
)
from opensurfaces.crowd.tasktypes import get_task_type


class AssignmentAccessDenied(PermissionError):
    """The assignment exists but is not this worker's (or not this HIT's)."""


def hit_for_task_page(*, experiment_id: int, hit_id: str) -> Hit | None:
    """Return the HIT a task page was opened for, if it belongs to ``experiment_id``."""
    return (
        Hit.objects.select_related("experiment__settings", "hit_type")
        .filter(external_id=hit_id, experiment_id=experiment_id)
        .order_by("-id")
        .first()
    )


def assignment_get_for_worker(*, hit: Hit, worker: Worker, assignment_id: str) -> Assignment:
    """Return the assignment ``assignment_id`` of ``hit`` if ``worker`` holds it.

    This is the only way views reach an assignment: every check is here.
    Raises Assignment.DoesNotExist or AssignmentAccessDenied.
    """
    assignment = Assignment.objects.select_related("worker").get(
        hit=hit,
        external_id=assignment_id,
    )
    if assignment.worker_id != worker.pk:
        raise AssignmentAccessDenied("This assignment belongs to another worker.")
    if assignment.hit.marketplace != worker.marketplace:
        raise AssignmentAccessDenied("This assignment is on another marketplace.")
    return assignment


@dataclass(frozen=True)
class PageContent:
    content: Model
    sentinel: bool


def assignment_contents(*, assignment: Assignment | None, hit: Hit) -> list[PageContent]:
    """Return the inputs shown in a HIT, sentinels mixed in, in a stable shuffled order."""
    task_type = get_task_type(hit.experiment.task_type)
    ids = list(HitContent.objects.filter(hit=hit).values_list("object_id", flat=True))
    sentinel_ids = []
    if assignment is not None:
        sentinel_ids = list(assignment.sentinels.values_list("object_id", flat=True))
    objects = task_type.contents_queryset([*ids, *sentinel_ids]).in_bulk()
    items = [PageContent(objects[i], False) for i in ids if i in objects]
    items += [PageContent(objects[i], True) for i in sentinel_ids if i in objects and i not in ids]
    seed = assignment.external_id if assignment else hit.external_id
    random.Random(seed).shuffle(items)  # noqa: S311 (an order, not a secret)
    return items


def examples_for(experiment: Experiment, *, limit: int = 16) -> dict[str, list[Any]]:
    examples = list(ExperimentExample.objects.filter(experiment=experiment)[: limit * 2])
    task_type = get_task_type(experiment.task_type)
    objects = task_type.contents_queryset([e.object_id for e in examples]).in_bulk()
    return {
        "good": [objects[e.object_id] for e in examples if e.good and e.object_id in objects],
        "bad": [objects[e.object_id] for e in examples if not e.good and e.object_id in objects],
    }


def should_ask_for_feedback(*, assignment: Assignment, experiment_worker: ExperimentWorker) -> bool:
    """Ask on a worker's 3rd, 10th, 20th... assignment of a HIT type, until they answer."""
    if assignment.hit.hit_type.settings.feedback_bonus is None:
        return False
    count = Assignment.objects.filter(
        worker=assignment.worker, hit__hit_type=assignment.hit.hit_type
    ).count()
    if count != 3 and (count < 10 or count % 10):
        return False
    return not Feedback.objects.filter(
        assignment__worker=assignment.worker,
        assignment__hit__experiment__completed_id=experiment_worker.experiment.completed_id,
    ).exists()


# --- staff pages ---


# Filters of the staff pending-content page.
PENDING_FILTERS = {
    "all": Q(),
    "scheduled": Q(num_outputs_scheduled__gt=0),
    "unscheduled": Q(num_outputs_max__gt=F("num_outputs_completed") + F("num_outputs_scheduled")),
    "incomplete": Q(num_outputs_completed__lt=F("num_outputs_max")),
    "complete": Q(num_outputs_max__gt=0, num_outputs_completed__gte=F("num_outputs_max")),
}


def pending_counts(experiment: Experiment) -> dict[str, int]:
    """Return the number of pending rows under each filter, in one query."""
    counts = PendingContent.objects.filter(experiment=experiment).aggregate(
        **{f"n_{key}": Count("id", filter=condition) for key, condition in PENDING_FILTERS.items()}
    )
    return {key: counts[f"n_{key}"] for key in PENDING_FILTERS}


def pending_rows(experiment: Experiment, filter_key: str):
    return (
        PendingContent.objects.filter(experiment=experiment)
        .filter(PENDING_FILTERS[filter_key])
        .order_by("num_outputs_completed", "-priority", "id")
    )


def content_type_of(model: type[Model]) -> ContentType:
    return ContentType.objects.get_for_model(model)
