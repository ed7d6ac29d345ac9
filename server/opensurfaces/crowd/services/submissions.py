"""Receiving and processing workers' submissions.

Receiving (in the POST request, one transaction): validate everything, store the answers
(``Submission``, one per assignment), grade sentinels, apply the blocking rule, schedule
approval, and queue processing on commit. The worker is told "success" only after the
commit. Processing (a Celery task, idempotent) turns answers into domain rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from opensurfaces.crowd.models import (
    Assignment,
    AssignmentEvent,
    ExperimentWorker,
    Feedback,
    HitContent,
    Submission,
    SubmittedContent,
)
from opensurfaces.crowd.selectors import assignment_contents
from opensurfaces.crowd.services.pending import content_added, pending_outputs_recorded
from opensurfaces.crowd.tasktypes import ResultInvalid, SubmitItem, get_task_type

logger = logging.getLogger(__name__)

LOW_ACCURACY_MESSAGE = (
    "Thank you. Several of your answers to our check questions were wrong; please read "
    "the instructions again before doing more of these tasks."
)
AUTO_APPROVE_MESSAGE = "Thank you!"
# Blocking rule: more than this many wrong sentinels overall, and accuracy below ACCURACY.
BLOCK_AFTER_WRONG = 5
BLOCK_ACCURACY = 0.8


class SubmissionInvalid(ValueError):
    """The POST does not fit the task; nothing was stored. ``str(exc)`` says why."""


class SubmissionConflict(ValueError):
    """The assignment was already submitted with different answers."""


class SubmissionGone(ValueError):
    """The assignment can no longer be submitted (time ran out, or reviewed)."""


@dataclass
class SubmissionForm:
    """A task page POST, parsed but not yet checked against the assignment."""

    results: dict[str, Any]
    version: str
    time_ms: int | None = None
    time_active_ms: int | None = None
    time_load_ms: int | None = None
    per_content_ms: dict[str, int] = field(default_factory=dict)
    per_content_active_ms: dict[str, int] = field(default_factory=dict)
    action_log: str = ""
    screen_width: int | None = None
    screen_height: int | None = None
    feedback: dict[str, Any] | None = None
    partial: bool = False
    user_agent: str = ""

    @property
    def digest(self) -> str:
        raw = json.dumps(self.results, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()


def _json_field(data, name: str, *, required: bool = False) -> Any:
    raw = data.get(name)
    if raw in (None, ""):
        if required:
            raise SubmissionInvalid(f"{name} is missing")
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        raise SubmissionInvalid(f"{name} is not valid JSON") from None


def _milliseconds(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SubmissionInvalid(f"{name} must be a number of milliseconds")
    if value < 0 or value > 7 * 24 * 3600 * 1000:
        raise SubmissionInvalid(f"{name} is out of range")
    return int(value)


def _times(value: Any, name: str) -> tuple[int | None, dict[str, int]]:
    """Accept a total (number) or per-content times ({id: number or [numbers]})."""
    if isinstance(value, dict):
        per: dict[str, int] = {}
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            per[str(key)] = sum(_milliseconds(v, name) or 0 for v in items)
        return sum(per.values()), per
    return _milliseconds(value, name), {}


def _small_int(data, name: str) -> int | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    try:
        number = int(float(raw))
    except (TypeError, ValueError):
        raise SubmissionInvalid(f"{name} must be a number") from None
    if not 0 <= number <= 100000:
        raise SubmissionInvalid(f"{name} is out of range")
    return number


def submission_form_parse(data, *, user_agent: str = "") -> SubmissionForm:
    """Parse a task page POST (form fields; JSON values as text). Raise SubmissionInvalid."""
    partial = str(data.get("partial", "")).lower() == "true"
    results = _json_field(data, "results", required=True)
    if not isinstance(results, dict):
        raise SubmissionInvalid("results must be a JSON object keyed by content id")
    version = _json_field(data, "version") or ""
    time_ms, per_ms = _times(_json_field(data, "time_ms"), "time_ms")
    active_ms, per_active = _times(_json_field(data, "time_active_ms"), "time_active_ms")
    if time_ms is not None and active_ms is not None and active_ms > time_ms:
        active_ms = time_ms  # the page's focus timer can overshoot; active is part of total
    feedback = _json_field(data, "feedback")
    if feedback is not None and not isinstance(feedback, dict):
        raise SubmissionInvalid("feedback must be a JSON object")
    return SubmissionForm(
        results=results,
        version=str(version),
        time_ms=time_ms,
        time_active_ms=active_ms,
        time_load_ms=_milliseconds(_json_field(data, "time_load_ms"), "time_load_ms"),
        per_content_ms=per_ms,
        per_content_active_ms=per_active,
        action_log=str(data.get("action_log", ""))[:200_000],
        screen_width=_small_int(data, "screen_width"),
        screen_height=_small_int(data, "screen_height"),
        feedback=feedback,
        partial=partial,
        user_agent=user_agent[:1000],
    )


def _clean_results(assignment: Assignment, form: SubmissionForm) -> dict[str, Any]:
    """Check the answers against the assignment's contents; return them cleaned."""
    task_type = get_task_type(assignment.hit.experiment.task_type)
    if form.version not in task_type.versions:
        expected = ", ".join(sorted(task_type.versions))
        raise SubmissionInvalid(f"unsupported version {form.version!r} (expected {expected})")
    contents = {
        str(c.content.pk): c.content
        for c in assignment_contents(assignment=assignment, hit=assignment.hit)
    }
    unknown = sorted(set(form.results) - set(contents), key=str)
    if unknown:
        raise SubmissionInvalid(f"results for contents not in this task: {', '.join(unknown[:10])}")
    missing = sorted(set(contents) - set(form.results), key=str)
    if missing:
        raise SubmissionInvalid(f"no answer for contents: {', '.join(missing[:10])}")
    cleaned = {}
    for key, value in form.results.items():
        try:
            cleaned[key] = task_type.validate_result(contents[key], value)
        except ResultInvalid as exc:
            raise SubmissionInvalid(f"content {key}: {exc}") from None
    return cleaned


