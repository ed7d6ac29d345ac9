"""End to end on the MTurk stand-in: photos in, HITs out, a worker's answers back, paid."""

import io
import json
from decimal import Decimal

import pytest
import requests
from django.core.management import call_command

from opensurfaces.crowd.models import Assignment, Hit, Payment, Submission
from opensurfaces.crowd.tests.helpers import CHROME, page_config, post_data
from opensurfaces.photos.models import Photo, PhotoSceneQualityLabel

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_campaign_on_mturk(mturk_standin, settings, tmp_path, image_bytes, client, admin_user):
    settings.CROWD_MARKETPLACE = "mturk"
    settings.CROWD_LEFTOVER_SECONDS = 0
    standin = mturk_standin.url
    call_command("mtconfigure", stdout=io.StringIO())
    for n in range(4):
        (tmp_path / f"kitchen{n}.jpg").write_bytes(image_bytes(seed=500 + n))
    call_command(
        "add_photos", str(tmp_path), "--scene", "kitchen", "--no-progress", stdout=io.StringIO()
    )
    # The photos' pending content was queued on commit; the worker would run this.
    from opensurfaces.crowd.tasks import pending_add

    pending_add("photos.Photo", list(Photo.objects.values_list("pk", flat=True)))
    out = io.StringIO()
    call_command("mtconsume", stdout=out)
    assert "quality_scene: 1 HITs, 5 assignments" in out.getvalue()
    hit = Hit.objects.get()

    # A worker finds the HIT on MTurk, accepts it and MTurk opens our page in its iframe.
    assignment_id = requests.post(
        f"{standin}/_standin/accept",
        json={"HITId": hit.external_id, "WorkerId": "A1WORKER"},
        timeout=5,
    ).json()["AssignmentId"]
    question = mturk_standin.snapshot()["hits"][0]["Question"]
    external_url = question.split("<ExternalURL>")[1].split("</ExternalURL>")[0]
    path = external_url.removeprefix(settings.SITE_URL)
    url = (
        f"{path}?assignmentId={assignment_id}&hitId={hit.external_id}&workerId=A1WORKER"
        "&turkSubmitTo=https%3A%2F%2Fworkersandbox.mturk.com"
    )
    config = page_config(client.get(url, HTTP_USER_AGENT=CHROME))
    results = {str(item["id"]): item["id"] % 2 == 0 for item in config["contents"]}
    response = client.post(
        url,
        post_data(config, results, feedback=json.dumps({"clear": "very", "hard": "nothing"})),
        HTTP_USER_AGENT=CHROME,
    )
    assert response.json()["result"] == "success"
    requests.post(f"{standin}/_standin/submit", json={"AssignmentId": assignment_id}, timeout=5)

    from opensurfaces.crowd.tasks import hit_sync, submission_process

    submission_process(Submission.objects.get().pk)
    hit_sync(hit.pk)
    labels = {str(label.photo_id): label.correct for label in PhotoSceneQualityLabel.objects.all()}
    assert labels == results

    # Staff approve from the review page; MTurk pays the reward and the feedback bonus.
    client.force_login(admin_user)
    assignment = Assignment.objects.get(external_id=assignment_id)
    client.post(f"/mturk/admin/assignment/{assignment.pk}/approve/", {"message": "Thanks!"})
    state = mturk_standin.snapshot()
    [remote] = state["assignments"]
    assert remote["AssignmentStatus"] == "Approved" and remote["RequesterFeedback"] == "Thanks!"
    assert [b["Reason"] for b in state["bonuses"]] == ["Thank you for submitting feedback!"]
    # $10000 - reward 0.02 - fee 0.01 - bonus 0.02 - fee 0.01
    assert Decimal(state["balance"]) == Decimal("9999.94")
    kinds = sorted(Payment.objects.values_list("kind", flat=True))
    assert kinds == ["fee", "fee", "feedback_bonus", "reward"]
    out = io.StringIO()
    call_command("mtsync", stdout=out)
    assert "synced 1" in out.getvalue() and "balance: $9999.94" in out.getvalue()
