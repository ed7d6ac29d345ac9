"""Submitting work: validation, storage before "success", repeats, sentinels (17, 23)."""

import json

import pytest
from django.test import override_settings

from opensurfaces.crowd.models import (
    Assignment,
    Experiment,
    ExperimentWorker,
    Feedback,
    Sentinel,
    SentinelResponse,
    Submission,
    Worker,
)
from opensurfaces.crowd.services.submissions import submission_process, submissions_sweep
from opensurfaces.crowd.tests.helpers import (
    answers,
    page_config,
    post_data,
    task_url,
    worker_client,
)
from opensurfaces.photos.models import Photo, PhotoSceneQualityLabel

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(mturk_hit):
    """A worker's open task page: (client, url, config)."""
    assignment_id = mturk_hit.accept("W1")
    client = worker_client()
    url = task_url(mturk_hit, assignment_id=assignment_id, worker_id="W1")
    return client, url, page_config(client.get(url))


def nothing_stored() -> bool:
    return (
        not Submission.objects.exists()
        and not Assignment.objects.filter(status="submitted").exists()
        and not PhotoSceneQualityLabel.objects.exists()
    )


def test_a_submission_is_stored_before_success_and_processing_is_queued(
    opened, django_capture_on_commit_callbacks, monkeypatch
):
    from opensurfaces.crowd import tasks

    client, url, config = opened
    queued = []
    monkeypatch.setattr(tasks.submission_process, "delay", queued.append)
    results = answers(config)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post_data(config, results, time_ms="12000"))
    assert response.status_code == 200
    assert response.json() == {"result": "success", "message": "success", "repeated": False}
    submission = Submission.objects.get()
    assert submission.results == results and submission.processed_at is None
    assert queued == [submission.pk]
    assignment = submission.assignment
    assert assignment.status == "submitted"
    assert (assignment.time_ms, assignment.time_active_ms) == (12000, 9000)
    assert (assignment.screen_width, assignment.screen_height) == (1920, 1080)
    assert assignment.ui_version == "1.0" and assignment.user_agent.startswith("Mozilla")
    assert [e.to_status for e in assignment.events.all()] == ["accepted", "submitted"]


def test_processing_makes_one_label_per_photo_and_is_idempotent(opened):
    client, url, config = opened
    results = answers(config)
    first = next(iter(results))
    results[first] = False
    client.post(url, post_data(config, results))
    submission = Submission.objects.get()
    assert submission_process(submission_id=submission.pk) is True
    assert submission_process(submission_id=submission.pk) is False  # a repeated task
    labels = {str(label.photo_id): label.correct for label in PhotoSceneQualityLabel.objects.all()}
    assert labels == results
    assignment = Assignment.objects.get()
    assert assignment.submitted_contents.count() == 3
    pending = assignment.hit.experiment.pending.all()
    assert {(p.num_outputs_completed, p.num_outputs_scheduled) for p in pending} == {(1, 4)}
    assert Experiment.objects.get(pk=assignment.hit.experiment_id).aggregation_dirty
    # Sandbox consensus is one vote: the photos' scene verdict is set at once.
    verdict = Photo.objects.get(pk=int(first))
    assert (verdict.scene_category_correct, verdict.scene_category_correct_method) == (False, "M")


def test_a_repeated_post_is_stored_once(opened):
    client, url, config = opened
    data = post_data(config, answers(config))
    assert client.post(url, data).json()["repeated"] is False
    assert client.post(url, data).json()["repeated"] is True
    assert Submission.objects.count() == 1


def test_a_different_second_post_is_a_conflict(opened):
    client, url, config = opened
    client.post(url, post_data(config, answers(config, True)))
    response = client.post(url, post_data(config, answers(config, False)))
    assert response.status_code == 409
    assert Submission.objects.get().results == answers(config, True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"results": "{not json"}, "results is not valid JSON"),
        ({"results": "[1, 2]"}, "results must be a JSON object"),
        ({"results": None}, "results is missing"),
        ({"version": '"2.0"'}, "unsupported version '2.0'"),
        ({"time_ms": '"soon"'}, "time_ms must be a number"),
        ({"time_ms": "-5"}, "time_ms is out of range"),
        ({"screen_width": "wide"}, "screen_width must be a number"),
        ({"feedback": "[1]"}, "feedback must be a JSON object"),
    ],
)
def test_malformed_posts_are_refused_with_nothing_stored(opened, change, message):
    client, url, config = opened
    data = post_data(config, answers(config))
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert nothing_stored()


