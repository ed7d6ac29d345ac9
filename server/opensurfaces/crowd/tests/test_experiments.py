"""Scenario 1: mtconfigure activates only the declared experiments, with snapshots."""

import dataclasses
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from opensurfaces.crowd.models import Experiment, ExperimentSettings, Sentinel
from opensurfaces.crowd.services.experiments import ExperimentInvalid, experiments_configure
from opensurfaces.crowd.tests.helpers import QUALITY_SCENE, configure
from opensurfaces.photos.tests.factories import photo_add

pytestmark = pytest.mark.django_db


def test_mtconfigure_applies_the_declared_experiments():
    out = io.StringIO()
    call_command("mtconfigure", stdout=out)
    experiment = Experiment.objects.get(slug="quality_scene")
    assert experiment.active
    assert experiment.settings.version == 1
    assert experiment.settings.reward == Decimal("0.02")
    assert "quality_scene: active, settings v1" in out.getvalue()


def test_only_declared_experiments_stay_active_and_old_snapshots_are_kept():
    old = configure(slug="label_whitebalance_old")
    current = configure()
    first_settings = current.settings
    changed = dataclasses.replace(QUALITY_SCENE, reward=Decimal("0.03"), sentinels=None)
    experiments_configure([("photos", changed)])

    old.refresh_from_db()
    current.refresh_from_db()
    assert not old.active
    assert current.active
    assert current.settings.version == 2 and current.settings.reward == Decimal("0.03")
    first_settings.refresh_from_db()
    assert first_settings.reward == Decimal("0.02")  # snapshots never change
    assert ExperimentSettings.objects.filter(experiment=current).count() == 2


def test_an_unchanged_declaration_makes_no_new_snapshot():
    configure()
    configure()
    assert ExperimentSettings.objects.count() == 1


def test_a_reward_above_the_cap_is_refused_and_nothing_changes(settings):
    configure()
    settings.CROWD_MAX_REWARD = Decimal("0.20")
    expensive = dataclasses.replace(QUALITY_SCENE, reward=Decimal("0.25"), sentinels=None)
    with pytest.raises(ExperimentInvalid, match=r"reward \$0.25 is above the cap \$0.20"):
        experiments_configure([("photos", expensive)])
    experiment = Experiment.objects.get(slug="quality_scene")
    assert experiment.active and experiment.settings.reward == Decimal("0.02")


def test_a_bad_content_filter_is_refused():
    with pytest.raises(ExperimentInvalid, match="bad content_filter"):
        configure(content_filter={"no_such_field": 1})


def test_mtconfigure_reports_refusals(monkeypatch):
    from opensurfaces.crowd import tasktypes

    expensive = dataclasses.replace(QUALITY_SCENE, reward=Decimal("5"))
    monkeypatch.setattr(
        "opensurfaces.crowd.management.commands.mtconfigure.declared_experiments",
        lambda: [("photos", expensive)],
    )
    assert tasktypes  # the command reads declarations through this module
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("mtconfigure", stdout=io.StringIO())
    assert not Experiment.objects.exists()


def test_sentinels_are_registered_from_the_declaration():
    synthetic = photo_add(synthetic=True)
    photo_add()
    experiment = configure(sentinels=lambda: [(synthetic, True)], sentinels_per_assignment=2)
    [sentinel] = Sentinel.objects.filter(experiment=experiment)
    assert (sentinel.object_id, sentinel.expected) == (synthetic.pk, True)


def test_sandbox_settings_relax_consensus_and_drop_qualifications(settings):
    settings.CROWD_SANDBOX = True
    assert configure().settings.qualifications == []
    settings.CROWD_SANDBOX = False
    production = configure().settings
    assert {q["name"] for q in production.qualifications} == {"num_approved", "perc_approved"}
    assert production.min_output_consensus == QUALITY_SCENE.num_outputs_max