@dataclass(frozen=True)
class Received:
    submission: Submission | None
    repeated: bool = False
    partial: bool = False


def submission_receive(*, assignment: Assignment, form: SubmissionForm) -> Received:
    """Store a submission for an assignment; idempotent for a repeated identical POST.

    Must run inside the request's transaction: the caller answers "success" after the
    commit. Raises SubmissionInvalid, SubmissionConflict or SubmissionGone with nothing
    stored.
    """
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("hit__experiment", "hit__hit_type__settings", "worker")
        .get(pk=assignment.pk)
    )
    status = assignment.status
    if status == Assignment.Status.ABANDONED:
        raise SubmissionGone("Your time for this task ran out; it was given to someone else.")
    if status != Assignment.Status.ACCEPTED:
        existing = Submission.objects.filter(assignment=assignment).first()
        if existing and (form.partial or existing.digest == form.digest):
            return Received(existing, repeated=True, partial=form.partial)
        raise SubmissionConflict("This assignment was already submitted with other answers.")

    cleaned = _clean_results(assignment, form) if not form.partial else form.results
    now = timezone.now()
    if form.partial:
        assignment.partial_results = cleaned
        assignment.partial_saved_at = now
        assignment.save(update_fields=["partial_results", "partial_saved_at", "updated_at"])
        return Received(None, partial=True)

    submission = Submission.objects.create(
        assignment=assignment,
        results=cleaned,
        times={"time_ms": form.per_content_ms, "time_active_ms": form.per_content_active_ms},
        version=form.version,
        digest=form.digest,
        meta={"user_agent": form.user_agent},
    )
    AssignmentEvent.objects.create(
        assignment=assignment,
        from_status=status,
        to_status=Assignment.Status.SUBMITTED,
        by="worker",
    )
    reward = assignment.hit.reward
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = now
    assignment.time_ms = form.time_ms
    assignment.time_active_ms = form.time_active_ms
    assignment.time_load_ms = form.time_load_ms
    assignment.screen_width = form.screen_width
    assignment.screen_height = form.screen_height
    assignment.ui_version = form.version
    assignment.user_agent = form.user_agent
    assignment.action_log = form.action_log
    if form.time_ms:
        assignment.wage = (reward * Decimal(3_600_000) / Decimal(form.time_ms)).quantize(
            Decimal("0.0001")
        )
    assignment.save()

    _hit_progress(assignment.hit)
    if form.feedback:
        Feedback.objects.create(assignment=assignment, answers=form.feedback)
    experiment_worker, _ = ExperimentWorker.objects.get_or_create(
        experiment=assignment.hit.experiment, worker=assignment.worker
    )
    right, wrong = _grade_sentinels(assignment, experiment_worker, cleaned)
    _apply_blocking_rule(experiment_worker)
    _schedule_approval(assignment, experiment_worker, right=right, wrong=wrong)

    if assignment.hit.marketplace == "local":
        from opensurfaces.crowd.backends.local import LocalBackend

        LocalBackend(sandbox=assignment.hit.sandbox).mark_submitted(assignment.external_id)

    from opensurfaces.crowd.tasks import submission_process as process_task

    # robust: with the broker down the submission is kept; submissions_sweep queues it.
    transaction.on_commit(lambda: process_task.delay(submission.pk), robust=True)
    return Received(submission)


