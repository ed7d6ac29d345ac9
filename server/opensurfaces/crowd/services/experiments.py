"""Apply the experiments declared in code (manage.py mtconfigure)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.db import transaction

from opensurfaces.crowd.models import Experiment, ExperimentSettings, Sentinel
from opensurfaces.crowd.tasktypes import ExperimentDefinition, get_task_type

# Settings compared to decide whether a new snapshot is needed.
_SNAPSHOT_FIELDS = [
    "marketplace", "sandbox", "title", "description", "keywords", "reward", "feedback_bonus",
    "contents_per_hit", "num_outputs_max", "min_output_consensus", "out_count_ratio",
    "sentinels_per_assignment", "duration", "lifetime", "auto_approval_delay",
    "max_active_hits", "max_total_hits", "priority", "frame_height", "qualifications",
    "requirements", "content_filter", "content_type_id", "out_content_type_id",
]  # fmt: skip


class ExperimentInvalid(ValueError):
    """A declared experiment cannot be applied; ``str(exc)`` says why."""


def _variant_text(variant: dict) -> str:
    return json.dumps(variant, sort_keys=True) if variant else ""


def _snapshot_values(definition: ExperimentDefinition) -> dict:
    task_type = get_task_type(definition.task_type)
    input_class, output_class = task_type.input_class(), task_type.output_class()
    if definition.reward > settings.CROWD_MAX_REWARD:
        raise ExperimentInvalid(
            f"{definition.slug}: reward ${definition.reward} is above the cap "
            f"${settings.CROWD_MAX_REWARD} (CROWD_MAX_REWARD)"
        )
    if definition.reward < 0 or definition.contents_per_hit < 1 or definition.out_count_ratio < 1:
        raise ExperimentInvalid(f"{definition.slug}: reward, batch size and ratio must be positive")
    try:
        input_class.objects.filter(**definition.content_filter).exists()
    except (FieldError, TypeError, ValueError) as exc:
        raise ExperimentInvalid(f"{definition.slug}: bad content_filter: {exc}") from exc
    consensus = definition.min_output_consensus or definition.num_outputs_max
    return {
        "marketplace": definition.marketplace or settings.CROWD_MARKETPLACE,
        "sandbox": settings.CROWD_SANDBOX,
        "title": definition.title,
        "description": definition.description,
        "keywords": definition.keywords,
        "reward": Decimal(definition.reward),
        "feedback_bonus": definition.feedback_bonus,
        "contents_per_hit": definition.contents_per_hit,
        "num_outputs_max": definition.num_outputs_max,
        "min_output_consensus": 1 if settings.CROWD_SANDBOX else consensus,
        "out_count_ratio": definition.out_count_ratio,
        "sentinels_per_assignment": definition.sentinels_per_assignment,
        "duration": definition.duration,
        "lifetime": definition.lifetime,
        "auto_approval_delay": definition.auto_approval_delay,
        "max_active_hits": definition.max_active_hits,
        "max_total_hits": definition.max_total_hits,
        "priority": definition.priority,
        "frame_height": definition.frame_height,
        "qualifications": []
        if settings.CROWD_SANDBOX
        else [{"name": name, "value": value} for name, value in definition.qualifications.items()],
        "requirements": definition.requirements,
        "content_filter": definition.content_filter,
        "content_type_id": ContentType.objects.get_for_model(input_class).pk,
        "out_content_type_id": ContentType.objects.get_for_model(output_class).pk,
    }


def experiment_configure(*, app_label: str, definition: ExperimentDefinition) -> Experiment:
    """Create or update one experiment; a changed configuration makes a new snapshot."""
    values = _snapshot_values(definition)
    experiment, _ = Experiment.objects.get_or_create(
        slug=definition.slug,
        variant=_variant_text(definition.variant),
        defaults={"app_label": app_label, "task_type": definition.task_type},
    )
    experiment.app_label = app_label
    experiment.task_type = definition.task_type
    experiment.completed_id = definition.completed_id or definition.slug
    experiment.has_tutorial = definition.has_tutorial
    experiment.active = definition.active
    current = experiment.settings
    if current is None or any(getattr(current, name) != value for name, value in values.items()):
        version = (current.version + 1) if current else 1
        experiment.settings = ExperimentSettings.objects.create(
            experiment=experiment, version=version, **values
        )
    experiment.save()
    if definition.sentinels is not None:
        _sentinels_register(experiment, definition)
    return experiment


def _sentinels_register(experiment: Experiment, definition: ExperimentDefinition) -> None:
    task_type = get_task_type(definition.task_type)
    for content, expected in definition.sentinels():
        Sentinel.objects.update_or_create(
            experiment=experiment,
            content_type=ContentType.objects.get_for_model(content),
            object_id=content.pk,
            defaults={"expected": expected, "priority": task_type.priority(content)},
        )


@transaction.atomic
def experiments_configure(definitions: list[tuple[str, ExperimentDefinition]]) -> list[Experiment]:
    """Apply every declared experiment; experiments not declared (or declared inactive)
    stop receiving new HITs. All or nothing: one invalid declaration changes nothing."""
    Experiment.objects.update(active=False)
    return [
        experiment_configure(app_label=label, definition=definition)
        for label, definition in definitions
    ]
