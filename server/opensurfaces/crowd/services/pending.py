"""Pending content: which inputs each active experiment still wants outputs for."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Model, Value
from django.db.models.functions import Greatest

from opensurfaces.crowd.models import Experiment, PendingContent
from opensurfaces.crowd.tasktypes import get_task_type

logger = logging.getLogger(__name__)

CHUNK = 1000


def content_added(model: type[Model], object_ids: Iterable[int]) -> None:
    """Queue a pending-content update for new or changed inputs, after the commit."""
    from opensurfaces.crowd.tasks import pending_add as pending_add_task

    ids = sorted(set(object_ids))
    if ids:
        label = model._meta.label
        transaction.on_commit(lambda: pending_add_task.delay(label, ids), robust=True)


def pending_add(*, model: type[Model], object_ids: Sequence[int] | None = None) -> int:
    """Bring the pending content of every active experiment on ``model`` up to date.

    With ``object_ids`` only those inputs are looked at, otherwise all of them. Inputs
    that fail an experiment's filter stop being wanted (num_outputs_max = 0; their HITs
    stay); inputs that pass get a row, or have their demand raised to the current
    setting; rows of inputs that no longer exist are deleted. Returns the number of rows
    created.
    """
    content_type = ContentType.objects.get_for_model(model)
    experiments = Experiment.objects.filter(
        active=True, settings__content_type=content_type
    ).select_related("settings")
    return sum(
        _experiment_pending_update(experiment, content_type, object_ids)
        for experiment in experiments
    )


def pending_scan_all() -> int:
    """Update the pending content of every active experiment over all its inputs."""
    created = 0
    for experiment in Experiment.objects.filter(active=True).select_related("settings"):
        content_type = experiment.settings.content_type
        created += _experiment_pending_update(experiment, content_type, None)
    return created


def _experiment_pending_update(
    experiment: Experiment, content_type: ContentType, object_ids: Sequence[int] | None
) -> int:
    settings = experiment.settings
    task_type = get_task_type(experiment.task_type)
    inputs = task_type.input_class().objects.all()
    rows = PendingContent.objects.filter(experiment=experiment, content_type=content_type)
    if object_ids is not None:
        inputs = inputs.filter(pk__in=object_ids)
        rows = rows.filter(object_id__in=object_ids)
    passing = inputs.filter(**settings.content_filter)

    with transaction.atomic():
        rows.exclude(object_id__in=inputs.values("pk")).delete()  # the input is gone
        rows.filter(num_outputs_max__gt=0).exclude(object_id__in=passing.values("pk")).update(
            num_outputs_max=0
        )
        rows.filter(
            object_id__in=passing.values("pk"), num_outputs_max__lt=settings.num_outputs_max
        ).update(num_outputs_max=settings.num_outputs_max)

    new_ids = list(
        passing.exclude(pk__in=rows.values("object_id")).order_by("pk").values_list("pk", flat=True)
    )
    sharing = list(
        Experiment.objects.filter(completed_id=experiment.completed_id).values_list("pk", flat=True)
    )
    created = 0
    for start in range(0, len(new_ids), CHUNK):
        chunk = new_ids[start : start + CHUNK]
        contents = task_type.contents_queryset(chunk)
        done = task_type.completed_counts(experiment_ids=sharing, object_ids=chunk)
        created += len(
            PendingContent.objects.bulk_create(
                [
                    PendingContent(
                        experiment=experiment,
                        content_type=content_type,
                        object_id=content.pk,
                        num_outputs_max=settings.num_outputs_max,
                        num_outputs_completed=done.get(content.pk, 0),
                        priority=task_type.priority(content),
                    )
                    for content in contents
                ],
                ignore_conflicts=True,  # a concurrent scan made the same rows
            )
        )
    if created:
        logger.info("%s: %d new pending items", experiment, created)
    return created


def pending_outputs_recorded(*, experiment: Experiment, counts: dict[int, int]) -> None:
    """Count an assignment's outputs: completed += outputs, scheduled -= the ratio.

    One UPDATE per distinct output count (usually one for the whole assignment).
    """
    settings = experiment.settings
    by_count: dict[int, list[int]] = {}
    for object_id, outputs in counts.items():
        by_count.setdefault(outputs, []).append(object_id)
    for outputs, object_ids in by_count.items():
        PendingContent.objects.filter(
            experiment=experiment, content_type=settings.content_type, object_id__in=object_ids
        ).update(
            num_outputs_completed=F("num_outputs_completed") + outputs,
            num_outputs_scheduled=Greatest(
                F("num_outputs_scheduled") - settings.out_count_ratio, Value(0)
            ),
        )


def pending_unschedule_object(*, model: type[Model], object_id: int) -> int:
    """Stop every experiment from asking about an object (it was marked invalid)."""
    content_type = ContentType.objects.get_for_model(model)
    return PendingContent.objects.filter(content_type=content_type, object_id=object_id).update(
        num_outputs_max=0
    )
