"""The local marketplace: in-house annotators take tasks at /crowd/work/."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from opensurfaces.crowd.models import Assignment, Hit, LocalAssignment, Submission
from opensurfaces.crowd.services.dispatch import dispatch_all
from opensurfaces.crowd.services.local import local_release_abandoned
from opensurfaces.crowd.tests.helpers import (
    CHROME,
    answers,
    configure,
    page_config,
    post_data,
    scene_photos,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_hit(settings):
    settings.CROWD_MARKETPLACE = "local"
    configure(contents_per_hit=3, num_outputs_max=2)
    scene_photos(3)
    dispatch_all()
    return Hit.objects.get()


@pytest.fixture
def annotator(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ann", password="pw"))
    client.defaults["HTTP_USER_AGENT"] = CHROME
    return client


def start(client) -> str:
    response = client.post("/crowd/work/")
    assert response.status_code == 302
    return response["Location"]


def test_the_queue_needs_an_account(client, local_hit):
    response = client.get("/crowd/work/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_annotator_does_a_task_from_the_queue(annotator, local_hit):
    page = annotator.get("/crowd/work/").content.decode()
    assert "Which photos show" in page
    url = start(annotator)
    assert url.startswith(f"/mturk/external/task/{local_hit.experiment_id}/?hitId=")
    response = annotator.get(url)
    config = page_config(response)
    assert config["submitTo"].endswith("/crowd/local")
    assert annotator.post(url, post_data(config, answers(config))).json()["result"] == "success"
    assert Submission.objects.count() == 1
    assert LocalAssignment.objects.get().status == "Submitted"
    # The finishing redirect brings them back to the queue with a thank-you.
    response = annotator.post("/crowd/local/mturk/externalSubmit", follow=True)
    assert b"Thank you! Your work was saved." in response.content
    # The same HIT is not offered again to the same person.
    assert annotator.post("/crowd/work/", follow=True).redirect_chain[-1][0] == "/crowd/work/"


def test_an_unfinished_task_is_resumed(annotator, local_hit):
    assert start(annotator) == start(annotator)
    assert LocalAssignment.objects.count() == 1


def test_two_annotators_get_the_two_slots_and_a_third_gets_nothing(
    annotator, local_hit, django_user_model
):
    start(annotator)
    others = []
    for name in ("bob", "cy"):
        other = Client(HTTP_USER_AGENT=CHROME)
        other.force_login(django_user_model.objects.create_user(name, password="pw"))
        others.append(other)
    assert start(others[0]).startswith("/mturk/external/task/")
    response = others[1].post("/crowd/work/", follow=True)
    assert b"There is no task for you right now" in response.content


def test_someone_elses_reservation_cannot_be_opened(annotator, local_hit, django_user_model):
    url = start(annotator)
    intruder = Client(HTTP_USER_AGENT=CHROME)
    intruder.force_login(django_user_model.objects.create_user("eve", password="pw"))
    assert intruder.get(url).status_code == 404  # the URL names another account's worker id
    forged = url.split("&workerId=")[0]
    assert intruder.get(forged).status_code == 403
    assert not Assignment.objects.filter(worker__user__username="eve").exists()


def test_an_abandoned_reservation_is_released_for_someone_else(
    annotator, local_hit, django_user_model
):
    url = start(annotator)
    config = page_config(annotator.get(url))
    LocalAssignment.objects.update(deadline=timezone.now() - timedelta(seconds=1))
    assert local_release_abandoned() == 1
    assert Assignment.objects.get().status == "abandoned"
    # Submitting after the deadline is refused; the slot went back to the pool.
    response = annotator.post(url, post_data(config, answers(config)))
    assert response.status_code == 410
    assert not Submission.objects.exists()


def test_returning_a_task_frees_it(annotator, local_hit):
    url = start(annotator)
    annotator.get(url)
    assignment = Assignment.objects.get()
    response = annotator.post(f"/crowd/work/return/{assignment.external_id}/")
    assert response.status_code == 302
    assert LocalAssignment.objects.get().status == "Abandoned"
    assert Assignment.objects.get().status == "abandoned"


def test_blocked_annotators_get_no_work(annotator, local_hit, django_user_model):
    from opensurfaces.crowd.services.assignments import local_worker
    from opensurfaces.crowd.services.review import worker_block

    worker = local_worker(django_user_model.objects.get(username="ann"))
    worker_block(worker=worker, reason="Please read the guide first.")
    page = annotator.get("/crowd/work/").content.decode()
    assert "Please read the guide first." in page
