"""Scenarios 10-14, 18 and 29: what a worker sees when opening a task page."""

import pytest

from opensurfaces.crowd.models import Assignment, ExperimentWorker, Hit, Worker
from opensurfaces.crowd.services.review import worker_block
from opensurfaces.crowd.tests.helpers import (
    answers,
    page_config,
    post_data,
    task_url,
    worker_client,
)

pytestmark = pytest.mark.django_db

SAFARI = "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"
MOBILE = "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36"


def test_preview_shows_instructions_and_saves_nothing(mturk_hit):
    url = task_url(mturk_hit, assignment_id="ASSIGNMENT_ID_NOT_AVAILABLE")
    response = worker_client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Instructions" in html and 'id="task-submit"' not in html
    assert page_config(response)["preview"] is True
    assert not Assignment.objects.exists() and not Worker.objects.exists()


@pytest.mark.parametrize("agent", [SAFARI, MOBILE, ""])
def test_unsupported_browsers_are_told_so(mturk_hit, client, agent):
    url = task_url(mturk_hit, assignment_id="ASSIGNMENT_ID_NOT_AVAILABLE")
    response = client.get(url, HTTP_USER_AGENT=agent)
    assert response.status_code == 403
    assert b"desktop browser: Google Chrome or Firefox" in response.content


def test_an_accepted_task_records_the_worker_and_assignment(mturk_hit):
    assignment_id = mturk_hit.accept("WORKER1")
    url = task_url(
        mturk_hit,
        assignment_id=assignment_id,
        worker_id="WORKER1",
        submit_to="https://workersandbox.mturk.com",
    )
    response = worker_client().get(url)
    assert response.status_code == 200
    config = page_config(response)
    assert config["mode"] == "task" and config["assignmentId"] == assignment_id
    assert len(config["contents"]) == 3
    assert config["submitTo"] == "https://workersandbox.mturk.com"
    assignment = Assignment.objects.get(external_id=assignment_id)
    assert assignment.worker.external_id == "WORKER1" and assignment.hit == mturk_hit
    assert ExperimentWorker.objects.filter(worker=assignment.worker).exists()
    # Reloading shows the same contents in the same order.
    assert page_config(worker_client().get(url))["contents"] == config["contents"]


def test_another_worker_cannot_take_over_an_assignment(mturk_hit):
    assignment_id = mturk_hit.accept("OWNER")
    client = worker_client()
    config = page_config(
        client.get(task_url(mturk_hit, assignment_id=assignment_id, worker_id="OWNER"))
    )
    intruder_url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="INTRUDER")
    assert client.get(intruder_url).status_code == 403
    response = client.post(intruder_url, post_data(config, answers(config)))
    assert response.status_code == 403
    assert response.json()["message"] == "This assignment belongs to another worker."
    assert Assignment.objects.get(external_id=assignment_id).status == "accepted"


def test_a_forged_token_is_refused(mturk_hit):
    assignment_id = mturk_hit.accept("W1")
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1")
    config = page_config(worker_client().get(url))
    config["token"] = "forged"
    response = worker_client().post(url, post_data(config, answers(config)))
    assert response.status_code == 403
    assert Assignment.objects.get(external_id=assignment_id).status == "accepted"


def test_an_unknown_hit_is_a_404_and_is_expired_on_the_marketplace(
    mturk_hit, mturk_standin, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from opensurfaces.crowd import tasks

    expired = []
    monkeypatch.setattr(tasks.hit_expire_remote, "delay", lambda *a: expired.append(a))
    url = f"/mturk/external/task/{mturk_hit.experiment_id}/?hitId=STRAY&assignmentId=A1&workerId=W1"
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client().get(url)
    assert response.status_code == 404
    assert expired == [("mturk", True, "STRAY")]


def test_the_experiment_in_the_url_must_be_the_hits(mturk_hit):
    assignment_id = mturk_hit.accept("W1")
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1").replace(
        f"/task/{mturk_hit.experiment_id}/", f"/task/{mturk_hit.experiment_id + 100}/"
    )
    assert worker_client().get(url).status_code == 404


