"""A browse page costs the same number of queries whatever the size of the catalog."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opensurfaces.photos.tests.factories import SceneCategoryFactory, photo_rows

pytestmark = pytest.mark.django_db

BROWSE_QUERY_BUDGET = 4  # scene, page, filter counts, scene counts


def queries_for(client, url: str) -> int:
    cache.clear()  # cold: every fragment is rendered
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/photos/", "/photos/scene/kitchen/all/", "/photos/scene/all/clean/", "/"]
)
def test_cold_page_queries_do_not_grow_with_the_catalog(client, url):
    kitchen = SceneCategoryFactory(name="kitchen")
    photo_rows(10, scene_category=kitchen)
    small = queries_for(client, url)
    photo_rows(
        990, scene_category=kitchen, scene_category_correct=True, scene_category_correct_score=1.0
    )
    large = queries_for(client, url)
    assert small == large
    assert large <= BROWSE_QUERY_BUDGET


def test_a_deep_page_costs_what_the_first_page_costs(client, settings):
    settings.PHOTOS_PER_PAGE = 10
    photo_rows(1000)
    first = queries_for(client, "/photos/")
    url = "/photos/"
    for _ in range(50):  # walk to page 51
        html = client.get(url).content.decode()
        url = re.search(r'rel="next" href="([^"]+)"', html).group(1)
    assert queries_for(client, url) == first


def test_a_warm_page_needs_no_query_for_its_fragments(client, django_assert_num_queries):
    photo_rows(20)
    client.get("/photos/")
    with django_assert_num_queries(0):
        assert client.get("/photos/").status_code == 200


def test_a_warm_photo_page_needs_no_query(client, django_assert_num_queries):
    photo = photo_rows(1)[0]
    client.get(photo.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(photo.get_absolute_url()).status_code == 200