def _hit_progress(hit) -> None:
    """Keep the HIT's any/all-submitted flags current (dispatch counts active HITs by them)."""
    done = Assignment.objects.filter(
        hit=hit,
        status__in=Assignment.DONE_STATUSES,
    ).count()
    type(hit).objects.filter(pk=hit.pk).update(
        any_submitted=True, all_submitted=done >= hit.max_assignments
    )


def _grade_sentinels(
    assignment: Assignment, experiment_worker: ExperimentWorker, results: dict[str, Any]
) -> tuple[int, int]:
    """Grade the assignment's sentinels now, so the next page does not repeat them.

    Only a worker's first answer to a sentinel is kept (a unique constraint decides when
    two HITs are submitted at once). Returns (right, wrong) for this assignment.
    """
    from opensurfaces.crowd.models import SentinelResponse

    task_type = get_task_type(assignment.hit.experiment.task_type)
    right = wrong = 0
    for sentinel in assignment.sentinels.all():
        answer = results.get(str(sentinel.object_id))
        correct = task_type.grade(expected=sentinel.expected, result=answer)
        right += correct
        wrong += not correct
        SentinelResponse.objects.bulk_create(
            [
                SentinelResponse(
                    sentinel=sentinel,
                    experiment_worker=experiment_worker,
                    assignment=assignment,
                    correct=correct,
                    response=answer,
                )
            ],
            ignore_conflicts=True,
        )
    Assignment.objects.filter(pk=assignment.pk).update(
        num_sentinels_correct=right, num_sentinels_incorrect=wrong
    )
    totals = experiment_worker.sentinel_responses.aggregate(
        right=Count("id", filter=Q(correct=True)), wrong=Count("id", filter=Q(correct=False))
    )
    experiment_worker.num_test_correct = totals["right"]
    experiment_worker.num_test_incorrect = totals["wrong"]
    experiment_worker.save(update_fields=["num_test_correct", "num_test_incorrect", "updated_at"])
    return right, wrong


def _apply_blocking_rule(experiment_worker: ExperimentWorker) -> None:
    right, wrong = experiment_worker.num_test_correct, experiment_worker.num_test_incorrect
    if wrong > BLOCK_AFTER_WRONG and right / (right + wrong) < BLOCK_ACCURACY:
        experiment_worker.blocked = True
        experiment_worker.blocked_method = ExperimentWorker.BlockMethod.SENTINELS
        experiment_worker.blocked_reason = (
            f"Your submissions are too low quality: {wrong} of {right + wrong} check "
            "questions were answered wrongly."
        )
        experiment_worker.save(
            update_fields=["blocked", "blocked_method", "blocked_reason", "updated_at"]
        )


