import pytest
from django.core.files.storage import default_storage

from opensurfaces.photos import imaging
from opensurfaces.photos.models import License, Photo
from opensurfaces.photos.services import (
    PhotoRefused,
    PhotoSource,
    photo_create,
    photo_thumbnails_generate,
)
from opensurfaces.photos.tests.factories import SceneCategoryFactory

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    _, files = (
        default_storage.listdir("photos/orig")
        if default_storage.exists("photos/orig")
        else ([], [])
    )
    return files


def test_create_stores_the_file_and_its_facts(
    image_bytes, django_capture_on_commit_callbacks, monkeypatch
):
    from opensurfaces.photos import tasks

    queued = []
    monkeypatch.setattr(tasks.photo_thumbnails_generate, "delay", queued.append)
    scene = SceneCategoryFactory(name="kitchen")
    license = License.objects.get(name="CC BY 2.0")
    data = image_bytes(200, 100)
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_create(
            data=data,
            filename="a.jpg",
            source=PhotoSource(license=license, scene_category=scene, attribution_name="Ann"),
        )
        assert queued == []  # nothing is queued before the commit
    assert queued == [photo.pk]
    photo.refresh_from_db()
    assert (photo.orig_width, photo.orig_height, photo.aspect_ratio) == (200, 100, 2.0)
    assert photo.md5 == imaging.md5_hex(data)
    assert photo.license == license and photo.scene_category == scene
    assert photo.attribution == "Ann"
    assert photo.thumbnails == {}
    with default_storage.open(photo.image_orig.name) as stored:
        assert stored.read() == data


def test_create_defaults_to_all_rights_reserved(image_bytes):
    photo = photo_create(data=image_bytes(seed=3), filename="b.jpg", source=PhotoSource())
    assert photo.license.name == "All Rights Reserved"
    assert photo.license.publishable is False


def test_duplicate_is_refused_and_nothing_is_stored(image_bytes):
    data = image_bytes(seed=4)
    first = photo_create(data=data, filename="c.jpg", source=PhotoSource())
    files_before = stored_files()
    with pytest.raises(PhotoRefused, match=f"duplicate of photo {first.pk}"):
        photo_create(data=data, filename="copy.jpg", source=PhotoSource())
    assert Photo.objects.count() == 1
    assert stored_files() == files_before


def test_refused_image_leaves_no_row_and_no_file():
    with pytest.raises(PhotoRefused, match="not an image"):
        photo_create(data=b"hello", filename="x.jpg", source=PhotoSource())
    assert Photo.objects.count() == 0
    assert stored_files() == []


def test_thumbnails_are_made_once(image_bytes):
    photo = photo_create(data=image_bytes(640, 480, seed=5), filename="d.jpg", source=PhotoSource())
    assert sorted(photo_thumbnails_generate(photo_id=photo.pk)) == sorted(imaging.THUMBNAILS)
    photo.refresh_from_db()
    assert set(photo.thumbnails) == set(imaging.THUMBNAILS)
    for name in photo.thumbnails.values():
        assert default_storage.exists(name)
    assert photo.thumbnail_url("square300").endswith("-square300.jpg")
    # A retry (or a second delivery of the task) does nothing.
    assert photo_thumbnails_generate(photo_id=photo.pk) == []


def test_thumbnails_of_a_deleted_photo_are_a_quiet_no_op():
    assert photo_thumbnails_generate(photo_id=987654) == []


def test_deleting_a_photo_removes_its_files(image_bytes, django_capture_on_commit_callbacks):
    photo = photo_create(data=image_bytes(seed=6), filename="e.jpg", source=PhotoSource())
    photo_thumbnails_generate(photo_id=photo.pk)
    photo.refresh_from_db()
    names = [photo.image_orig.name, *photo.thumbnails.values()]
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not any(default_storage.exists(name) for name in names)


def test_license_publishable_score():
    scores = {lic.name: lic.publishable_score for lic in License.objects.all()}
    assert scores["All Rights Reserved"] == 0
    assert scores["CC0 1.0 Universal"] == 15
    assert scores["CC BY 2.0"] == 14
    assert scores["CC BY-SA 2.0"] == 12
    assert scores["CC BY-NC-ND 2.0"] == 2


def test_sweep_queues_photos_left_without_thumbnails(image_bytes, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from opensurfaces.photos import tasks
    from opensurfaces.photos.services import photo_thumbnails_sweep

    queued = []
    monkeypatch.setattr(tasks.photo_thumbnails_generate, "delay", queued.append)
    old = photo_create(data=image_bytes(seed=20), filename="o.jpg", source=PhotoSource())
    done = photo_create(data=image_bytes(seed=21), filename="d.jpg", source=PhotoSource())
    recent = photo_create(data=image_bytes(seed=22), filename="r.jpg", source=PhotoSource())
    photo_thumbnails_generate(photo_id=done.pk)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Photo.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=an_hour_ago)
    assert photo_thumbnails_sweep() == [old.pk]
    assert queued == [old.pk]
    assert recent.pk not in queued


def test_a_photo_is_kept_when_the_broker_is_down(
    image_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    """The thumbnail task is queued after commit; if that fails the photo stays."""
    from kombu.exceptions import OperationalError

    from opensurfaces.photos import tasks

    def broker_down(*args):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.photo_thumbnails_generate, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_create(data=image_bytes(seed=23), filename="k.jpg", source=PhotoSource())
    assert Photo.objects.filter(pk=photo.pk).exists()
