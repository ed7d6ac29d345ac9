"""Reviewing work: approve, reject, bonus, block; every payment through the ledger.

Each operation locks the assignment row, so two staff clicks (or a click and the
auto-approval task) are applied one after the other, and the second finds the work done.
Payments are written to the ledger under an idempotency key before the marketplace is
called (see crowd.models.Payment): a retried approve or bonus never pays twice.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from opensurfaces.crowd.backends import get_backend
from opensurfaces.crowd.backends.base import MarketplaceBackend
from opensurfaces.crowd.models import (
    Assignment,
    AssignmentEvent,
    Experiment,
    ExperimentWorker,
    Feedback,
    Payment,
    Worker,
)

logger = logging.getLogger(__name__)

APPROVE_MESSAGE = "Thank you!"
REJECT_MESSAGE = "I'm sorry but you made too many mistakes."
FEEDBACK_BONUS_REASON = "Thank you for submitting feedback!"


class ReviewRefused(ValueError):
    """The review action does not apply (e.g. rejecting an always-approve worker)."""


def backend_for(assignment: Assignment) -> MarketplaceBackend:
    return get_backend(assignment.hit.marketplace, sandbox=assignment.hit.sandbox)


def _locked(assignment_id: int) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("hit__hit_type__settings", "worker")
        .get(pk=assignment_id)
    )


def _ledger_line(
    assignment: Assignment, *, key: str, kind: str, amount: Decimal, reason: str, by: str
) -> tuple[Payment, bool]:
    """Return the ledger line for ``key``, creating it (PENDING) if it is new."""
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                idempotency_key=key,
                kind=kind,
                assignment=assignment,
                worker=assignment.worker,
                marketplace=assignment.hit.marketplace,
                sandbox=assignment.hit.sandbox,
                amount=amount,
                reason=reason,
                created_by=by,
            )
            return payment, True
    except IntegrityError:
        return Payment.objects.get(idempotency_key=key), False


def _mark_sent(payment: Payment, *, external_id: str = "") -> None:
    payment.state = Payment.State.SENT
    payment.sent_at = timezone.now()
    payment.external_id = external_id
    payment.last_error = ""
    payment.save(update_fields=["state", "sent_at", "external_id", "last_error"])


def _set_status(assignment: Assignment, status: str, *, by: str, note: str = "") -> None:
    AssignmentEvent.objects.create(
        assignment=assignment, from_status=assignment.status, to_status=status, by=by, note=note
    )
    assignment.status = status


def _note_error(payment: Payment, exc: Exception) -> None:
    Payment.objects.filter(pk=payment.pk).update(last_error=str(exc)[:2000])


def assignment_approve(
    *, assignment_id: int, message: str = "", by: str = "", pay_feedback_bonus: bool = True
) -> Assignment:
    """Approve (pay) a submitted assignment; approving twice pays once.

    The reward's ledger line is written (PENDING) before the marketplace is asked, so an
    interrupted approval is finished by payments_reconcile. A manually rejected
    assignment is never approved.
    """
    assignment = Assignment.objects.select_related("hit", "worker").get(pk=assignment_id)
    if assignment.status == Assignment.Status.APPROVED:
        return assignment
    _check_approvable(assignment)
    message = message or APPROVE_MESSAGE
    payment, _ = _ledger_line(
        assignment,
        key=f"reward:{assignment.pk}",
        kind=Payment.Kind.REWARD,
        amount=assignment.hit.reward,
        reason=message,
        by=by,
    )
    try:
        with transaction.atomic():
            assignment = _locked(assignment_id)
            if assignment.status != Assignment.Status.APPROVED:
                _check_approvable(assignment)
                _pay_reward(assignment, payment, message=message, by=by)
    except Exception as exc:
        _note_error(payment, exc)
        raise
    if pay_feedback_bonus:
        assignment_feedback_bonus(assignment_id=assignment_id, by=by)
    return assignment


def _check_approvable(assignment: Assignment) -> None:
    if assignment.status == Assignment.Status.REJECTED and assignment.manually_rejected:
        raise ReviewRefused("This assignment was rejected by staff; it is not approved.")
    if assignment.status not in (Assignment.Status.SUBMITTED, Assignment.Status.REJECTED):
        raise ReviewRefused(f"Only submitted work can be approved (it is {assignment.status}).")


def _pay_reward(assignment: Assignment, payment: Payment, *, message: str, by: str) -> None:
    """Approve on the marketplace and record it; call with the assignment row locked."""
    backend = backend_for(assignment)
    reward = assignment.hit.reward
    backend.approve(
        assignment.external_id,
        message=message,
        override_rejection=assignment.status == Assignment.Status.REJECTED,
    )
    _mark_sent(payment, external_id=assignment.external_id)
    fee = backend.fee(reward=reward, assignments=assignment.hit.max_assignments)
    if fee:
        fee_line, _ = _ledger_line(
            assignment,
            key=f"fee:reward:{assignment.pk}",
            kind=Payment.Kind.FEE,
            amount=(fee / assignment.hit.max_assignments).quantize(Decimal("0.0001")),
            reason="marketplace fee on the reward",
            by=by,
        )
        _mark_sent(fee_line, external_id=assignment.external_id)
    _set_status(assignment, Assignment.Status.APPROVED, by=by or "pipeline", note=message)
    assignment.approved_at = timezone.now()
    assignment.approve_message = message
    assignment.save(update_fields=["status", "approved_at", "approve_message", "updated_at"])


def assignment_reject(
    *, assignment_id: int, message: str = "", by: str = "", force: bool = False
) -> Assignment:
    """Reject a submitted assignment (staff only; the pipeline never rejects by itself)."""
    with transaction.atomic():
        assignment = _locked(assignment_id)
        if assignment.status == Assignment.Status.REJECTED:
            return assignment
        if assignment.status != Assignment.Status.SUBMITTED:
            raise ReviewRefused(f"Only submitted work can be rejected (it is {assignment.status}).")
        if assignment.worker.always_approve and not force:
            raise ReviewRefused("This worker is always approved; reject with force to override.")
        message = message or REJECT_MESSAGE
        backend_for(assignment).reject(assignment.external_id, message=message)
        _set_status(assignment, Assignment.Status.REJECTED, by=by or "pipeline", note=message)
        assignment.rejected_at = timezone.now()
        assignment.reject_message = message
        assignment.manually_rejected = bool(by)
        assignment.save(
            update_fields=[
                "status",
                "rejected_at",
                "reject_message",
                "manually_rejected",
                "updated_at",
            ]
        )
    return assignment


def assignment_bonus(
    *,
    assignment_id: int,
    amount: Decimal,
    reason: str,
    key: str,
    by: str = "",
    kind: str = Payment.Kind.BONUS,
) -> Payment:
    """Pay a bonus once per ``key`` (a retried request with the same key pays nothing more).

    The ledger line is written first and its key is the marketplace's request token.
    A submitted assignment is approved first.
    """
    if amount <= 0:
        raise ReviewRefused("A bonus must be a positive amount.")
    if not reason.strip():
        raise ReviewRefused("A bonus needs a reason the worker will read.")
    assignment = Assignment.objects.select_related("hit", "worker").get(pk=assignment_id)
    if assignment.status == Assignment.Status.SUBMITTED:
        assignment_approve(assignment_id=assignment_id, by=by, pay_feedback_bonus=False)
    elif assignment.status != Assignment.Status.APPROVED:
        raise ReviewRefused(f"Bonuses go with approved work (it is {assignment.status}).")
    payment, _ = _ledger_line(
        assignment, key=f"{kind}:{key}"[:64], kind=kind, amount=amount, reason=reason, by=by
    )
    if payment.state in (Payment.State.SENT, Payment.State.RECONCILED):
        return payment
    try:
        with transaction.atomic():
            assignment = _locked(assignment_id)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.state != Payment.State.PENDING:
                return payment
            backend = backend_for(assignment)
            backend.send_bonus(
                worker_id=assignment.worker.external_id,
                assignment_id=assignment.external_id,
                amount=payment.amount,
                reason=payment.reason,
                token=payment.idempotency_key,
            )
            _mark_sent(payment, external_id=assignment.external_id)
            fee = backend.fee(reward=payment.amount, assignments=1)
            if fee:
                fee_line, _ = _ledger_line(
                    assignment,
                    key=f"fee:{payment.idempotency_key}"[:64],
                    kind=Payment.Kind.FEE,
                    amount=fee,
                    reason="marketplace fee on a bonus",
                    by=by,
                )
                _mark_sent(fee_line, external_id=assignment.external_id)
            assignment.bonus += payment.amount
            assignment.bonus_message = "\n".join(
                filter(None, [assignment.bonus_message, payment.reason])
            )
            fields = ["bonus", "bonus_message", "updated_at"]
            if kind == Payment.Kind.FEEDBACK_BONUS:
                assignment.feedback_bonus_given = True
                fields.append("feedback_bonus_given")
            assignment.save(update_fields=fields)
    except Exception as exc:
        _note_error(payment, exc)
        raise
    return payment


def assignment_feedback_bonus(*, assignment_id: int, by: str = "") -> Payment | None:
    """Pay the experiment's feedback bonus if the worker left real feedback."""
    assignment = Assignment.objects.select_related("hit__hit_type__settings").get(pk=assignment_id)
    bonus = assignment.hit.hit_type.settings.feedback_bonus
    feedback = Feedback.objects.filter(assignment=assignment).first()
    if not bonus or feedback is None or not feedback.deserves_bonus:
        return None
    return assignment_bonus(
        assignment_id=assignment_id,
        amount=bonus,
        reason=FEEDBACK_BONUS_REASON,
        key=str(assignment_id),
        by=by,
        kind=Payment.Kind.FEEDBACK_BONUS,
    )


