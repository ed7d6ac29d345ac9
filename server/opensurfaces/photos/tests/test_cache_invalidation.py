"""Cached fragments are dropped when what they show changes."""

import pytest

from opensurfaces.photos.models import Photo
from opensurfaces.photos.services import photo_thumbnails_generate
from opensurfaces.photos.tests.factories import photo_add, photo_rows

pytestmark = pytest.mark.django_db


def test_photo_page_shows_an_edit_at_once(client, django_capture_on_commit_callbacks):
    photo = photo_rows(1)[0]
    assert "A sunny kitchen" not in client.get(photo.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        photo.description = "A sunny kitchen"
        photo.save(update_fields=["description"])
    assert "A sunny kitchen" in client.get(photo.get_absolute_url()).content.decode()


def test_photo_page_is_served_from_cache_until_a_change(client):
    photo = photo_rows(1)[0]
    client.get(photo.get_absolute_url())
    # A write that bypasses the ORM's signals is not seen: the page really is cached.
    Photo.objects.filter(pk=photo.pk).update(description="changed behind the cache")
    assert "changed behind the cache" not in client.get(photo.get_absolute_url()).content.decode()


def test_a_new_photo_appears_in_lists_at_once(client, django_capture_on_commit_callbacks):
    photo_rows(3)
    client.get("/photos/")
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        new = photo_add()
    assert f'data-id="{new.pk}"' in client.get("/photos/").content.decode()
    assert f'href="/photos/{new.pk}/"' in client.get("/").content.decode()


def test_new_thumbnails_replace_the_original_on_cached_pages(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_add()
    html = client.get(photo.get_absolute_url()).content.decode()
    assert "-fit1024.jpg" not in html
    with django_capture_on_commit_callbacks(execute=True):
        photo_thumbnails_generate(photo_id=photo.pk)
    assert "-fit1024.jpg" in client.get(photo.get_absolute_url()).content.decode()
    assert "-square300.jpg" in client.get("/photos/").content.decode()


def test_a_deleted_photo_is_gone_from_its_page_and_lists(
    client, django_capture_on_commit_callbacks
):
    photo = photo_rows(1)[0]
    client.get(photo.get_absolute_url())
    client.get("/photos/")
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.get(pk=photo.pk).delete()
    assert client.get(photo.get_absolute_url()).status_code == 404
    assert f'data-id="{photo.pk}"' not in client.get("/photos/").content.decode()


def test_nothing_is_invalidated_before_the_transaction_commits(client):
    from django.core.cache import cache

    from opensurfaces.core import cache as cache_keys

    photo = photo_rows(1)[0]
    client.get(photo.get_absolute_url())
    # Without a commit the on-commit invalidation never runs.
    photo.description = "uncommitted"
    photo.save(update_fields=["description"])
    assert cache.get(cache_keys.photo_detail_key(photo.pk)) is not None
