"""Staff decisions on individual answers."""

from __future__ import annotations

from django.db import transaction

from opensurfaces.crowd.models import ResultBase
from opensurfaces.crowd.services.pending import pending_unschedule_object
from opensurfaces.crowd.tasktypes import get_task_type


def result_invalidate(*, result: ResultBase) -> list[int]:
    """Mark an answer invalid (method A): no experiment asks about it any more, and the
    trusted label of its input is recomputed without it. Returns inputs whose label changed.
    Idempotent."""
    model = type(result)
    with transaction.atomic():
        updated = model.objects.filter(pk=result.pk, invalid=False).update(
            invalid=True, quality_method=ResultBase.QualityMethod.ADMIN
        )
        pending_unschedule_object(model=model, object_id=result.pk)
        if not updated or result.assignment_id is None:
            return []
        experiment = result.assignment.hit.experiment
        task_type = get_task_type(experiment.task_type)
        input_id = getattr(result, f"{task_type.output_input_field}_id")
        return task_type.aggregate(experiment=experiment, object_ids=[input_id])
