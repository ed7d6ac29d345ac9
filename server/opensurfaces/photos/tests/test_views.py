import re

import pytest
from django.urls import reverse

from opensurfaces.photos.models import Photo
from opensurfaces.photos.selectors import FILTERS
from opensurfaces.photos.tests.factories import SceneCategoryFactory, photo_add, photo_rows

pytestmark = pytest.mark.django_db


def grid_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-model="photos/photo" data-id="(\d+)"', html)]


def next_link(html: str) -> str | None:
    match = re.search(r'rel="next" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_browse_lists_photos_newest_first(client):
    photos = photo_rows(5)
    response = client.get("/photos/")
    assert response.status_code == 200
    assert grid_ids(response.content.decode()) == [p.pk for p in reversed(photos)]


def test_browse_pages_cover_every_photo_once(client, settings):
    settings.PHOTOS_PER_PAGE = 7
    photos = photo_rows(30)
    url, seen = "/photos/scene/all/all/", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        seen += grid_ids(html)
        url = next_link(html)
    assert seen == sorted((p.pk for p in photos), reverse=True)


def test_endless_scroll_fragment_is_only_the_grid(client, settings):
    settings.PHOTOS_PER_PAGE = 2
    photo_rows(3)
    first = client.get("/photos/").content.decode()
    fragment = client.get(next_link(first) + "&fragment=1")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and len(grid_ids(body)) == 1


def test_browse_by_scene_and_filter(client):
    kitchen = SceneCategoryFactory(name="kitchen")
    in_kitchen = photo_rows(2, scene_category=kitchen)
    synthetic = photo_rows(1, scene_category=kitchen, synthetic=True)
    photo_rows(3)  # elsewhere
    html = client.get("/photos/scene/kitchen/all/").content.decode()
    assert sorted(grid_ids(html)) == sorted(p.pk for p in in_kitchen + synthetic)
    html = client.get("/photos/scene/kitchen/syn/").content.decode()
    assert grid_ids(html) == [synthetic[0].pk]
    assert 'Synthetic <span class="count">1</span>' in html


def test_clean_filter_uses_the_default_filters(client):
    good = photo_rows(1, scene_category_correct=True, scene_category_correct_score=1.5)
    photo_rows(1, scene_category_correct=True)  # no score yet
    photo_rows(1, scene_category_correct=True, scene_category_correct_score=2.0, rotated=True)
    html = client.get("/photos/scene/all/clean/").content.decode()
    assert grid_ids(html) == [good[0].pk]


def test_vanishing_point_filter_orders_by_vanishing_length(client):
    rows = photo_rows(
        3, scene_category_correct=True, scene_category_correct_score=1.0, vanishing_length=0.0
    )
    for photo, length in zip(rows, [2.0, 9.0, 5.0], strict=True):
        Photo.objects.filter(pk=photo.pk).update(vanishing_length=length)
    html = client.get("/photos/scene/all/vp/").content.decode()
    assert grid_ids(html) == [rows[1].pk, rows[2].pk, rows[0].pk]


def test_every_filter_key_renders(client):
    photo_rows(2)
    for key in FILTERS:
        assert client.get(f"/photos/scene/all/{key}/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/photos/scene/all/bogus/", "/photos/scene/spaceship/all/", "/photos/12345/"]
)
def test_unknown_filter_scene_or_photo_is_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("cursor", ["zzz", "W10", "WyJhIl0", "x" * 500, "WzEsMl0"])
def test_bad_cursor_is_a_400(client, cursor):
    response = client.get("/photos/", {"after": cursor})
    assert response.status_code == 400
    assert b"Invalid page cursor" in response.content


def test_extra_query_parameters_never_filter(client):
    photos = photo_rows(3)
    response = client.get("/photos/", {"id": photos[0].pk, "md5__startswith": "x", "synthetic": 1})
    assert sorted(grid_ids(response.content.decode())) == sorted(p.pk for p in photos)


def test_detail_shows_the_photo_and_its_license(client):
    photo = photo_add(attribution_name="Jane Roe")
    response = client.get(reverse("photos:detail", args=[photo.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Photo {photo.pk}" in html
    assert "All Rights Reserved" in html and "Jane Roe" in html
    assert photo.image_orig.url in html


def test_detail_of_a_synthetic_scene_shows_its_ground_truth(client):
    from opensurfaces.photos.models import GroundTruthRegion

    photo = photo_add(synthetic=True)
    GroundTruthRegion.objects.create(
        photo=photo, vertices=[0, 0, 1, 0, 1, 1], material="Wood", z_order=0
    )
    html = client.get(photo.get_absolute_url()).content.decode()
    assert 'data-material="Wood"' in html
    assert 'points="0.00000,0.00000 1.00000,0.00000 1.00000,1.00000"' in html


def test_home_page_shows_statistics_and_recent_photos(client):
    photos = photo_rows(4, synthetic=True)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="stat-photos">4</dd>' in html
    assert '<dd id="stat-synthetic">4</dd>' in html
    assert f'href="/photos/{photos[-1].pk}/"' in html
