"""The worker-facing pages: the task page (MTurk ExternalQuestion) and the in-house queue."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from opensurfaces.crowd import selectors
from opensurfaces.crowd.models import Assignment, Experiment, Hit
from opensurfaces.crowd.selectors import AssignmentAccessDenied
from opensurfaces.crowd.services import assignments as assignment_services
from opensurfaces.crowd.services import local as local_services
from opensurfaces.crowd.services.assignments import PREVIEW_ASSIGNMENT_ID, TaskUnavailable
from opensurfaces.crowd.services.submissions import (
    SubmissionConflict,
    SubmissionGone,
    SubmissionInvalid,
    submission_form_parse,
    submission_receive,
)
from opensurfaces.crowd.tasktypes import get_task_type

TOKEN_SALT = "crowd-task-page"  # noqa: S105 (a signing namespace, not a secret)
_MOBILE = re.compile(r"Mobi|Android|iPhone|iPad", re.IGNORECASE)
_SUPPORTED = re.compile(r"(Chrome|Chromium|Firefox|Edg)/\d+")


def browser_supported(user_agent: str) -> bool:
    """Desktop Chrome, Chromium, Edge or Firefox: the browsers the task pages are built for."""
    return bool(_SUPPORTED.search(user_agent)) and not _MOBILE.search(user_agent)


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.method == "POST":
        return JsonResponse({"result": "error", "message": message}, status=status)
    return render(request, "crowd/task_error.html", {"message": message}, status=status)


def assignment_token(assignment: Assignment) -> str:
    """Sign (assignment, worker): the task page must post it back."""
    return signing.dumps([assignment.pk, assignment.worker_id], salt=TOKEN_SALT)


def _token_valid(token: str, assignment: Assignment) -> bool:
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=30 * 24 * 3600)
    except signing.BadSignature:
        return False
    return value == [assignment.pk, assignment.worker_id]


@csrf_exempt  # posted from the marketplace's iframe; the signed token authenticates it
@xframe_options_exempt  # shown inside MTurk's page
def task(request: HttpRequest, experiment_id: int) -> HttpResponse:
    """The task page: preview, tutorial, the task itself, and its submission (POST)."""
    if request.method not in ("GET", "POST"):
        return _error(request, "Method not allowed.", 405)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.CROWD_MAX_POST_BYTES:
        return _error(request, f"The submission is too large ({length} bytes).", 413)
    experiment = Experiment.objects.filter(pk=experiment_id).select_related("settings").first()
    if experiment is None:
        raise Http404("No such task.")
    hit_id = request.GET.get("hitId", "")
    assignment_id = request.GET.get("assignmentId", "")
    worker_id = request.GET.get("workerId", "")
    if not hit_id:
        message = "This page is opened from a marketplace, with a hitId."
        if request.user.is_staff:
            message += " Staff can preview tasks from the experiments page."
        return _error(request, message, 404)
    hit = selectors.hit_for_task_page(experiment_id=experiment.pk, hit_id=hit_id)
    if hit is None:
        if worker_id and assignment_id and assignment_id != PREVIEW_ASSIGNMENT_ID:
            _expire_stray_hit(hit_id)
        return _error(request, "This task is no longer available.", 404)
    if request.method == "GET" and not browser_supported(request.headers.get("User-Agent", "")):
        return _error(
            request,
            "This task needs a desktop browser: Google Chrome or Firefox. "
            "Please return it or open it in one of those.",
            403,
        )
    if assignment_id in ("", PREVIEW_ASSIGNMENT_ID):
        if request.method == "POST":
            return _error(request, "A preview cannot be submitted; accept the task first.", 400)
        return _render_task(request, hit=hit, assignment=None, mode="instructions")

    worker = _worker(request, hit, worker_id)
    if worker is None:
        return _error(request, "Please log in to work on this task.", 403)
    try:
        if request.method == "POST":
            assignment = selectors.assignment_get_for_worker(
                hit=hit, worker=worker, assignment_id=assignment_id
            )
        else:
            assignment = assignment_services.assignment_open(
                hit=hit, worker=worker, assignment_id=assignment_id
            )
    except Assignment.DoesNotExist:
        return _error(request, "Unknown assignment: open the task page first.", 404)
    except AssignmentAccessDenied as exc:
        return _error(request, str(exc), 403)
    except TaskUnavailable as exc:
        return _error(request, str(exc), 409)
    experiment_worker = assignment_services.experiment_worker_for(hit=hit, worker=worker)
    reason = assignment_services.blocked_reason(worker=worker, experiment_worker=experiment_worker)
    if reason:
        return _error(
            request, f"Your submissions are too low quality to continue on this task. {reason}", 403
        )
    if request.method == "POST":
        return _post(request, hit=hit, assignment=assignment, experiment_worker=experiment_worker)
    if experiment.has_tutorial and not experiment_worker.tutorial_completed:
        return _render_task(request, hit=hit, assignment=assignment, mode="tutorial")
    assignment_services.assignment_sentinels_pick(
        assignment=assignment, experiment_worker=experiment_worker
    )
    ask_feedback = selectors.should_ask_for_feedback(
        assignment=assignment, experiment_worker=experiment_worker
    )
    return _render_task(
        request, hit=hit, assignment=assignment, mode="task", ask_feedback=ask_feedback
    )


def _expire_stray_hit(hit_id: str) -> None:
    """A worker holds a HIT we do not know: expire it so nobody else wastes time on it."""
    from opensurfaces.crowd.tasks import hit_expire_remote

    if settings.CROWD_MARKETPLACE == "mturk":
        sandbox = settings.CROWD_SANDBOX
        transaction.on_commit(
            lambda: hit_expire_remote.delay("mturk", sandbox, hit_id), robust=True
        )


def _worker(request: HttpRequest, hit: Hit, worker_id: str):
    if hit.marketplace == "local":
        if not request.user.is_authenticated:
            return None
        worker = assignment_services.local_worker(request.user)
        if worker_id and worker_id != worker.external_id:
            raise Http404("This task was opened for another account.")
        return worker
    if not worker_id or len(worker_id) > 128:
        return None
    return assignment_services.worker_get_or_create(
        marketplace=hit.marketplace, external_id=worker_id
    )


def _post(request: HttpRequest, *, hit: Hit, assignment: Assignment, experiment_worker):
    try:
        data = request.POST
    except RequestDataTooBig:
        return _error(request, "The submission is too large.", 413)
    if not _token_valid(data.get("token", ""), assignment):
        return _error(request, "This page is out of date; reload it and submit again.", 403)
    if data.get("tutorial_complete") == "true":
        assignment_services.tutorial_complete(experiment_worker=experiment_worker)
        return JsonResponse({"result": "success", "message": "tutorial complete"})
    if hit.sandbox and not settings.CROWD_ACCEPT_SANDBOX_HITS:
        return _error(request, "Sandbox tasks are not accepted by this server.", 400)
    try:
        form = submission_form_parse(data, user_agent=request.headers.get("User-Agent", ""))
        with transaction.atomic():
            received = submission_receive(assignment=assignment, form=form)
    except SubmissionInvalid as exc:
        return _error(request, f"Invalid submission: {exc}", 400)
    except SubmissionConflict as exc:
        return _error(request, str(exc), 409)
    except SubmissionGone as exc:
        return _error(request, str(exc), 410)
    # Only now, after the commit, is the worker told their work is safe.
    message = "saved" if received.partial else "success"
    return JsonResponse({"result": "success", "message": message, "repeated": received.repeated})


def _render_task(
    request, *, hit: Hit, assignment, mode: str, ask_feedback: bool = False, preview: bool = False
):
    experiment = hit.experiment
    task_type = get_task_type(experiment.task_type)
    contents = selectors.assignment_contents(assignment=assignment, hit=hit)
    objects = [item.content for item in contents]
    template = {
        "instructions": task_type.instructions_template,
        "tutorial": task_type.tutorial_template or task_type.template,
        "task": task_type.template,
    }[mode]
    submit_to = request.GET.get("turkSubmitTo", "")
    config = {
        "mode": mode,
        "preview": preview or mode == "instructions",
        "postUrl": request.get_full_path(),
        "submitTo": submit_to,
        "assignmentId": assignment.external_id if assignment else "",
        "hitId": hit.external_id,
        "workerId": assignment.worker.external_id if assignment else "",
        "token": assignment_token(assignment) if assignment else "",
        "version": sorted(task_type.versions)[-1],
        "askFeedback": ask_feedback,
        "feedbackBonus": str(hit.hit_type.settings.feedback_bonus or ""),
        "contents": [task_type.content_entry(obj) for obj in objects],
        "requirements": hit.hit_type.settings.requirements,
        "partialResults": assignment.partial_results if assignment else None,
    }
    context = {
        "experiment": experiment,
        "settings": hit.hit_type.settings,
        "hit": hit,
        "assignment": assignment,
        "contents": objects,
        "num_contents": len(objects),
        "config": config,
        "examples": selectors.examples_for(experiment),
        **hit.hit_type.settings.requirements,
        **task_type.page_context(objects),
    }
    return render(request, template, context)


@csrf_exempt
@require_POST
def hit_counter(request: HttpRequest, hit_id: str, kind: str) -> HttpResponse:
    """Count browsers that can (compatible) or cannot (incompatible) run a task page."""
    field = {"compatible": "compatible_count", "incompatible": "incompatible_count"}[kind]
    updated = Hit.objects.filter(external_id=hit_id).update(**{field: F(field) + 1})
    if not updated:
        raise Http404("No such HIT.")
    return JsonResponse({"result": "success"})


# --- the in-house work queue ---


@login_required
def work(request: HttpRequest) -> HttpResponse:
    """The annotator's queue: what they can work on, and a button to start."""
    worker = assignment_services.local_worker(request.user)
    if request.method == "POST":
        experiment_id = request.POST.get("experiment")
        url = (
            local_services.local_next_task(
                worker=worker, experiment_id=int(experiment_id) if experiment_id else None
            )
            if not experiment_id or experiment_id.isdigit()
            else None
        )
        if url:
            return redirect(url)
        messages.info(request, "There is no task for you right now. Thank you!")
        return redirect("crowd:work")
    return render(
        request,
        "crowd/work.html",
        {
            "worker": worker,
            "available": local_services.local_available(worker=worker)
            if not worker.blocked
            else [],
            "recent": worker.assignments.select_related("hit__experiment")[:20],
        },
    )


