"""An in-house annotator does a quality_scene task in a real browser."""

import pytest

from opensurfaces.crowd.models import Assignment, Hit, Submission
from opensurfaces.crowd.services.dispatch import dispatch_all
from opensurfaces.crowd.services.submissions import submissions_sweep
from opensurfaces.crowd.tests.helpers import configure, scene_photos
from opensurfaces.photos.models import PhotoSceneQualityLabel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def annotator(django_user_model):
    return django_user_model.objects.create_user("annotator", password="correct horse battery")


def test_annotator_logs_in_does_a_task_and_the_answers_are_processed(
    page, live_server, annotator, settings, monkeypatch
):
    from opensurfaces.crowd import tasks

    settings.CROWD_MARKETPLACE = "local"
    settings.SITE_URL = live_server.url
    configure(contents_per_hit=4, num_outputs_max=1)
    photos = scene_photos(4)
    dispatch_all()
    assert Hit.objects.count() == 1

    page.goto(f"{live_server.url}/crowd/work/")
    page.fill("#id_username", "annotator")
    page.fill("#id_password", "correct horse battery")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/crowd/work/")
    page.click("#start-next")
    page.wait_for_selector(".choice[data-id]")
    assert page.locator(".choice[data-id]").count() == 4

    chosen = [str(photos[0].pk), str(photos[2].pk)]
    for photo_id in chosen:
        page.click(f'.choice[data-id="{photo_id}"]')
    page.click(f'.choice[data-id="{photos[2].pk}"]')  # change of mind ...
    page.click(f'.choice[data-id="{photos[2].pk}"]')  # ... and back
    page.click("#task-submit")
    page.wait_for_url(f"{live_server.url}/crowd/work/")
    assert "Thank you! Your work was saved." in page.content()

    submission = Submission.objects.get()
    assert submission.results == {str(p.pk): str(p.pk) in chosen for p in photos}
    assignment = Assignment.objects.get()
    assert assignment.status == "submitted" and assignment.time_ms > 0
    assert "select" in assignment.action_log and "unselect" in assignment.action_log

    # The worker process would pick it up; the sweep queues it, the task processes it.
    queued = []
    monkeypatch.setattr(tasks.submission_process, "delay", queued.append)
    submissions_sweep(older_than_seconds=0)
    for submission_id in queued:
        tasks.submission_process(submission_id)
    assert {
        str(label.photo_id) for label in PhotoSceneQualityLabel.objects.filter(correct=True)
    } == set(chosen)


def test_a_submission_survives_a_server_outage(page, live_server, annotator, settings):
    """The page keeps the answers and sends them again when the server answers."""
    settings.CROWD_MARKETPLACE = "local"
    settings.SITE_URL = live_server.url
    configure(contents_per_hit=2, num_outputs_max=1)
    scene_photos(2)
    dispatch_all()
    page.goto(f"{live_server.url}/accounts/login/?next=/crowd/work/")
    page.fill("#id_username", "annotator")
    page.fill("#id_password", "correct horse battery")
    page.click("button.primary")
    page.click("#start-next")
    page.wait_for_selector(".choice[data-id]")
    page.click(".choice[data-id] >> nth=0")

    failures = {"left": 2}

    def flaky(route):
        if route.request.method == "POST" and failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=502, body="Bad Gateway")
        else:
            route.continue_()

    page.route("**/mturk/external/task/**", flaky)
    page.click("#task-submit")
    page.wait_for_selector("#task-status.error")
    assert "your work is kept" in page.inner_text("#task-status")
    page.wait_for_url(f"{live_server.url}/crowd/work/", timeout=20000)
    assert failures["left"] == 0
    assert Submission.objects.count() == 1