def test_answers_must_cover_exactly_this_tasks_contents(opened):
    client, url, config = opened
    results = answers(config)
    results["999999"] = True
    response = client.post(url, post_data(config, results))
    assert response.status_code == 400
    assert "not in this task: 999999" in response.json()["message"]
    results.pop("999999")
    results.pop(next(iter(results)))
    response = client.post(url, post_data(config, results))
    assert response.status_code == 400 and "no answer for contents" in response.json()["message"]
    assert nothing_stored()


def test_answers_of_the_wrong_type_are_refused(opened):
    client, url, config = opened
    results = answers(config)
    results[next(iter(results))] = "yes"
    response = client.post(url, post_data(config, results))
    assert response.status_code == 400
    assert "expected true or false" in response.json()["message"]
    assert nothing_stored()


def test_oversized_posts_are_refused(opened, settings):
    client, url, config = opened
    settings.CROWD_MAX_POST_BYTES = 20_000
    data = post_data(config, answers(config), action_log="x" * 30_000)
    response = client.post(url, data)
    assert response.status_code == 413
    assert nothing_stored()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_bodies_over_django_limit_are_refused_not_crashed(opened, settings):
    client, url, config = opened
    settings.CROWD_MAX_POST_BYTES = 10_000_000
    response = client.post(url, post_data(config, answers(config), action_log="x" * 20_000))
    assert response.status_code == 413
    assert nothing_stored()


def test_partial_posts_are_kept_without_completing(opened, django_capture_on_commit_callbacks):
    client, url, config = opened
    partial = {next(iter(answers(config))): True}
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, post_data(config, partial, partial="true"))
    assert response.json()["message"] == "saved"
    assert callbacks == []  # no processing, no sync
    assignment = Assignment.objects.get()
    assert assignment.status == "accepted" and assignment.partial_results == partial
    assert not Submission.objects.exists()
    # The next page load gets the saved answers back.
    assert page_config(client.get(url))["partialResults"] == partial


def test_active_time_never_exceeds_total_time(opened):
    client, url, config = opened
    client.post(url, post_data(config, answers(config), time_ms="1000", time_active_ms="5000"))
    assert Assignment.objects.get().time_active_ms == 1000


def test_feedback_is_stored(opened):
    client, url, config = opened
    feedback = {"clear": "yes", "hard": "no"}
    client.post(url, post_data(config, answers(config), feedback=json.dumps(feedback)))
    assert Feedback.objects.get().answers == feedback