def worker_block(
    *,
    worker: Worker,
    reason: str,
    experiment: Experiment | None = None,
    on_marketplace: bool = False,
    by: str = "",
) -> None:
    """Block a worker from one experiment, or from all (``experiment`` None)."""
    if not reason.strip():
        raise ReviewRefused("Blocking needs a reason the worker will read.")
    with transaction.atomic():
        if experiment is None:
            Worker.objects.filter(pk=worker.pk).update(blocked=True, blocked_reason=reason)
        else:
            ExperimentWorker.objects.update_or_create(
                experiment=experiment,
                worker=worker,
                defaults={
                    "blocked": True,
                    "blocked_reason": reason,
                    "blocked_method": ExperimentWorker.BlockMethod.ADMIN,
                    "auto_approve": False,
                },
            )
    if on_marketplace:
        from django.conf import settings

        get_backend(worker.marketplace, sandbox=settings.CROWD_SANDBOX).block_worker(
            worker.external_id, reason=reason
        )
    logger.info("%s blocked %s: %s", by or "pipeline", worker, reason)


def worker_unblock(*, worker: Worker, experiment: Experiment | None = None) -> None:
    if experiment is None:
        Worker.objects.filter(pk=worker.pk).update(blocked=False, blocked_reason="")
    else:
        ExperimentWorker.objects.filter(experiment=experiment, worker=worker).update(
            blocked=False, blocked_reason="", blocked_method=""
        )


