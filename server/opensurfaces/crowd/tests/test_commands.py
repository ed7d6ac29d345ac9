"""The operator commands: mtpending, mtapprove_loop, mtdelete (sandbox only)."""

import io

import pytest
from django.core.management import CommandError, call_command

from opensurfaces.crowd.models import Assignment, Hit, PendingContent
from opensurfaces.crowd.tests.helpers import configure
from opensurfaces.crowd.tests.test_review import submit
from opensurfaces.photos.tests.factories import SceneCategoryFactory, photo_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def hit(mturk_hit, mturk_standin, settings):
    settings.CROWD_MARKETPLACE = "mturk"
    mturk_hit.standin_url = mturk_standin.url
    return mturk_hit


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_mtpending_rescans_every_input():
    configure()
    photo_rows(4, scene_category=SceneCategoryFactory(name="kitchen"))
    assert "4 new pending items" in run("mtpending")
    assert PendingContent.objects.count() == 4
    assert "0 new pending items" in run("mtpending")


def test_mtapprove_loop_approves_matching_experiments(hit, mturk_standin):
    first, second = submit(hit, "W1"), submit(hit, "W2")
    assert "approved 0" in run("mtapprove_loop", "^label_", "--once")
    assert "approved 2" in run("mtapprove_loop", "quality_scene", "--once")
    assert set(Assignment.objects.values_list("status", flat=True)) == {"approved"}
    statuses = {a["AssignmentStatus"] for a in mturk_standin.snapshot()["assignments"]}
    assert statuses == {"Approved"}
    assert first.pk != second.pk


def test_mtapprove_loop_refuses_a_bad_regex():
    with pytest.raises(CommandError, match="bad regex"):
        run("mtapprove_loop", "(", "--once")


def test_mtdelete_removes_sandbox_hits_and_refuses_production(hit, mturk_standin, settings):
    settings.CROWD_SANDBOX = False
    with pytest.raises(CommandError, match="only runs on the sandbox"):
        run("mtdelete", "all", "--yes")
    settings.CROWD_SANDBOX = True
    assert "deleted 1 HITs" in run("mtdelete", "quality_scene", "--yes")
    assert not Hit.objects.exists()
    assert all(h["Deleted"] for h in mturk_standin.snapshot()["hits"])
    # The items can be dispatched again.
    assert set(PendingContent.objects.values_list("num_outputs_scheduled", flat=True)) == {0}


def test_mtdelete_asks_before_deleting(hit, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="nothing was changed"):
        run("mtdelete", "all")
    assert Hit.objects.count() == 1