@csrf_exempt
@xframe_options_exempt
def local_submitted(request: HttpRequest) -> HttpResponse:
    """Where a finished in-house task lands (the local twin of MTurk's externalSubmit)."""
    if request.user.is_authenticated:
        messages.success(request, "Thank you! Your work was saved.")
    return redirect("crowd:work")


@login_required
@require_POST
def work_return(request: HttpRequest, assignment_id: str) -> HttpResponse:
    worker = assignment_services.local_worker(request.user)
    local_services.local_return(worker=worker, assignment_id=assignment_id)
    messages.info(request, "The task was returned.")
    return redirect("crowd:work")


def staff_preview(request: HttpRequest, experiment_id: int, mode: str) -> HttpResponse:
    """Render an experiment's instructions, tutorial or task with a real HIT (no submitting)."""
    experiment = get_object_or_404(Experiment, pk=experiment_id)
    hit = (
        Hit.objects.filter(experiment=experiment)
        .select_related("experiment__settings", "hit_type__settings")
        .order_by("-num_assignments_completed", "-id")
        .first()
    )
    if hit is None:
        return render(
            request,
            "crowd/task_error.html",
            {"message": "This experiment has no HIT yet: dispatch some content first."},
            status=404,
        )
    return _render_task(request, hit=hit, assignment=None, mode=mode, preview=True)