def test_with_the_broker_down_submissions_still_succeed_and_the_sweep_recovers_them(
    opened, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from opensurfaces.crowd import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    client, url, config = opened
    monkeypatch.setattr(tasks.submission_process, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post_data(config, answers(config)))
    assert response.status_code == 200 and response.json()["result"] == "success"
    submission = Submission.objects.get()
    assert submission.processed_at is None

    queued = []
    monkeypatch.setattr(tasks.submission_process, "delay", queued.append)
    assert submissions_sweep(older_than_seconds=0) == [submission.pk]
    assert queued == [submission.pk]
    tasks.submission_process(submission.pk)
    submission.refresh_from_db()
    assert submission.processed_at is not None
    assert PhotoSceneQualityLabel.objects.count() == 3
    assert submissions_sweep(older_than_seconds=0) == []


def test_a_failure_in_the_middle_of_processing_leaves_nothing_half_done(opened, monkeypatch):
    from opensurfaces.photos.tasktypes import QualitySceneTask

    client, url, config = opened
    client.post(url, post_data(config, answers(config)))
    submission = Submission.objects.get()
    original = QualitySceneTask.aggregate

    def crash(self, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(QualitySceneTask, "aggregate", crash)
    from opensurfaces.crowd import tasks

    with pytest.raises(RuntimeError):
        tasks.submission_process(submission.pk)
    submission.refresh_from_db()
    assert submission.processed_at is None and "worker died" in submission.last_error
    assert not PhotoSceneQualityLabel.objects.exists()  # the labels were rolled back
    monkeypatch.setattr(QualitySceneTask, "aggregate", original)
    tasks.submission_process(submission.pk)
    assert PhotoSceneQualityLabel.objects.count() == 3


# --- sentinels (scenario 23) ---


@pytest.fixture
def with_sentinels(mturk_hit):
    """Six extra photos registered as sentinels whose right answer is True."""
    from django.contrib.contenttypes.models import ContentType

    from opensurfaces.crowd.models import HitType
    from opensurfaces.photos.tests.factories import photo_rows

    settings = HitType.objects.get().settings
    type(settings).objects.filter(pk=settings.pk).update(sentinels_per_assignment=2)
    photo_type = ContentType.objects.get_for_model(Photo)
    for priority, photo in enumerate(photo_rows(6)):
        Sentinel.objects.create(
            experiment=mturk_hit.experiment,
            content_type=photo_type,
            object_id=photo.pk,
            expected=True,
            priority=priority,
        )
    return mturk_hit


def open_task(hit, worker_id: str):
    assignment_id = hit.accept(worker_id)
    client = worker_client()
    url = task_url(hit, assignment_id=assignment_id, worker_id=worker_id)
    return client, url, page_config(client.get(url))


def sentinel_ids(hit) -> set[str]:
    return {str(pk) for pk in Sentinel.objects.values_list("object_id", flat=True)}


def test_sentinels_are_mixed_in_and_the_same_on_reload(with_sentinels):
    client, url, config = open_task(with_sentinels, "W1")
    ids = {str(item["id"]) for item in config["contents"]}
    picked = ids & sentinel_ids(with_sentinels)
    assert len(ids) == 5 and len(picked) == 2
    assert {str(item["id"]) for item in page_config(client.get(url))["contents"]} == ids
    assignment = Assignment.objects.get()
    assert assignment.num_sentinels == 2
    # Highest priority first.
    assert sorted(int(i) for i in picked) == sorted(
        Sentinel.objects.order_by("-priority").values_list("object_id", flat=True)[:2]
    )


def test_wrong_sentinel_answers_are_graded_at_post_time(with_sentinels, monkeypatch):
    from opensurfaces.crowd import tasks

    client, url, config = open_task(with_sentinels, "W1")
    results = answers(config, True)
    for key in set(results) & sentinel_ids(with_sentinels):
        results[key] = False
    approvals = []
    monkeypatch.setattr(tasks.assignment_approve, "apply_async", lambda **kw: approvals.append(kw))
    client.post(url, post_data(config, results))
    assignment = Assignment.objects.get()
    assert (assignment.num_sentinels_correct, assignment.num_sentinels_incorrect) == (0, 2)
    assert SentinelResponse.objects.filter(correct=False).count() == 2
    worker = ExperimentWorker.objects.get()
    assert (worker.num_test_correct, worker.num_test_incorrect) == (0, 2)
    assert not worker.blocked
    # The worker's next assignment gets sentinels they have not answered yet.
    first_picked = set(results) & sentinel_ids(with_sentinels)
    next_url = task_url(with_sentinels, assignment_id="NEXT", worker_id="W1")
    Assignment.objects.create(hit=with_sentinels, worker=worker.worker, external_id="NEXT")
    next_ids = {str(i["id"]) for i in page_config(client.get(next_url))["contents"]}
    next_picked = next_ids & sentinel_ids(with_sentinels)
    assert len(next_picked) == 2 and not next_picked & first_picked


def test_many_wrong_sentinels_schedule_approval_with_a_warning_and_then_block(
    with_sentinels, django_capture_on_commit_callbacks, monkeypatch
):
    from opensurfaces.crowd import tasks
    from opensurfaces.crowd.models import HitType
    from opensurfaces.crowd.services.submissions import LOW_ACCURACY_MESSAGE

    settings = HitType.objects.get().settings
    type(settings).objects.filter(pk=settings.pk).update(sentinels_per_assignment=3)
    approvals = []
    monkeypatch.setattr(tasks.assignment_approve, "apply_async", lambda **kw: approvals.append(kw))
    client, url, config = open_task(with_sentinels, "BAD")
    results = answers(config, True)
    for key in set(results) & sentinel_ids(with_sentinels):
        results[key] = False
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, post_data(config, results))
    assert approvals and approvals[0]["args"][1] == LOW_ACCURACY_MESSAGE  # paid, never rejected
    worker = ExperimentWorker.objects.get(worker__external_id="BAD")
    assert worker.num_test_incorrect == 3 and not worker.blocked


def test_the_blocking_rule(with_sentinels):
    from opensurfaces.crowd.services.submissions import _apply_blocking_rule

    worker = ExperimentWorker.objects.create(
        experiment=with_sentinels.experiment,
        worker=Worker.objects.create(marketplace="mturk", external_id="W9"),
        num_test_correct=20,
        num_test_incorrect=6,
    )
    _apply_blocking_rule(worker)  # 6 wrong but 77% right: blocked
    assert worker.blocked and worker.blocked_method == "T"
    other = ExperimentWorker.objects.create(
        experiment=with_sentinels.experiment,
        worker=Worker.objects.create(marketplace="mturk", external_id="W10"),
        num_test_correct=40,
        num_test_incorrect=6,
    )
    _apply_blocking_rule(other)  # 87% right: fine
    assert not other.blocked


def test_a_sentinel_answered_in_two_hits_is_recorded_once(with_sentinels):
    from opensurfaces.crowd.services.submissions import _grade_sentinels

    client, url, config = open_task(with_sentinels, "W1")
    assignment = Assignment.objects.get()
    experiment_worker = ExperimentWorker.objects.get()
    results = answers(config)
    _grade_sentinels(assignment, experiment_worker, results)
    _grade_sentinels(assignment, experiment_worker, results)  # the same answers again
    assert SentinelResponse.objects.count() == 2


def test_auto_approval_is_scheduled_when_enabled(
    opened, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from opensurfaces.crowd import tasks

    settings.CROWD_AUTO_APPROVE = True
    settings.CROWD_AUTO_APPROVE_DELAY = 60
    scheduled = []
    monkeypatch.setattr(tasks.assignment_approve, "apply_async", lambda **kw: scheduled.append(kw))
    client, url, config = opened
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, post_data(config, answers(config)))
    assignment = Assignment.objects.get()
    assert scheduled == [{"args": [assignment.pk, "Thank you!"], "countdown": 60}]


def test_outputs_feed_downstream_experiments(
    opened, monkeypatch, django_capture_on_commit_callbacks
):
    """A new label is an input for any experiment taking labels (e.g. a review task)."""
    from opensurfaces.crowd import tasks
    from opensurfaces.crowd.models import PendingContent
    from opensurfaces.crowd.tasktypes import _REGISTRY, TaskType, register
    from opensurfaces.crowd.tests.helpers import configure

    @register
    class LabelReview(TaskType):
        key = "label_review_test"
        input_model = "photos.PhotoSceneQualityLabel"
        output_model = "photos.PhotoSceneQualityLabel"
        template = instructions_template = "photos/tasks/quality_scene.html"

    try:
        downstream = configure(
            slug="label_review", task_type="label_review_test", content_filter={}
        )
        client, url, config = opened
        queued = []
        monkeypatch.setattr(tasks.pending_add, "delay", lambda *args: queued.append(args))
        client.post(url, post_data(config, answers(config)))
        with django_capture_on_commit_callbacks(execute=True):
            submission_process(submission_id=Submission.objects.get().pk)
        for args in queued:
            tasks.pending_add(*args)
        labels = set(PhotoSceneQualityLabel.objects.values_list("pk", flat=True))
        assert (
            set(
                PendingContent.objects.filter(experiment=downstream).values_list(
                    "object_id", flat=True
                )
            )
            == labels
        )
    finally:
        _REGISTRY.pop("label_review_test")


def test_an_invalidated_vote_is_unscheduled_and_the_verdict_recomputed(opened, admin_client):
    """Scenario 27, on votes: staff mark an answer invalid in the admin."""
    from opensurfaces.crowd.models import PendingContent

    client, url, config = opened
    results = answers(config, False)
    client.post(url, post_data(config, results))
    submission_process(submission_id=Submission.objects.get().pk)
    label = PhotoSceneQualityLabel.objects.first()
    photo = label.photo
    photo.refresh_from_db()
    assert photo.scene_category_correct is False
    # Another experiment asked about this vote; invalidating it stops that.
    experiment = Assignment.objects.get().hit.experiment
    from django.contrib.contenttypes.models import ContentType

    PendingContent.objects.create(
        experiment=experiment,
        content_type=ContentType.objects.get_for_model(label),
        object_id=label.pk,
        num_outputs_max=5,
    )
    response = admin_client.post(
        "/admin/photos/photoscenequalitylabel/",
        {"action": "mark_invalid", "_selected_action": [label.pk]},
    )
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.invalid and label.quality_method == "A"
    assert (
        PendingContent.objects.get(
            object_id=label.pk, content_type__model="photoscenequalitylabel"
        ).num_outputs_max
        == 0
    )
    # Its only vote is invalid now: the majority verdict is withdrawn.
    photo.refresh_from_db()
    assert (photo.scene_category_correct, photo.scene_category_correct_method) == (None, "")
