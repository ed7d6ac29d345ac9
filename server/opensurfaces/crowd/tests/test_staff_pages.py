"""Scenario 32: the staff pages (dashboards, review buttons, examples) work, for staff only."""

import re
from decimal import Decimal

import pytest

from opensurfaces.crowd.models import Assignment, ExperimentExample, ExperimentWorker, Payment
from opensurfaces.crowd.tests.test_review import submit

pytestmark = pytest.mark.django_db

PAGES = [
    "/mturk/admin/experiments/",
    "/mturk/admin/stats/",
    "/mturk/admin/stats/quality_scene/",
    "/mturk/admin/feedback/",
    "/mturk/admin/submission/",
]


@pytest.fixture
def hit(mturk_hit, mturk_standin):
    mturk_hit.standin_url = mturk_standin.url
    return mturk_hit


@pytest.mark.parametrize("url", PAGES)
def test_non_staff_are_sent_to_log_in(client, django_user_model, url, hit):
    assert client.get(url).status_code == 302
    user = django_user_model.objects.create_user("ann", password="pw")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_mturk_admin_redirects_to_the_experiments(admin_client):
    response = admin_client.get("/mturk/admin/")
    assert response["Location"] == "/mturk/admin/experiments/"


def test_statistics_match_the_work_done(admin_client, hit):
    first = submit(hit, "W1")
    submit(hit, "W2")
    from opensurfaces.crowd.services import review

    review.assignment_approve(assignment_id=first.pk)
    html = admin_client.get("/mturk/admin/stats/quality_scene/?sandbox=1").content.decode()

    def stat(name: str) -> int:
        return int(re.search(rf'id="stat-{name}">(\d+)<', html).group(1))

    assert (stat("active"), stat("partial"), stat("complete"), stat("expired")) == (1, 1, 0, 0)
    assert (stat("to-review"), stat("approved"), stat("rejected"), stat("workers")) == (1, 1, 0, 2)


def test_pending_content_filters_count(admin_client, hit):
    response = admin_client.get(f"/mturk/admin/pending-content/{hit.experiment_id}/scheduled/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'scheduled <span class="count">3</span>' in html
    assert 'unscheduled <span class="count">0</span>' in html
    assert (
        admin_client.get(f"/mturk/admin/pending-content/{hit.experiment_id}/bogus/").status_code
        == 404
    )


def test_review_buttons_approve_bonus_reject_and_block(admin_client, hit, mturk_standin):
    good, bad = submit(hit, "GOOD", feedback={"clear": "yes", "hard": "no"}), submit(hit, "BAD")
    page = admin_client.get("/mturk/admin/submission/?filter=pending").content.decode()
    assert f'id="assignment-{good.pk}"' in page and f'id="assignment-{bad.pk}"' in page
    assert "Feedback:" in page

    base = "/mturk/admin/assignment/{}/{}/"
    response = admin_client.post(base.format(good.pk, "approve"), {"message": "Nice"})
    assert response.status_code == 302
    for _ in range(2):  # a double click sends the same key
        admin_client.post(
            base.format(good.pk, "bonus"),
            {"amount": "0.25", "message": "Thorough", "key": "nonce1"},
        )
    assert (
        admin_client.post(
            base.format(good.pk, "bonus"), {"amount": "lots", "message": "x", "key": "n2"}
        ).status_code
        == 409
    )
    admin_client.post(base.format(bad.pk, "reject"), {"message": "Random answers"})
    admin_client.post(base.format(bad.pk, "block"), {"message": "Random answers"})
    admin_client.post(base.format(good.pk, "auto-approve"), {})

    good.refresh_from_db()
    bad.refresh_from_db()
    # The $0.25 bonus and the $0.02 feedback bonus paid on approval.
    assert good.status == "approved" and good.bonus == Decimal("0.27")
    assert bad.status == "rejected" and bad.manually_rejected
    assert ExperimentWorker.objects.get(worker=bad.worker).blocked
    assert ExperimentWorker.objects.get(worker=good.worker).auto_approve
    bonuses = [b for b in mturk_standin.snapshot()["bonuses"] if b["Reason"] == "Thorough"]
    assert len(bonuses) == 1
    assert Payment.objects.filter(kind="feedback_bonus", state="sent").count() == 1
    # Rejecting approved work is refused with a message, not an error page.
    response = admin_client.post(base.format(good.pk, "reject"), {"message": "no"})
    assert response.status_code == 409
    assert Assignment.objects.get(pk=good.pk).status == "approved"


def test_review_actions_need_post_and_staff(client, admin_client, hit):
    assignment = submit(hit, "W1")
    url = f"/mturk/admin/assignment/{assignment.pk}/approve/"
    assert admin_client.get(url).status_code == 405
    assert client.post(url).status_code == 302  # to the login page
    assert Assignment.objects.get(pk=assignment.pk).status == "submitted"
    assert admin_client.post(f"/mturk/admin/assignment/{assignment.pk}/explode/").status_code == 404


def test_feedback_list_filters_by_worker(admin_client, hit):
    submit(hit, "W1", feedback={"clear": "Quite clear", "hard": "none"})
    submit(hit, "W2", feedback={"clear": "Confusing", "hard": "all"})
    html = admin_client.get("/mturk/admin/feedback/?worker_id=W1").content.decode()
    assert "Quite clear" in html and "Confusing" not in html


def test_examples_can_be_toggled(admin_client, hit):
    photo_id = hit.contents.first().object_id
    url = "/mturk/admin/example/ajax/"
    response = admin_client.post(
        url, {"experiment": hit.experiment_id, "id": photo_id, "good": "true"}
    )
    assert response.json() == {"result": "success", "id": photo_id, "good": True}
    admin_client.post(url, {"experiment": hit.experiment_id, "id": photo_id, "good": "false"})
    assert ExperimentExample.objects.get().good is False
    assert admin_client.post(url, {"experiment": "x", "id": "1"}).status_code == 400
    assert (
        admin_client.post(url, {"experiment": hit.experiment_id, "id": 999999}).status_code == 404
    )
    page = admin_client.get(f"/mturk/admin/example/{hit.experiment_id}/")
    assert page.status_code == 200 and f'data-id="{photo_id}"' in page.content.decode()
