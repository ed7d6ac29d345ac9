"""Shared set-up for the crowd tests: experiments, photos, workers on a task page."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from urllib.parse import urlencode

from django.test import Client

from opensurfaces.crowd.models import Experiment, Hit
from opensurfaces.crowd.services.experiments import experiment_configure
from opensurfaces.crowd.services.pending import pending_add
from opensurfaces.photos.experiments import EXPERIMENTS
from opensurfaces.photos.models import Photo
from opensurfaces.photos.tests.factories import SceneCategoryFactory, photo_rows

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
QUALITY_SCENE = EXPERIMENTS[0]


def configure(**overrides) -> Experiment:
    """Apply quality_scene with some settings changed (no sentinels unless asked)."""
    overrides.setdefault("sentinels", None)
    overrides.setdefault("sentinels_per_assignment", 0)
    definition = dataclasses.replace(QUALITY_SCENE, **overrides)
    return experiment_configure(app_label="photos", definition=definition)


def scene_photos(count: int, **fields) -> list[Photo]:
    """Photos with a scene category, with their pending content made."""
    kitchen = SceneCategoryFactory(name="kitchen")
    photos = photo_rows(count, scene_category=kitchen, **fields)
    pending_add(model=Photo, object_ids=[p.pk for p in photos])
    return photos


def task_url(hit: Hit, *, assignment_id: str, worker_id: str = "", submit_to: str = "") -> str:
    query = {"hitId": hit.external_id, "assignmentId": assignment_id}
    if worker_id:
        query["workerId"] = worker_id
    if submit_to:
        query["turkSubmitTo"] = submit_to
    return f"/mturk/external/task/{hit.experiment_id}/?{urlencode(query)}"


def worker_client() -> Client:
    return Client(HTTP_USER_AGENT=CHROME)


def page_config(response) -> dict:
    html = response.content.decode()
    match = re.search(
        r'<script id="task-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, html[:500]
    return json.loads(match.group(1))


def answers(config: dict, value=True) -> dict[str, object]:
    return {str(item["id"]): value for item in config["contents"]}


def post_data(config: dict, results: dict, **extra) -> dict[str, str]:
    data = {
        "token": config["token"],
        "results": json.dumps(results),
        "version": json.dumps("1.0"),
        "time_ms": "12000",
        "time_active_ms": "9000",
        "screen_width": "1920",
        "screen_height": "1080",
        "action_log": "[]",
    }
    data.update(extra)
    return data


def money(text: str) -> Decimal:
    return Decimal(text)


def fake_assignment(experiment: Experiment, *, worker_id: str = "W1", status: str = "submitted"):
    """An assignment on a HIT of its own, made directly (no marketplace involved)."""
    import uuid

    from django.utils import timezone

    from opensurfaces.crowd.models import Assignment, HitType
    from opensurfaces.crowd.services.assignments import worker_get_or_create

    settings = experiment.settings
    hit_type, _ = HitType.objects.get_or_create(
        marketplace=settings.marketplace,
        sandbox=settings.sandbox,
        external_id="TYPE-" + str(settings.pk),
        defaults={"experiment": experiment, "settings": settings},
    )
    hit = Hit.objects.create(
        hit_type=hit_type,
        experiment=experiment,
        marketplace=settings.marketplace,
        sandbox=settings.sandbox,
        external_id=uuid.uuid4().hex,
        max_assignments=1,
        reward=settings.reward,
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    worker = worker_get_or_create(marketplace=settings.marketplace, external_id=worker_id)
    return Assignment.objects.create(
        hit=hit,
        worker=worker,
        external_id=uuid.uuid4().hex,
        status=status,
        submitted_at=timezone.now(),
    )
