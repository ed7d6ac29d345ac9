"""Scenarios 24-26: approval, rejection, bonuses through the ledger; expiry; mtsync."""

import json
from decimal import Decimal

import pytest
import requests

from opensurfaces.crowd.models import Assignment, Hit, Payment, PendingContent, Worker
from opensurfaces.crowd.services import review
from opensurfaces.crowd.services.hits import hit_expire, hit_sync, hits_sync_all
from opensurfaces.crowd.tests.helpers import (
    answers,
    page_config,
    post_data,
    task_url,
    worker_client,
)

pytestmark = pytest.mark.django_db


def submit(hit, worker_id: str, *, feedback=None) -> Assignment:
    """A worker accepts on the marketplace, opens the page and submits."""
    assignment_id = hit.accept(worker_id)
    client = worker_client()
    url = task_url(hit, assignment_id=assignment_id, worker_id=worker_id)
    config = page_config(client.get(url))
    extra = {"feedback": json.dumps(feedback)} if feedback else {}
    assert client.post(url, post_data(config, answers(config), **extra)).status_code == 200
    requests.post(
        f"{hit.standin_url}/_standin/submit", json={"AssignmentId": assignment_id}, timeout=5
    ).raise_for_status()
    return Assignment.objects.get(external_id=assignment_id)


@pytest.fixture
def hit(mturk_hit, mturk_standin):
    mturk_hit.standin_url = mturk_standin.url
    return mturk_hit


def remote(standin, assignment: Assignment) -> dict:
    return next(
        a for a in standin.snapshot()["assignments"] if a["AssignmentId"] == assignment.external_id
    )


def test_approve_pays_once_through_the_ledger(hit, mturk_standin):
    assignment = submit(hit, "W1")
    before = Decimal(mturk_standin.snapshot()["balance"])
    review.assignment_approve(assignment_id=assignment.pk, message="Great", by="staff")
    review.assignment_approve(assignment_id=assignment.pk, message="Great", by="staff")
    assert remote(mturk_standin, assignment)["AssignmentStatus"] == "Approved"
    assert Decimal(mturk_standin.snapshot()["balance"]) == before - Decimal("0.02") - Decimal(
        "0.01"
    )
    lines = Payment.objects.order_by("kind").values_list("kind", "amount", "state")
    assert list(lines) == [
        ("fee", Decimal("0.0100"), "sent"),
        ("reward", Decimal("0.0200"), "sent"),
    ]
    assignment.refresh_from_db()
    assert assignment.status == "approved" and assignment.approve_message == "Great"


def test_a_bonus_retried_with_the_same_key_pays_once(hit, mturk_standin):
    assignment = submit(hit, "W1")
    for _ in range(3):
        review.assignment_bonus(
            assignment_id=assignment.pk,
            amount=Decimal("0.50"),
            reason="Careful work",
            key="click-1",
            by="staff",
        )
    bonuses = mturk_standin.snapshot()["bonuses"]
    assert [(b["BonusAmount"], b["Reason"]) for b in bonuses] == [("0.50", "Careful work")]
    assignment.refresh_from_db()
    assert assignment.status == "approved"  # approved first
    assert assignment.bonus == Decimal("0.50")
    assert Payment.objects.filter(kind="bonus").count() == 1


def test_a_bonus_interrupted_by_an_outage_is_finished_by_reconciliation(hit, mturk_standin):
    from opensurfaces.crowd.backends.base import MarketplaceUnavailable

    assignment = submit(hit, "W1")
    review.assignment_approve(assignment_id=assignment.pk)
    requests.post(
        f"{mturk_standin.url}/_standin/fail",
        json={"Operation": "SendBonus", "Count": 10, "Code": "ServiceFault"},
        timeout=5,
    )
    with pytest.raises(MarketplaceUnavailable):
        review.assignment_bonus(
            assignment_id=assignment.pk, amount=Decimal("0.30"), reason="Thanks", key="k"
        )
    payment = Payment.objects.get(kind="bonus")
    assert payment.state == "pending" and "ServiceFault" in payment.last_error
    mturk_standin.state.failures.clear()
    counts = review.payments_reconcile(older_than_seconds=0)
    assert counts["retried"] == 1
    payment.refresh_from_db()
    assert payment.state in ("sent", "reconciled")
    assert len(mturk_standin.snapshot()["bonuses"]) == 1
    review.payments_reconcile(older_than_seconds=0)
    assert Payment.objects.filter(state="reconciled").count() == Payment.objects.count()


def test_feedback_bonus_is_paid_once_with_approval(hit, mturk_standin):
    assignment = submit(hit, "W1", feedback={"clear": "Yes", "hard": "Nothing"})
    review.assignment_approve(assignment_id=assignment.pk)
    review.assignment_approve(assignment_id=assignment.pk)
    bonuses = mturk_standin.snapshot()["bonuses"]
    assert [(b["BonusAmount"], b["Reason"]) for b in bonuses] == [
        ("0.02", "Thank you for submitting feedback!")
    ]
    assignment.refresh_from_db()
    assert assignment.feedback_bonus_given


