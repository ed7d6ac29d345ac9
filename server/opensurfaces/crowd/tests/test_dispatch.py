"""Scenarios 4-9: dispatch makes HITs of the configured shape, within limits and budget."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from opensurfaces.core.locks import LockHeld, db_lock
from opensurfaces.crowd.models import Hit, HitContent, HitType, PendingContent
from opensurfaces.crowd.services.dispatch import DISPATCH_LOCK, DispatchError, dispatch_all
from opensurfaces.crowd.tests.helpers import configure, scene_photos

pytestmark = pytest.mark.django_db


@pytest.fixture
def mturk(mturk_standin, settings):
    settings.CROWD_MARKETPLACE = "mturk"
    settings.CROWD_MIN_BALANCE = Decimal("10")
    return mturk_standin


def age(rows, seconds: int) -> None:
    PendingContent.objects.filter(pk__in=[r.pk for r in rows]).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_dispatch_makes_hits_of_the_configured_shape(mturk, settings):
    experiment = configure(contents_per_hit=50, num_outputs_max=5, reward=Decimal("0.02"))
    scene_photos(120)
    [report] = dispatch_all()
    assert (report.hits, report.assignments) == (2, 10)
    assert report.stopped_by == "leftover items waiting"
    hits = Hit.objects.filter(experiment=experiment)
    assert [(h.max_assignments, h.num_contents, h.contents.count()) for h in hits] == [
        (5, 50, 50),
        (5, 50, 50),
    ]
    scheduled = PendingContent.objects.filter(experiment=experiment, num_outputs_scheduled=5)
    assert scheduled.count() == 100
    assert PendingContent.objects.filter(num_outputs_scheduled=0).count() == 20
    state = mturk.snapshot()
    [hit_type] = state["hit_types"].values()
    stamp = f"{experiment.settings.created_at:%Y-%m-%d %H:%M:%S}, #{experiment.settings.pk}"
    assert hit_type["Description"].endswith(f"(updated {stamp})")
    assert hit_type["Reward"] == "0.02"
    assert all(
        f"<ExternalURL>{settings.SITE_URL}/mturk/external/task/{experiment.pk}/</ExternalURL>"
        in h["Question"]
        for h in state["hits"]
    )


def test_leftovers_go_out_once_they_have_waited(mturk, settings):
    settings.CROWD_LEFTOVER_SECONDS = 600
    configure(contents_per_hit=50)
    scene_photos(20)
    assert dispatch_all()[0].hits == 0
    age(PendingContent.objects.all(), 601)
    assert dispatch_all()[0].hits == 1
    assert Hit.objects.get().num_contents == 20


def test_segmentation_style_ratio_gives_one_assignment_per_item(mturk):
    experiment = configure(contents_per_hit=1, num_outputs_max=6, out_count_ratio=6)
    scene_photos(3)
    dispatch_all()
    assert [h.max_assignments for h in Hit.objects.filter(experiment=experiment)] == [1, 1, 1]
    assert set(PendingContent.objects.values_list("num_outputs_scheduled", flat=True)) == {6}


def test_budget_counts_rewards_and_fees_before_each_hit(mturk, settings):
    # $0.02 x 5 assignments + MTurk's $0.01 minimum fee each = $0.15 a HIT; $12 - $10 = $2.
    mturk.state.balance = Decimal("12.00")
    configure(contents_per_hit=1, num_outputs_max=5, reward=Decimal("0.02"))
    scene_photos(100)
    [report] = dispatch_all()
    assert (report.hits, report.spend, report.stopped_by) == (13, Decimal("1.95"), "balance")


def test_active_and_total_hit_limits(mturk):
    configure(contents_per_hit=1, max_active_hits=3)
    scene_photos(10)
    assert dispatch_all()[0].hits == 3
    assert dispatch_all()[0].hits == 0  # still 3 active
    configure(contents_per_hit=1, max_active_hits=100, max_total_hits=5)
    assert dispatch_all()[0].hits == 2  # the 3 earlier HITs count toward the total


def test_large_batches_are_split_to_avoid_the_surcharge(mturk):
    experiment = configure(contents_per_hit=2, num_outputs_max=20)
    scene_photos(2)
    [report] = dispatch_all()
    hits = list(Hit.objects.filter(experiment=experiment).order_by("id"))
    assert [h.max_assignments for h in hits] == [7, 7, 6]
    assert len({h.group for h in hits}) == 1 and hits[0].group
    # 20 x $0.02 + 20 x $0.01 minimum fee, instead of 20 x ($0.02 + 40%) in one HIT.
    assert report.spend == Decimal("0.60")
    assert set(PendingContent.objects.values_list("num_outputs_scheduled", flat=True)) == {20}


def test_partly_done_items_go_first_then_priority(mturk):
    experiment = configure(contents_per_hit=1, max_active_hits=2)
    low, high, partly = scene_photos(3)
    rows = {r.object_id: r for r in PendingContent.objects.filter(experiment=experiment)}
    PendingContent.objects.filter(pk=rows[low.pk].pk).update(priority=1)
    PendingContent.objects.filter(pk=rows[high.pk].pk).update(priority=50)
    PendingContent.objects.filter(pk=rows[partly.pk].pk).update(num_outputs_completed=2)
    dispatch_all()
    first, second = Hit.objects.filter(experiment=experiment).order_by("id")
    assert first.contents.get().object_id == partly.pk
    assert second.contents.get().object_id == high.pk


def test_items_of_deleted_inputs_are_dropped(mturk):
    from opensurfaces.photos.models import Photo

    configure(contents_per_hit=1)
    gone, kept = scene_photos(2)
    Photo.objects.filter(pk=gone.pk).delete()
    dispatch_all()
    assert list(HitContent.objects.values_list("object_id", flat=True)) == [kept.pk]
    assert not PendingContent.objects.filter(object_id=gone.pk).exists()


def test_hit_types_are_reused_until_the_settings_change(mturk):
    configure(contents_per_hit=1)
    scene_photos(2)
    dispatch_all()
    assert HitType.objects.count() == 1
    configure(contents_per_hit=1, reward=Decimal("0.03"))
    scene_photos(1)
    dispatch_all()
    assert HitType.objects.count() == 2
    assert len(mturk.snapshot()["hit_types"]) == 2


def test_a_known_hit_type_with_other_settings_needs_mtconfigure(mturk, monkeypatch):
    from opensurfaces.crowd.backends.mturk import MTurkBackend

    configure(contents_per_hit=1)
    scene_photos(1)
    dispatch_all()
    known = HitType.objects.get().external_id
    configure(contents_per_hit=1, frame_height=1200)
    scene_photos(1)
    monkeypatch.setattr(MTurkBackend, "create_hit_type", lambda self, spec: known)
    with pytest.raises(DispatchError, match="run mtconfigure again"):
        dispatch_all()


def test_only_one_dispatch_runs_at_a_time(mturk):
    configure()
    with db_lock(DISPATCH_LOCK, ttl=60), pytest.raises(LockHeld):
        dispatch_all()


def test_the_lock_is_released_after_a_failure(mturk, monkeypatch):
    from opensurfaces.crowd.services import dispatch

    configure()
    monkeypatch.setattr(dispatch, "pending_scan_all", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        dispatch_all()
    monkeypatch.undo()
    assert dispatch_all() is not None


def test_the_beat_task_does_nothing_when_the_pipeline_is_off(mturk, settings):
    from opensurfaces.crowd.tasks import crowd_dispatch

    settings.CROWD_PIPELINE_ENABLED = False
    configure(contents_per_hit=1)
    scene_photos(2)
    crowd_dispatch()
    assert not Hit.objects.exists()
    settings.CROWD_PIPELINE_ENABLED = True
    crowd_dispatch()
    assert Hit.objects.count() == 2


def test_mtconsume_prints_what_it_did(mturk):
    import io

    from django.core.management import call_command

    configure(contents_per_hit=1)
    scene_photos(2)
    out = io.StringIO()
    call_command("mtconsume", stdout=out)
    assert "quality_scene: 2 HITs, 10 assignments" in out.getvalue()
