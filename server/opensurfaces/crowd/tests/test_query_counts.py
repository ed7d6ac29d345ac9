"""The work queue and the task page cost the same number of queries however much work."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opensurfaces.crowd.models import Hit
from opensurfaces.crowd.services.dispatch import dispatch_all
from opensurfaces.crowd.tests.helpers import (
    CHROME,
    answers,
    configure,
    page_config,
    post_data,
    scene_photos,
)

pytestmark = pytest.mark.django_db


def count(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code in (200, 302), response.content[:300]
    return len(captured)


@pytest.fixture
def annotator(client, django_user_model, settings):
    settings.CROWD_MARKETPLACE = "local"
    client.force_login(django_user_model.objects.create_user("ann", password="pw"))
    client.defaults["HTTP_USER_AGENT"] = CHROME
    return client


def post_hits(number: int, per_hit: int) -> None:
    configure(contents_per_hit=per_hit, num_outputs_max=1)
    scene_photos(number * per_hit)
    dispatch_all()
    assert Hit.objects.count() >= number


def test_the_work_queue_does_not_grow_with_the_number_of_hits(annotator):
    post_hits(1, 2)
    annotator.get("/crowd/work/")  # the first visit records the annotator as a worker
    small = count(lambda: annotator.get("/crowd/work/"))
    post_hits(30, 2)
    assert count(lambda: annotator.get("/crowd/work/")) == small


def measure_task(client) -> tuple[int, int, int]:
    """Queries to reserve, open and submit the next task."""
    with CaptureQueriesContext(connection) as captured:
        url = client.post("/crowd/work/")["Location"]
    reserve = len(captured)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    page = len(captured)
    config = page_config(response)
    with CaptureQueriesContext(connection) as captured:
        assert client.post(url, post_data(config, answers(config))).status_code == 200
    return reserve, page, len(captured)


def test_the_task_page_does_not_grow_with_the_number_of_contents(
    annotator, django_user_model, client
):
    from django.test import Client

    from opensurfaces.crowd.models import Experiment

    configure(contents_per_hit=3, num_outputs_max=1)
    scene_photos(3)
    dispatch_all()
    small = measure_task(annotator)
    Experiment.objects.update(active=False)
    configure(slug="quality_scene_big", contents_per_hit=40, num_outputs_max=1)
    scene_photos(40)
    dispatch_all()
    other = Client(HTTP_USER_AGENT=CHROME)
    other.force_login(django_user_model.objects.create_user("bob", password="pw"))
    assert measure_task(other) == small
