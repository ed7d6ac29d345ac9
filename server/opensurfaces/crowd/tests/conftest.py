import pytest

from opensurfaces.crowd.testing.mturk_standin import MTurkStandIn


@pytest.fixture
def mturk_standin(settings):
    """A fresh MTurk API stand-in, with boto3 pointed at it."""
    standin = MTurkStandIn().start()
    settings.MTURK_ENDPOINT_URL = standin.url
    settings.MTURK_AWS_ACCESS_KEY_ID = "AKIDEXAMPLE"
    settings.MTURK_AWS_SECRET_ACCESS_KEY = "secret"
    yield standin
    standin.stop()


@pytest.fixture
def mturk_hit(mturk_standin, settings, db):
    """A quality_scene HIT of 3 photos posted on the MTurk stand-in, and a way to accept it."""
    import requests

    from opensurfaces.crowd.models import Hit
    from opensurfaces.crowd.services.dispatch import dispatch_all
    from opensurfaces.crowd.tests.helpers import configure, scene_photos

    settings.CROWD_MARKETPLACE = "mturk"
    configure(contents_per_hit=3, num_outputs_max=5)
    scene_photos(3)
    dispatch_all()
    hit = Hit.objects.get()

    def accept(worker_id: str) -> str:
        response = requests.post(
            f"{mturk_standin.url}/_standin/accept",
            json={"HITId": hit.external_id, "WorkerId": worker_id},
            timeout=5,
        )
        assert response.status_code == 200, response.text
        return response.json()["AssignmentId"]

    hit.accept = accept
    return hit
