"""Custom qualifications are mirrored on the marketplace and required by HIT types."""

from decimal import Decimal

import pytest

from opensurfaces.crowd.models import Qualification, QualificationGrant, Worker
from opensurfaces.crowd.services.dispatch import DispatchError, dispatch_all
from opensurfaces.crowd.services.qualifications import qualification_grant, qualification_revoke
from opensurfaces.crowd.tests.helpers import configure, scene_photos

pytestmark = pytest.mark.django_db


@pytest.fixture
def master():
    return Qualification.objects.create(
        slug="mat_seg", name="Material Segmentation Master", description="Careful outlines"
    )


def test_granting_mirrors_on_mturk(mturk_standin, master):
    worker = Worker.objects.create(marketplace="mturk", external_id="A1")
    qualification_grant(qualification=master, worker=worker, value=1, sandbox=True)
    master.refresh_from_db()
    type_id = master.external_ids["mturk-sandbox"]
    assert mturk_standin.state.qualifications[(type_id, "A1")] == 1
    assert QualificationGrant.objects.get().value == 1
    qualification_revoke(qualification=master, worker=worker, reason="retired", sandbox=True)
    assert (type_id, "A1") not in mturk_standin.state.qualifications
    assert not QualificationGrant.objects.get().granted


def test_production_hit_types_require_built_in_and_custom_qualifications(
    mturk_standin, master, settings
):
    settings.CROWD_MARKETPLACE = "mturk"
    settings.CROWD_SANDBOX = False
    mturk_standin.state.balance = Decimal("100")
    configure(contents_per_hit=1, qualifications={"perc_approved": 97, "mat_seg": 1})
    scene_photos(1)
    dispatch_all()
    [hit_type] = mturk_standin.snapshot()["hit_types"].values()
    requirements = {
        (q["QualificationTypeId"], q["Comparator"], q["IntegerValues"][0])
        for q in hit_type["QualificationRequirements"]
    }
    master.refresh_from_db()
    assert requirements == {
        ("000000000000000000L0", "GreaterThanOrEqualTo", 97),
        (master.external_ids["mturk-production"], "EqualTo", 1),
    }


def test_an_unknown_qualification_stops_dispatch(mturk_standin, settings):
    settings.CROWD_MARKETPLACE = "mturk"
    settings.CROWD_SANDBOX = False
    configure(contents_per_hit=1, qualifications={"no_such_qualification": 1})
    scene_photos(1)
    with pytest.raises(DispatchError, match="unknown qualification 'no_such_qualification'"):
        dispatch_all()