def test_a_missing_hit_id_is_a_404(mturk_hit):
    response = worker_client().get(f"/mturk/external/task/{mturk_hit.experiment_id}/")
    assert response.status_code == 404


@pytest.mark.parametrize("everywhere", [False, True])
def test_blocked_workers_see_the_reason(mturk_hit, everywhere):
    assignment_id = mturk_hit.accept("W1")
    worker = Worker.objects.create(marketplace="mturk", external_id="W1")
    worker_block(
        worker=worker,
        reason="You skipped the instructions.",
        experiment=None if everywhere else mturk_hit.experiment,
    )
    response = worker_client().get(task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "too low quality" in html and "You skipped the instructions." in html


def test_the_tutorial_comes_first_until_completed(mturk_hit):
    from opensurfaces.crowd.models import Experiment

    Experiment.objects.filter(pk=mturk_hit.experiment_id).update(has_tutorial=True)
    assignment_id = mturk_hit.accept("W1")
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1")
    client = worker_client()
    config = page_config(client.get(url))
    assert config["mode"] == "tutorial"
    response = client.post(url, {"token": config["token"], "tutorial_complete": "true"})
    assert response.json() == {"result": "success", "message": "tutorial complete"}
    assert ExperimentWorker.objects.get(worker__external_id="W1").tutorial_completed
    assert page_config(client.get(url))["mode"] == "task"
    # A preview never shows the tutorial.
    preview = client.get(task_url(mturk_hit, assignment_id="ASSIGNMENT_ID_NOT_AVAILABLE"))
    assert page_config(preview)["mode"] == "instructions"


def test_feedback_is_asked_on_the_3rd_10th_and_20th_assignment(mturk_hit):
    from opensurfaces.crowd.models import Feedback

    worker = Worker.objects.create(marketplace="mturk", external_id="W1")
    asked = []
    for n in range(1, 21):
        assignment = Assignment.objects.create(hit=mturk_hit, worker=worker, external_id=f"A{n}")
        response = worker_client().get(task_url(mturk_hit, assignment_id=f"A{n}", worker_id="W1"))
        if page_config(response)["askFeedback"]:
            asked.append(n)
        if n == 10:
            Feedback.objects.create(assignment=assignment, answers={"a": "fine"})
    assert asked == [3, 10]  # not 20: they gave feedback on the 10th


def test_a_sandbox_hit_is_refused_when_sandbox_posts_are_not_accepted(mturk_hit, settings):
    assignment_id = mturk_hit.accept("W1")
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1")
    config = page_config(worker_client().get(url))
    settings.CROWD_ACCEPT_SANDBOX_HITS = False
    response = worker_client().post(url, post_data(config, answers(config)))
    assert response.status_code == 400
    assert "Sandbox tasks are not accepted" in response.json()["message"]
    assert not Assignment.objects.filter(status="submitted").exists()


def test_a_preview_cannot_be_submitted(mturk_hit):
    url = task_url(mturk_hit, assignment_id="ASSIGNMENT_ID_NOT_AVAILABLE")
    response = worker_client().post(url, {"results": "{}"})
    assert response.status_code == 400
    assert response.json()["result"] == "error"


def test_browser_counters_count_atomically(mturk_hit):
    client = worker_client()
    for _ in range(3):
        assert (
            client.post(f"/mturk/external/compatible/{mturk_hit.external_id}/").status_code == 200
        )
    client.post(f"/mturk/external/incompatible/{mturk_hit.external_id}/")
    mturk_hit.refresh_from_db()
    assert (mturk_hit.compatible_count, mturk_hit.incompatible_count) == (3, 1)
    assert client.post("/mturk/external/compatible/NOPE/").status_code == 404
    assert client.get(f"/mturk/external/compatible/{mturk_hit.external_id}/").status_code == 405


def test_staff_preview_renders_without_an_assignment(mturk_hit, admin_client):
    for mode in ("inst", "task"):
        response = admin_client.get(
            f"/mturk/admin/preview-task/{mturk_hit.experiment_id}/{mode}/",
            HTTP_USER_AGENT="Chrome/131.0",
        )
        assert response.status_code == 200
        assert page_config(response)["preview"] is True
    assert Hit.objects.count() == 1 and not Assignment.objects.exists()
