"""Staff pages: experiments, statistics, pending content, feedback, review and payment."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from opensurfaces.crowd import selectors, views
from opensurfaces.crowd.backends.base import MarketplaceError
from opensurfaces.crowd.models import (
    Assignment,
    Experiment,
    ExperimentExample,
    Feedback,
    Hit,
    Payment,
)
from opensurfaces.crowd.services import review
from opensurfaces.crowd.tasktypes import get_task_type

PAGE = 20


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("crowd:staff_experiments")


@staff_member_required
def experiments(request: HttpRequest) -> HttpResponse:
    rows = []
    for experiment in Experiment.objects.select_related("settings").order_by("-active", "slug"):
        rows.append({"experiment": experiment, "pending": selectors.pending_counts(experiment)})
    return render(request, "crowd/staff/experiments.html", {"rows": rows})


@staff_member_required
def preview(request: HttpRequest, experiment_id: int, mode: str) -> HttpResponse:
    modes = {"inst": "instructions", "task": "task", "tut": "tutorial"}
    if mode not in modes:
        raise Http404("Unknown preview.")
    return views.staff_preview(request, experiment_id, modes[mode])


def _stats(hits, assignments) -> dict:
    hit_counts = hits.aggregate(
        active=Count("id", filter=Q(expired=False, all_submitted=False)),
        partial=Count("id", filter=Q(any_submitted=True, all_submitted=False)),
        complete=Count("id", filter=Q(all_submitted=True)),
        expired=Count("id", filter=Q(expired=True)),
        compatible=Sum("compatible_count"),
        incompatible=Sum("incompatible_count"),
    )
    done = assignments.exclude(submitted_at=None)
    assignment_counts = assignments.aggregate(
        to_review=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
        approved=Count("id", filter=Q(status=Assignment.Status.APPROVED)),
        rejected=Count("id", filter=Q(status=Assignment.Status.REJECTED)),
        rejected_manually=Count("id", filter=Q(manually_rejected=True)),
        abandoned=Count("id", filter=Q(status=Assignment.Status.ABANDONED)),
        has_feedback=Count("id", filter=Q(feedback__isnull=False)),
        workers=Count("worker", distinct=True),
    )
    times = done.aggregate(
        time_avg=Avg("time_ms"),
        time_min=Min("time_ms"),
        time_max=Max("time_ms"),
        active_avg=Avg("time_active_ms"),
        wage_avg=Avg("wage"),
        width_avg=Avg("screen_width"),
        height_avg=Avg("screen_height"),
    )
    paid = (
        Payment.objects.filter(assignment__in=assignments)
        .exclude(state=Payment.State.FAILED)
        .values("kind")
        .annotate(total=Sum("amount"))
    )
    return {
        "hits": hit_counts,
        "assignments": assignment_counts,
        "times": times,
        "paid": {row["kind"]: row["total"] for row in paid},
    }


@staff_member_required
def stats(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    hits = Hit.objects.all()
    assignments = Assignment.objects.all()
    if slug:
        get_object_or_404(Experiment.objects.filter(slug=slug)[:1])
        hits = hits.filter(experiment__slug=slug)
        assignments = assignments.filter(hit__experiment__slug=slug)
    sandbox = request.GET.get("sandbox") == "1"
    hits = hits.filter(sandbox=sandbox)
    assignments = assignments.filter(hit__sandbox=sandbox)
    return render(
        request,
        "crowd/staff/stats.html",
        {
            "slug": slug,
            "sandbox": sandbox,
            "stats": _stats(hits, assignments),
            "experiments": Experiment.objects.values_list("slug", flat=True).distinct(),
        },
    )


@staff_member_required
def pending(request: HttpRequest, experiment_id: int, filter_key: str) -> HttpResponse:
    experiment = get_object_or_404(Experiment, pk=experiment_id)
    if filter_key not in selectors.PENDING_FILTERS:
        raise Http404("Unknown filter.")
    rows = list(selectors.pending_rows(experiment, filter_key)[:200])
    task_type = get_task_type(experiment.task_type)
    contents = task_type.contents_queryset([r.object_id for r in rows]).in_bulk()
    entries = [
        (row, task_type.content_entry(contents[row.object_id]) if row.object_id in contents else {})
        for row in rows
    ]
    return render(
        request,
        "crowd/staff/pending.html",
        {
            "experiment": experiment,
            "filter_key": filter_key,
            "counts": selectors.pending_counts(experiment),
            "entries": entries,
        },
    )


@staff_member_required
def feedback(request: HttpRequest) -> HttpResponse:
    items = Feedback.objects.select_related("assignment__worker", "assignment__hit__experiment")
    worker_id = request.GET.get("worker_id", "")
    if worker_id:
        items = items.filter(assignment__worker__external_id=worker_id)
    return render(
        request, "crowd/staff/feedback.html", {"items": items[:200], "worker_id": worker_id}
    )


SUBMISSION_FILTERS = {
    "all": Q(),
    "pending": Q(status=Assignment.Status.SUBMITTED),
    "approved": Q(status=Assignment.Status.APPROVED),
    "rejected": Q(status=Assignment.Status.REJECTED),
    "feedback": Q(feedback__isnull=False),
    "bonus": Q(bonus__gt=0),
    "unblocked": Q(worker__blocked=False),
}


@staff_member_required
def submissions(request: HttpRequest) -> HttpResponse:
    """Submitted assignments with their answers and review buttons, newest first."""
    filter_key = request.GET.get("filter", "pending")
    if filter_key not in SUBMISSION_FILTERS:
        raise Http404("Unknown filter.")
    items = (
        Assignment.objects.exclude(submitted_at=None)
        .filter(SUBMISSION_FILTERS[filter_key])
        .select_related("worker", "hit__experiment", "submission", "feedback")
        .order_by("-id")
    )
    slug = request.GET.get("experiment", "")
    if slug:
        items = items.filter(hit__experiment__slug=slug)
    worker_id = request.GET.get("worker_id", "")
    if worker_id:
        items = items.filter(worker__external_id=worker_id)
    before = request.GET.get("before", "")
    if before:
        if not before.isdigit():
            return HttpResponseBadRequest("Invalid page.")
        items = items.filter(pk__lt=int(before))
    page = list(items[: PAGE + 1])
    entries = [_review_entry(assignment) for assignment in page[:PAGE]]
    return render(
        request,
        "crowd/staff/submissions.html",
        {
            "entries": entries,
            "filter_key": filter_key,
            "filters": list(SUBMISSION_FILTERS),
            "slug": slug,
            "worker_id": worker_id,
            "next_before": page[PAGE - 1].pk if len(page) > PAGE else None,
            "experiments": Experiment.objects.values_list("slug", flat=True).distinct(),
        },
    )


def _review_entry(assignment: Assignment) -> dict:
    task_type = get_task_type(assignment.hit.experiment.task_type)
    submission = getattr(assignment, "submission", None)
    results = submission.results if submission else {}
    contents = task_type.contents_queryset([int(k) for k in results if k.isdigit()]).in_bulk()
    sentinel_ids = set(assignment.sentinels.values_list("object_id", flat=True))
    answers = [
        {
            "entry": task_type.content_entry(contents[int(key)]),
            "answer": value,
            "sentinel": int(key) in sentinel_ids,
        }
        for key, value in results.items()
        if key.isdigit() and int(key) in contents
    ]
    return {
        "assignment": assignment,
        "answers": answers,
        "feedback": getattr(assignment, "feedback", None),
        "bonus_key": uuid.uuid4().hex,
    }


ACTIONS = {"approve", "reject", "bonus", "block", "unblock", "auto-approve"}


@staff_member_required
@require_POST
def assignment_action(request: HttpRequest, assignment_id: int, action: str) -> HttpResponse:
    """Apply one review button; the result is shown as a message on the review page."""
    if action not in ACTIONS:
        raise Http404("Unknown action.")
    assignment = get_object_or_404(
        Assignment.objects.select_related("worker", "hit__experiment"), pk=assignment_id
    )
    by = request.user.get_username()
    message = request.POST.get("message", "").strip()
    try:
        if action == "approve":
            review.assignment_approve(assignment_id=assignment.pk, message=message, by=by)
        elif action == "reject":
            review.assignment_reject(
                assignment_id=assignment.pk,
                message=message,
                by=by,
                force=request.POST.get("force") == "1",
            )
        elif action == "bonus":
            review.assignment_bonus(
                assignment_id=assignment.pk,
                amount=_amount(request.POST.get("amount", "")),
                reason=message,
                key=request.POST.get("key", "") or uuid.uuid4().hex,
                by=by,
            )
        elif action == "block":
            review.worker_block(
                worker=assignment.worker,
                reason=message,
                experiment=None
                if request.POST.get("everywhere") == "1"
                else assignment.hit.experiment,
                on_marketplace=request.POST.get("on_marketplace") == "1",
                by=by,
            )
        elif action == "unblock":
            review.worker_unblock(worker=assignment.worker)
            review.worker_unblock(worker=assignment.worker, experiment=assignment.hit.experiment)
        else:
            review.worker_auto_approve(
                experiment=assignment.hit.experiment, worker=assignment.worker, message=message
            )
    except review.ReviewRefused as exc:
        messages.error(request, str(exc))
        return _back(request, status=409)
    except MarketplaceError as exc:
        messages.error(request, f"The marketplace refused: {exc}")
        return _back(request, status=502)
    messages.success(request, f"{action.replace('-', ' ').capitalize()}: done for {assignment}.")
    return _back(request)


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise review.ReviewRefused(f"{text!r} is not an amount of dollars.") from None
    if not amount.is_finite() or amount <= 0 or amount > Decimal("100"):
        raise review.ReviewRefused("A bonus must be between $0.01 and $100.")
    return amount.quantize(Decimal("0.01"))


def _back(request: HttpRequest, *, status: int = 302) -> HttpResponse:
    target = request.POST.get("next", "")
    if not target.startswith("/mturk/admin/") or "//" in target:
        target = "/mturk/admin/submission/"
    response = redirect(target)
    if status != 302:
        # Same redirect for the browser; the status tells scripts and tests what happened.
        response = HttpResponse(status=status, headers={"Location": target})
    return response


@staff_member_required
def examples(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = get_object_or_404(Experiment, pk=experiment_id)
    task_type = get_task_type(experiment.task_type)
    rows = list(ExperimentExample.objects.filter(experiment=experiment))
    contents = task_type.contents_queryset([r.object_id for r in rows]).in_bulk()
    items = [
        {"example": r, "entry": task_type.content_entry(contents[r.object_id])}
        for r in rows
        if r.object_id in contents
    ]
    return render(request, "crowd/staff/examples.html", {"experiment": experiment, "items": items})


@staff_member_required
@require_POST
def example_toggle(request: HttpRequest) -> JsonResponse:
    """Mark a content as a good or bad example of an experiment (or add it)."""
    try:
        experiment = Experiment.objects.get(pk=int(request.POST.get("experiment", "")))
        object_id = int(request.POST.get("id", ""))
    except (ValueError, Experiment.DoesNotExist):
        return JsonResponse({"result": "error", "message": "unknown experiment or id"}, status=400)
    good = request.POST.get("good") == "true"
    task_type = get_task_type(experiment.task_type)
    content = task_type.contents_queryset([object_id]).first()
    if content is None:
        return JsonResponse({"result": "error", "message": "no such content"}, status=404)
    example, _ = ExperimentExample.objects.update_or_create(
        experiment=experiment,
        content_type=selectors.content_type_of(type(content)),
        object_id=object_id,
        defaults={"good": good},
    )
    return JsonResponse({"result": "success", "id": object_id, "good": example.good})
