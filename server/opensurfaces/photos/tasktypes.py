"""Crowd task types on photos."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import Count, Q

from opensurfaces.crowd.models import ResultBase
from opensurfaces.crowd.tasktypes import ResultInvalid, SubmitItem, TaskType, register
from opensurfaces.photos.models import Photo, PhotoSceneQualityLabel


@register
class QualitySceneTask(TaskType):
    """quality_scene: is each photo upright and really of its scene category?

    Answers are {photo id: true|false}. The crowd's majority sets the photo's
    scene_category_correct once enough votes are in.
    """

    key = "quality_scene"
    input_model = "photos.Photo"
    output_model = "photos.PhotoSceneQualityLabel"
    template = "photos/tasks/quality_scene.html"
    instructions_template = "photos/tasks/quality_scene_inst.html"
    output_input_field = "photo"
    title = "Scene category check"

    def contents_queryset(self, ids):
        return Photo.objects.filter(pk__in=list(ids)).select_related("scene_category")

    def content_entry(self, content: Photo) -> dict[str, Any]:
        return {
            "id": content.pk,
            "url": content.thumbnail_url("fit512"),
            "scene": content.scene_category.name if content.scene_category else "",
            "aspect": content.aspect_ratio,
        }

    def page_context(self, contents: Sequence[Photo]) -> dict[str, Any]:
        """Photos grouped by their scene category, widest first within a group."""

        def scene_name(photo: Photo) -> str:
            return photo.scene_category.name if photo.scene_category else ""

        ordered = sorted(contents, key=lambda p: (scene_name(p), -p.aspect_ratio))
        groups = [
            {"scene": scene, "category": photos[0].scene_category, "photos": photos}
            for scene, photos in ((s, list(g)) for s, g in groupby(ordered, key=scene_name))
        ]
        return {"scene_groups": groups}

    def validate_result(self, content: Photo, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ResultInvalid("expected true or false")
        return value

    def submit(self, *, assignment, experiment, items: Sequence[SubmitItem]) -> dict[int, list]:
        reward = (assignment.hit.reward / max(1, len(items))).quantize(Decimal("0.0001"))
        outputs = {}
        for item in items:
            label, _ = PhotoSceneQualityLabel.objects.get_or_create(
                assignment=assignment,
                photo=item.content,
                defaults={
                    "correct": item.result,
                    "worker": assignment.worker,
                    "sandbox": assignment.hit.sandbox,
                    "time_ms": item.time_ms,
                    "time_active_ms": item.time_active_ms,
                    "reward": reward,
                },
            )
            outputs[item.content.pk] = [label]
        return outputs

    def completed_counts(self, *, experiment_ids, object_ids) -> dict[int, int]:
        rows = (
            PhotoSceneQualityLabel.objects.filter(
                photo_id__in=object_ids,
                invalid=False,
                assignment__hit__experiment_id__in=experiment_ids,
            )
            .values("photo_id")
            .annotate(count=Count("id"))
        )
        return {row["photo_id"]: row["count"] for row in rows}

    def priority(self, content: Photo) -> float:
        return float(content.license.publishable_score if content.license_id else 0)

    def aggregate(self, *, experiment, object_ids) -> list[int]:
        """Majority of valid votes, once min_output_consensus votes are in.

        Score = (yes - no) / votes. A majority verdict without enough valid votes left
        (some were marked invalid) is cleared; photos decided by staff (method A) are
        left alone.
        """
        needed = max(1, experiment.settings.min_output_consensus)
        votes = {
            row["photo_id"]: row
            for row in PhotoSceneQualityLabel.objects.filter(photo_id__in=object_ids, invalid=False)
            .values("photo_id")
            .annotate(yes=Count("id", filter=Q(correct=True)), total=Count("id"))
        }
        changed = []
        for photo in Photo.objects.filter(pk__in=object_ids):
            if photo.scene_category_correct_method == ResultBase.QualityMethod.ADMIN:
                continue
            row = votes.get(photo.pk, {"yes": 0, "total": 0})
            if row["total"] >= needed:
                yes, no = row["yes"], row["total"] - row["yes"]
                verdict = (yes > no, (yes - no) / row["total"], ResultBase.QualityMethod.MAJORITY)
            elif photo.scene_category_correct_method == ResultBase.QualityMethod.MAJORITY:
                verdict = (None, None, "")
            else:
                continue
            current = (
                photo.scene_category_correct,
                photo.scene_category_correct_score,
                photo.scene_category_correct_method,
            )
            if current == verdict:
                continue
            (
                photo.scene_category_correct,
                photo.scene_category_correct_score,
                photo.scene_category_correct_method,
            ) = verdict
            photo.save(
                update_fields=[
                    "scene_category_correct",
                    "scene_category_correct_score",
                    "scene_category_correct_method",
                    "updated_at",
                ]
            )
            changed.append(photo.pk)
        return changed

    def sample_results(self, contents, rng: random.Random) -> dict[str, Any]:
        return {str(c.pk): rng.random() < 0.8 for c in contents}