def test_one_word_of_feedback_earns_no_bonus(hit, mturk_standin):
    assignment = submit(hit, "W1", feedback={"clear": "ok", "hard": ""})
    review.assignment_approve(assignment_id=assignment.pk)
    assert mturk_standin.snapshot()["bonuses"] == []


def test_auto_approval_task_approves_with_the_message(hit, mturk_standin, settings):
    from opensurfaces.crowd import tasks

    assignment = submit(hit, "W1")
    tasks.assignment_approve(assignment.pk, "Thank you!")
    assert remote(mturk_standin, assignment)["RequesterFeedback"] == "Thank you!"


def test_manually_rejected_work_is_never_approved_by_the_pipeline(hit):
    from opensurfaces.crowd import tasks

    assignment = submit(hit, "W1")
    review.assignment_reject(assignment_id=assignment.pk, message="Random clicks", by="staff")
    tasks.assignment_approve(assignment.pk, "Thank you!")  # logs and leaves it
    assignment.refresh_from_db()
    assert assignment.status == "rejected" and assignment.manually_rejected
    with pytest.raises(review.ReviewRefused, match="rejected by staff"):
        review.assignment_approve(assignment_id=assignment.pk)


def test_always_approve_workers_are_not_rejected_without_force(hit):
    assignment = submit(hit, "W1")
    Worker.objects.filter(pk=assignment.worker_id).update(always_approve=True)
    with pytest.raises(review.ReviewRefused, match="always approved"):
        review.assignment_reject(assignment_id=assignment.pk, by="staff")
    review.assignment_reject(assignment_id=assignment.pk, by="staff", force=True)
    assert Assignment.objects.get(pk=assignment.pk).status == "rejected"


def test_expiring_a_hit_gives_unused_demand_back(hit):
    submit(hit, "W1")
    submit(hit, "W2")
    assert set(PendingContent.objects.values_list("num_outputs_scheduled", flat=True)) == {5}
    assert hit_expire(hit_id=hit.pk) is True
    assert hit_expire(hit_id=hit.pk) is False
    # 5 assignments, 2 submitted, ratio 1: scheduled drops by 3.
    assert set(PendingContent.objects.values_list("num_outputs_scheduled", flat=True)) == {2}
    hit.refresh_from_db()
    assert hit.expired


def test_sync_mirrors_the_marketplace(hit, mturk_standin):
    assignment = submit(hit, "W1")
    stray = hit.accept("W2")
    requests.post(f"{mturk_standin.url}/_standin/submit", json={"AssignmentId": stray}, timeout=5)
    hit_sync(hit_id=hit.pk)
    hit.refresh_from_db()
    assert (hit.num_assignments_completed, hit.any_submitted, hit.all_submitted) == (2, True, False)
    # An assignment submitted on the marketplace but never posted to us is recorded.
    assert Assignment.objects.get(external_id=stray).status == "submitted"
    assert Assignment.objects.get(pk=assignment.pk).submitted_at is not None


def test_mtsync_disposes_vanished_hits_and_expires_unknown_ones(hit, mturk_standin, settings):
    assignment = submit(hit, "W1")
    # The marketplace forgets our HIT, and has one we never made.
    mturk_standin.state.hits[hit.external_id].deleted = True
    stranger = mturk_standin.call(
        "CreateHITWithHITType",
        {
            "HITTypeId": next(iter(mturk_standin.state.hit_types)),
            "Question": "<ExternalQuestion><ExternalURL>x</ExternalURL></ExternalQuestion>",
            "LifetimeInSeconds": 3600,
            "MaxAssignments": 1,
        },
    )["HIT"]["HITId"]
    counts = hits_sync_all(marketplace="mturk", sandbox=True)
    assert counts == {"synced": 0, "disposed": 1, "unknown_expired": 1}
    hit.refresh_from_db()
    assert hit.status == "D" and hit.expired
    assert Assignment.objects.get(pk=assignment.pk).status == "approved"
    assert mturk_standin.call("GetHIT", {"HITId": stranger})["HIT"]["HITStatus"] != "Assignable"


def test_block_on_the_marketplace(hit, mturk_standin):
    worker = Worker.objects.create(marketplace="mturk", external_id="W7")
    review.worker_block(worker=worker, reason="Spam", on_marketplace=True)
    worker.refresh_from_db()
    assert worker.blocked and mturk_standin.snapshot()["blocks"] == {"W7": "Spam"}
    with pytest.raises(review.ReviewRefused):
        review.worker_block(worker=worker, reason="  ")


def test_mtexpire_and_mtbalance_commands(hit, settings, mturk_standin):
    import io

    from django.core.management import call_command

    settings.CROWD_MARKETPLACE = "mturk"
    out = io.StringIO()
    call_command("mtexpire", "quality_.*", stdout=out)
    assert "expired 1 HITs" in out.getvalue()
    assert Hit.objects.get().expired
    call_command("mtbalance", stdout=out)
    assert "balance: $10000" in out.getvalue()
