"""Scenarios 2, 3 and 27: inputs become pending; filters and invalidation zero demand."""

import pytest

from opensurfaces.crowd.models import PendingContent
from opensurfaces.crowd.services.pending import (
    pending_add,
    pending_scan_all,
    pending_unschedule_object,
)
from opensurfaces.crowd.tests.helpers import configure, fake_assignment, scene_photos
from opensurfaces.photos.models import Photo
from opensurfaces.photos.services import PhotoRefused, PhotoSource, photo_create
from opensurfaces.photos.tests.factories import SceneCategoryFactory, photo_rows

pytestmark = pytest.mark.django_db


def test_new_photos_become_pending_and_a_duplicate_is_refused(
    image_bytes, django_capture_on_commit_callbacks, monkeypatch
):
    from opensurfaces.crowd import tasks

    experiment = configure()
    kitchen = SceneCategoryFactory(name="kitchen")
    queued = []
    monkeypatch.setattr(tasks.pending_add, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        first = photo_create(
            data=image_bytes(seed=1), filename="a.jpg", source=PhotoSource(scene_category=kitchen)
        )
        second = photo_create(
            data=image_bytes(seed=2), filename="b.jpg", source=PhotoSource(scene_category=kitchen)
        )
        with pytest.raises(PhotoRefused, match="duplicate"):
            photo_create(data=image_bytes(seed=1), filename="c.jpg", source=PhotoSource())
    assert queued == [("photos.Photo", [first.pk]), ("photos.Photo", [second.pk])]
    for label, ids in queued:
        tasks.pending_add(label, ids)  # what the worker runs
    rows = PendingContent.objects.filter(experiment=experiment).order_by("object_id")
    assert [
        (r.object_id, r.num_outputs_max, r.num_outputs_completed, r.num_outputs_scheduled)
        for r in rows
    ] == [(first.pk, 5, 0, 0), (second.pk, 5, 0, 0)]
    assert Photo.objects.count() == 2


def test_inputs_failing_the_filter_get_no_pending_content():
    configure()
    photo_rows(2)  # no scene category
    assert pending_scan_all() == 0
    assert not PendingContent.objects.exists()


def test_failing_the_filter_later_zeroes_demand_and_passing_again_restores_it():
    experiment = configure()
    [photo] = scene_photos(1)
    row = PendingContent.objects.get(experiment=experiment, object_id=photo.pk)
    Photo.objects.filter(pk=photo.pk).update(scene_category=None)
    pending_add(model=Photo, object_ids=[photo.pk])
    row.refresh_from_db()
    assert row.num_outputs_max == 0
    Photo.objects.filter(pk=photo.pk).update(scene_category=SceneCategoryFactory(name="attic"))
    pending_add(model=Photo, object_ids=[photo.pk])
    row.refresh_from_db()
    assert row.num_outputs_max == 5


def test_demand_is_raised_when_the_setting_grows():
    experiment = configure()
    [photo] = scene_photos(1)
    configure(num_outputs_max=8)
    pending_scan_all()
    assert (
        PendingContent.objects.get(experiment=experiment, object_id=photo.pk).num_outputs_max == 8
    )


def test_inactive_experiments_get_nothing():
    configure(active=False)
    scene_photos(3)
    assert not PendingContent.objects.exists()


def test_invalidating_an_object_unschedules_it_everywhere():
    configure()
    [photo] = scene_photos(1)
    assert pending_unschedule_object(model=Photo, object_id=photo.pk) == 1
    assert PendingContent.objects.get(object_id=photo.pk).num_outputs_max == 0


def test_completed_counts_start_from_existing_outputs():
    from opensurfaces.photos.models import PhotoSceneQualityLabel

    experiment = configure()
    photos = scene_photos(1)
    PendingContent.objects.all().delete()
    # Two earlier votes under the same experiment count as done.
    for n in range(2):
        assignment = fake_assignment(experiment, worker_id=f"W{n}")
        PhotoSceneQualityLabel.objects.create(photo=photos[0], correct=True, assignment=assignment)
    pending_scan_all()
    assert PendingContent.objects.get(object_id=photos[0].pk).num_outputs_completed == 2