def _schedule_approval(
    assignment: Assignment, experiment_worker: ExperimentWorker, *, right: int, wrong: int
) -> None:
    from opensurfaces.crowd.tasks import assignment_approve as approve_task

    if wrong >= 3 and right == 0:
        # Paid, with a warning: the pipeline never rejects automatically.
        message = LOW_ACCURACY_MESSAGE
    elif (
        experiment_worker.auto_approve
        or assignment.worker.always_approve
        or django_settings.CROWD_AUTO_APPROVE
    ):
        message = experiment_worker.auto_approve_message or AUTO_APPROVE_MESSAGE
    else:
        return
    transaction.on_commit(
        lambda: approve_task.apply_async(
            args=[assignment.pk, message], countdown=django_settings.CROWD_AUTO_APPROVE_DELAY
        ),
        robust=True,
    )


def submission_process(*, submission_id: int) -> bool:
    """Turn a stored submission into domain rows; return False if there was nothing to do.

    Idempotent: the submission row is locked and marked processed in the same
    transaction as the rows it makes, and task types create their rows under unique
    constraints, so a retried or duplicated task changes nothing.
    """
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .filter(pk=submission_id, processed_at__isnull=True)
            .first()
        )
        if submission is None:
            return False
        assignment = Assignment.objects.select_related(
            "hit__experiment__settings", "hit__hit_type__settings", "worker"
        ).get(pk=submission.assignment_id)
        hit, experiment = assignment.hit, assignment.hit.experiment
        task_type = get_task_type(experiment.task_type)
        real_ids = list(HitContent.objects.filter(hit=hit).values_list("object_id", flat=True))
        contents = task_type.contents_queryset(real_ids).in_bulk()
        per_ms = submission.times.get("time_ms") or {}
        per_active = submission.times.get("time_active_ms") or {}
        share = max(1, len(real_ids))
        items = [
            SubmitItem(
                content=contents[object_id],
                result=submission.results[str(object_id)],
                time_ms=per_ms.get(str(object_id), (assignment.time_ms or 0) // share) or None,
                time_active_ms=per_active.get(
                    str(object_id), (assignment.time_active_ms or 0) // share
                )
                or None,
            )
            for object_id in real_ids
            if object_id in contents and str(object_id) in submission.results
        ]
        outputs = task_type.submit(assignment=assignment, experiment=experiment, items=items)
        made = [obj for objs in outputs.values() for obj in objs]
        if made:
            from django.contrib.contenttypes.models import ContentType

            SubmittedContent.objects.bulk_create(
                [
                    SubmittedContent(
                        assignment=assignment,
                        content_type=ContentType.objects.get_for_model(obj),
                        object_id=obj.pk,
                    )
                    for obj in made
                ],
                ignore_conflicts=True,
            )
        pending_outputs_recorded(
            experiment=experiment, counts={pk: len(objs) for pk, objs in outputs.items() if objs}
        )
        type(experiment).objects.filter(pk=experiment.pk).update(aggregation_dirty=True)
        changed = task_type.aggregate(experiment=experiment, object_ids=list(outputs))
        if made:
            content_added(type(made[0]), [obj.pk for obj in made])
        content_added(task_type.input_class(), changed)
        submission.processed_at = timezone.now()
        submission.attempts += 1
        submission.last_error = ""
        submission.save(update_fields=["processed_at", "attempts", "last_error"])

        from opensurfaces.crowd.tasks import hit_sync as hit_sync_task

        transaction.on_commit(
            lambda: hit_sync_task.apply_async(
                args=[hit.pk], countdown=django_settings.CROWD_HIT_SYNC_DELAY
            ),
            robust=True,
        )
    return True


def submission_failed(*, submission_id: int, error: str) -> None:
    """Record a processing failure (the task retries; the sweep tries again later)."""
    from django.db.models import F

    Submission.objects.filter(pk=submission_id).update(
        attempts=F("attempts") + 1, last_error=error[:2000]
    )


def submissions_sweep(*, older_than_seconds: int = 60, limit: int = 500) -> list[int]:
    """Queue processing for every stored submission still unprocessed; return their ids."""
    from opensurfaces.crowd.tasks import submission_process as process_task

    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        Submission.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for submission_id in ids:
        process_task.delay(submission_id)
    return ids
