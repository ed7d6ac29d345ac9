"""memcached holds the rendered photo fragment: stored on the first request, served from
memcached on the next, dropped when the photo changes; flush and warm scripts."""

from __future__ import annotations

import uuid

import pytest

from opensurfaces.core.cache import photo_detail_key
from tests.stack.stack import script, wait_until

pytestmark = pytest.mark.stack


def test_the_photo_fragment_is_stored_in_served_from_and_dropped_from_memcached(stack, photo_id):
    memcached = stack.memcached()
    key = stack.memcached_key(photo_detail_key(photo_id))
    script("flush_memcached.sh")
    assert memcached.get(key) is None

    # The first request renders the fragment from PostgreSQL and stores it.
    first = stack.get(f"/photos/{photo_id}/")
    assert first.status_code == 200
    fragment = memcached.get(key)
    assert f'data-id="{photo_id}"' in fragment
    assert fragment in first.text

    # The next one is served from memcached: what is stored there is what the page shows.
    marker = f'<p id="served-from-memcached">{uuid.uuid4().hex}</p>'
    memcached.set(key, marker)
    hits = int(memcached.stats()[b"get_hits"])
    assert marker in stack.get(f"/photos/{photo_id}/").text
    assert int(memcached.stats()[b"get_hits"]) > hits

    # Saving the photo drops the fragment once the transaction commits.
    description = f"changed-{uuid.uuid4().hex}"
    script(
        "manage.sh",
        "shell",
        "-c",
        "from opensurfaces.photos.models import Photo\n"
        f"photo = Photo.objects.get(pk={photo_id})\n"
        f"photo.description = {description!r}\n"
        "photo.save(update_fields=['description'])",
    )
    assert memcached.get(key) is None
    page = stack.get(f"/photos/{photo_id}/").text
    assert description in page
    assert marker not in page
    assert description in memcached.get(key)


def test_flush_memcached_empties_every_server(stack, photo_id):
    stack.get(f"/photos/{photo_id}/")
    assert int(stack.memcached().stats()[b"curr_items"]) > 0
    result = script("flush_memcached.sh")
    assert "flushed memcached on 127.0.0.1:11211" in result.stdout
    assert stack.memcached().get(stack.memcached_key(photo_detail_key(photo_id))) is None


def test_warm_cache_renders_the_pages_into_memcached(stack, photo_id):
    script("flush_memcached.sh")
    result = script("warm_cache.sh")
    pages = int(result.stdout.split()[1])
    assert pages > 3, result.stdout
    memcached = stack.memcached()
    wait_until(
        lambda: memcached.get(stack.memcached_key(photo_detail_key(photo_id))),
        10,
        "the newest photo's fragment to be cached",
    )