def worker_auto_approve(*, experiment: Experiment, worker: Worker, message: str = "") -> None:
    """Approve this worker's future submissions automatically (also unblocks them)."""
    ExperimentWorker.objects.update_or_create(
        experiment=experiment,
        worker=worker,
        defaults={
            "auto_approve": True,
            "auto_approve_message": message or APPROVE_MESSAGE,
            "blocked": False,
            "blocked_reason": "",
            "blocked_method": "",
        },
    )


def payments_reconcile(*, older_than_seconds: int = 300) -> dict[str, int]:
    """Settle the ledger with the marketplaces.

    PENDING lines (the process died between the ledger and the marketplace call) are
    retried with the same key; SENT lines are confirmed against the marketplace's
    records and become RECONCILED.
    """
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    counts = {"retried": 0, "reconciled": 0}
    stale = Payment.objects.filter(state=Payment.State.PENDING, created_at__lt=cutoff)
    for payment in stale.select_related("assignment").exclude(kind=Payment.Kind.FEE):
        if payment.kind == Payment.Kind.REWARD:
            assignment_approve(assignment_id=payment.assignment_id, by="reconcile")
        else:
            assignment_bonus(
                assignment_id=payment.assignment_id,
                amount=payment.amount,
                reason=payment.reason,
                key=payment.idempotency_key.split(":", 1)[1],
                kind=payment.kind,
                by="reconcile",
            )
        counts["retried"] += 1
    sent = Payment.objects.filter(state=Payment.State.SENT, sent_at__lt=cutoff).select_related(
        "assignment__hit"
    )
    for payment in sent:
        if _confirmed(payment):
            Payment.objects.filter(pk=payment.pk).update(
                state=Payment.State.RECONCILED, reconciled_at=timezone.now()
            )
            counts["reconciled"] += 1
    return counts


def _confirmed(payment: Payment) -> bool:
    backend = backend_for(payment.assignment)
    if payment.kind in (Payment.Kind.REWARD, Payment.Kind.FEE):
        remote = {
            a.assignment_id: a.status
            for a in backend.list_assignments(payment.assignment.hit.external_id)
        }
        return remote.get(payment.assignment.external_id) == "Approved"
    paid = sum(b.amount for b in backend.list_bonuses(payment.assignment.external_id))
    recorded = sum(
        p.amount
        for p in Payment.objects.filter(
            assignment=payment.assignment,
            kind__in=[Payment.Kind.BONUS, Payment.Kind.FEEDBACK_BONUS],
            state__in=[Payment.State.SENT, Payment.State.RECONCILED],
        )
    )
    return paid >= recorded
