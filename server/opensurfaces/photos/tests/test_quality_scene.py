"""The quality_scene task type: answers, labels and the majority verdict."""

import pytest

from opensurfaces.crowd.tasktypes import ResultInvalid, get_task_type
from opensurfaces.crowd.tests.helpers import configure, fake_assignment
from opensurfaces.photos.models import Photo, PhotoSceneQualityLabel
from opensurfaces.photos.tests.factories import photo_rows

pytestmark = pytest.mark.django_db

TASK = get_task_type("quality_scene")


def vote(experiment, photo, answers):
    for n, correct in enumerate(answers):
        assignment = fake_assignment(experiment, worker_id=f"{photo.pk}-{n}")
        PhotoSceneQualityLabel.objects.create(photo=photo, correct=correct, assignment=assignment)


def test_answers_must_be_booleans():
    photo = photo_rows(1)[0]
    assert TASK.validate_result(photo, True) is True
    for bad in ("true", 1, None, {"selected": True}):
        with pytest.raises(ResultInvalid):
            TASK.validate_result(photo, bad)


def test_majority_with_consensus(settings):
    settings.CROWD_SANDBOX = False  # consensus = all 5 outputs wanted
    experiment = configure()
    yes, no, early, staff = photo_rows(4)
    vote(experiment, yes, [True, True, True, False, False])
    vote(experiment, no, [False, False, False, False, True])
    vote(experiment, early, [True, True])
    Photo.objects.filter(pk=staff.pk).update(
        scene_category_correct=False, scene_category_correct_method="A"
    )
    vote(experiment, staff, [True] * 5)
    changed = TASK.aggregate(
        experiment=experiment, object_ids=[p.pk for p in (yes, no, early, staff)]
    )
    assert sorted(changed) == sorted([yes.pk, no.pk])
    verdicts = {
        p.pk: (
            p.scene_category_correct,
            p.scene_category_correct_score,
            p.scene_category_correct_method,
        )
        for p in Photo.objects.all()
    }
    assert verdicts[yes.pk] == (True, pytest.approx(0.2), "M")
    assert verdicts[no.pk] == (False, pytest.approx(-0.6), "M")
    assert verdicts[early.pk] == (None, None, "")  # 2 votes of 5 needed
    assert verdicts[staff.pk][0] is False and verdicts[staff.pk][2] == "A"  # staff decide
    # Recomputing with nothing new changes nothing.
    assert TASK.aggregate(experiment=experiment, object_ids=[yes.pk, no.pk]) == []


def test_a_tie_is_not_correct(settings):
    settings.CROWD_SANDBOX = True
    experiment = configure()
    photo = photo_rows(1)[0]
    vote(experiment, photo, [True, False])
    TASK.aggregate(experiment=experiment, object_ids=[photo.pk])
    photo.refresh_from_db()
    assert (photo.scene_category_correct, photo.scene_category_correct_score) == (False, 0.0)
