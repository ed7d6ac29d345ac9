"""The crowd pipeline: experiments, pending content, HITs, assignments, workers, payments.

Vocabulary follows Amazon Mechanical Turk, whatever the marketplace: a *HIT* is a batch
of contents posted for ``max_assignments`` workers; an *assignment* is one worker's
copy of a HIT. See docs/crowd.md for the life cycle.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from opensurfaces.core.models import TimestampedModel

MONEY = {"max_digits": 10, "decimal_places": 4}


class Marketplace(models.TextChoices):
    LOCAL = "local", "in-house annotators"
    MTURK = "mturk", "Amazon Mechanical Turk"


class ContentReference(models.Model):
    """Points at any input or output object (a photo, a shape, a label...)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


# --- Experiments ---


class Experiment(TimestampedModel):
    """One kind of task (e.g. quality_scene), declared in code and applied by mtconfigure."""

    slug = models.SlugField(max_length=64)
    # JSON text of the variant parameters; "" for the plain experiment.
    variant = models.CharField(max_length=255, blank=True, default="")
    app_label = models.CharField(max_length=64)
    task_type = models.CharField(max_length=64, help_text="Key in crowd.tasktypes")
    # Outputs of experiments sharing a completed_id count for each other.
    completed_id = models.CharField(max_length=64)
    has_tutorial = models.BooleanField(default=False)
    # The settings snapshot new HITs are made with.
    settings = models.ForeignKey(
        "ExperimentSettings", null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Declared active by the last mtconfigure: its pending content is dispatched.
    active = models.BooleanField(default=False)
    # New answers arrived since the last aggregation.
    aggregation_dirty = models.BooleanField(default=False)

    class Meta:
        ordering = ["-active", "slug", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "variant"], name="experiment_slug_variant"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.variant}".strip()

    def get_absolute_url(self) -> str:
        return reverse("crowd:task", kwargs={"experiment_id": self.pk})


class ExperimentSettings(models.Model):
    """An immutable snapshot of an experiment's settings; each change makes a new one."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    marketplace = models.CharField(max_length=16, choices=Marketplace.choices)
    sandbox = models.BooleanField(default=True)
    title = models.CharField(max_length=255)
    description = models.TextField()
    keywords = models.CharField(max_length=1000, blank=True)
    reward = models.DecimalField(**MONEY)
    feedback_bonus = models.DecimalField(**MONEY, null=True, blank=True)
    contents_per_hit = models.PositiveIntegerField()
    num_outputs_max = models.PositiveIntegerField(help_text="Outputs wanted per item")
    min_output_consensus = models.PositiveIntegerField()
    out_count_ratio = models.PositiveIntegerField(help_text="Outputs per item per assignment")
    sentinels_per_assignment = models.PositiveIntegerField(default=0)
    duration = models.PositiveIntegerField(help_text="Seconds a worker has per assignment")
    lifetime = models.PositiveIntegerField(help_text="Seconds a HIT stays on the marketplace")
    auto_approval_delay = models.PositiveIntegerField(help_text="Seconds until MTurk approves")
    max_active_hits = models.PositiveIntegerField()
    max_total_hits = models.PositiveIntegerField()
    priority = models.IntegerField(default=0, help_text="Higher runs first across experiments")
    frame_height = models.PositiveIntegerField(default=800)
    # Marketplace qualification requirements: [{"name": "perc_approved", "value": 97}, ...]
    qualifications = models.JSONField(default=list, blank=True)
    # Values the task page needs (e.g. {"min_shapes": 6}).
    requirements = models.JSONField(default=dict, blank=True)
    # Field lookups an input must match: {"scene_category__isnull": false}
    content_filter = models.JSONField(default=dict, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    out_content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["experiment", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "version"], name="settings_version"),
            models.CheckConstraint(condition=Q(reward__gte=0), name="settings_reward_positive"),
            models.CheckConstraint(
                condition=Q(contents_per_hit__gt=0) & Q(out_count_ratio__gt=0),
                name="settings_positive_batches",
            ),
        ]
        verbose_name_plural = "experiment settings"

    def __str__(self) -> str:
        return f"{self.experiment} v{self.version}"


class ExperimentExample(ContentReference):
    """A good or bad example shown with an experiment's instructions."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="examples")
    good = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "content_type", "object_id"], name="example_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{'good' if self.good else 'bad'} example {self.object_id} of {self.experiment}"


# --- Pending content ---


class PendingContent(ContentReference, TimestampedModel):
    """An input an experiment still wants outputs for, with its demand counters."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="pending")
    num_outputs_max = models.PositiveIntegerField(help_text="0 excludes the item")
    num_outputs_completed = models.PositiveIntegerField(default=0)
    num_outputs_scheduled = models.PositiveIntegerField(default=0)
    priority = models.FloatField(default=0)

    class Meta:
        ordering = ["experiment", "-num_outputs_completed", "-priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "content_type", "object_id"], name="pending_unique"
            ),
        ]
        indexes = [
            # crowd.services.dispatch: partly-done items first, then by priority
            models.Index(
                F("experiment"),
                F("num_outputs_completed").desc(),
                F("priority").desc(),
                F("id"),
                name="pending_dispatch_order",
            ),
            # reverse lookup when an object's outputs arrive or it becomes invalid
            models.Index(fields=["content_type", "object_id"], name="pending_content"),
        ]
        verbose_name_plural = "pending contents"

    def __str__(self) -> str:
        return f"{self.experiment} item {self.object_id}"

    @property
    def num_to_schedule(self) -> int:
        return max(
            0, self.num_outputs_max - self.num_outputs_completed - self.num_outputs_scheduled
        )


# --- Workers ---


class Worker(TimestampedModel):
    """A person doing tasks, identified by their marketplace id."""

    marketplace = models.CharField(max_length=16, choices=Marketplace.choices)
    external_id = models.CharField(max_length=128, help_text="e.g. the MTurk WorkerId")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crowd_worker",
        help_text="The account of an in-house annotator",
    )
    blocked = models.BooleanField(default=False, help_text="Blocked from every experiment")
    blocked_reason = models.TextField(blank=True)
    always_approve = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "external_id"], name="worker_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.marketplace}:{self.external_id}"


class ExperimentWorker(TimestampedModel):
    """A worker's standing in one experiment."""

    class BlockMethod(models.TextChoices):
        ADMIN = "A", "by staff"
        SENTINELS = "T", "low sentinel accuracy"

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="workers")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="experiments")
    tutorial_completed = models.BooleanField(default=False)
    auto_approve = models.BooleanField(default=False)
    auto_approve_message = models.TextField(blank=True)
    blocked = models.BooleanField(default=False)
    blocked_reason = models.TextField(blank=True)
    blocked_method = models.CharField(max_length=1, choices=BlockMethod.choices, blank=True)
    num_test_correct = models.PositiveIntegerField(default=0)
    num_test_incorrect = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "worker"], name="experiment_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} in {self.experiment}"


class Qualification(TimestampedModel):
    """A custom qualification granted to workers (mirrored on MTurk as a qualification type)."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    keywords = models.CharField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)
    # The marketplace's id for it, per marketplace and sandbox: {"mturk-sandbox": "3ABC..."}
    external_ids = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class QualificationGrant(TimestampedModel):
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="grants"
    )
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="qualifications")
    value = models.IntegerField(default=1)
    granted = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["qualification", "worker"], name="qualification_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification} = {self.value} for {self.worker}"


# --- HITs ---


class HitType(TimestampedModel):
    """A group of HITs with the same reward, duration and text on the marketplace."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="hit_types")
    settings = models.ForeignKey(ExperimentSettings, on_delete=models.PROTECT, related_name="+")
    marketplace = models.CharField(max_length=16, choices=Marketplace.choices)
    sandbox = models.BooleanField()
    external_id = models.CharField(max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace", "sandbox", "external_id"], name="hittype_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.marketplace} type {self.external_id}"


class Hit(TimestampedModel):
    """A batch of contents posted on a marketplace for ``max_assignments`` workers."""

    class Status(models.TextChoices):
        ASSIGNABLE = "A", "assignable"
        UNASSIGNABLE = "U", "unassignable"
        REVIEWABLE = "R", "reviewable"
        REVIEWING = "E", "reviewing"
        DISPOSED = "D", "disposed"

    hit_type = models.ForeignKey(HitType, on_delete=models.PROTECT, related_name="hits")
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="hits")
    marketplace = models.CharField(max_length=16, choices=Marketplace.choices)
    sandbox = models.BooleanField()
    external_id = models.CharField(max_length=128)
    # HITs split to stay under a fee threshold share a group (same contents).
    group = models.CharField(max_length=64, blank=True)
    max_assignments = models.PositiveIntegerField()
    out_count_ratio = models.PositiveIntegerField(default=1)
    num_contents = models.PositiveIntegerField(default=0)
    reward = models.DecimalField(**MONEY)
    expires_at = models.DateTimeField()
    expired = models.BooleanField(default=False)
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.ASSIGNABLE)
    num_assignments_available = models.PositiveIntegerField(default=0)
    num_assignments_pending = models.PositiveIntegerField(default=0)
    num_assignments_completed = models.PositiveIntegerField(default=0)
    any_submitted = models.BooleanField(default=False)
    all_submitted = models.BooleanField(default=False)
    compatible_count = models.PositiveIntegerField(default=0)
    incompatible_count = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace", "sandbox", "external_id"], name="hit_unique"
            ),
        ]
        indexes = [
            # crowd.services.dispatch counts an experiment's active HITs
            models.Index(
                fields=["experiment", "sandbox"],
                name="hit_active",
                condition=Q(expired=False, all_submitted=False),
            ),
        ]

    def __str__(self) -> str:
        return f"HIT {self.external_id}"


class HitContent(ContentReference):
    """One input shown in a HIT."""

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="contents")
    pending = models.ForeignKey(
        PendingContent, null=True, on_delete=models.SET_NULL, related_name="hit_contents"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hit", "content_type", "object_id"], name="hitcontent_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.object_id} in {self.hit}"


# --- Sentinels ---


class Sentinel(ContentReference, TimestampedModel):
    """A test content with a known answer, mixed into an experiment's tasks."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="sentinels")
    expected = models.JSONField(help_text="The correct answer, in the task's result format")
    priority = models.FloatField(default=0)

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "content_type", "object_id"], name="sentinel_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"sentinel {self.object_id} of {self.experiment}"


# --- Assignments ---


class Assignment(TimestampedModel):
    """One worker's copy of a HIT."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "working"
        SUBMITTED = "submitted", "submitted, to review"
        APPROVED = "approved", "approved"
        REJECTED = "rejected", "rejected"
        ABANDONED = "abandoned", "abandoned or returned"

    # Work the worker handed in (whatever its review): it uses up a slot of the HIT.
    DONE_STATUSES = (Status.SUBMITTED, Status.APPROVED, Status.REJECTED)

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="assignments")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="assignments")
    external_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    sentinels = models.ManyToManyField(Sentinel, blank=True, related_name="assignments")
    # None until sentinels were picked for it; then how many.
    num_sentinels = models.PositiveIntegerField(null=True, blank=True)
    num_sentinels_correct = models.PositiveIntegerField(default=0)
    num_sentinels_incorrect = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    approve_message = models.TextField(blank=True)
    reject_message = models.TextField(blank=True)
    manually_rejected = models.BooleanField(default=False)
    bonus = models.DecimalField(**MONEY, default=Decimal("0"))
    bonus_message = models.TextField(blank=True)
    feedback_bonus_given = models.BooleanField(default=False)
    # Work in progress saved by the task page (partial posts); never processed.
    partial_results = models.JSONField(null=True, blank=True)
    partial_saved_at = models.DateTimeField(null=True, blank=True)
    # What the worker's browser reported with the submission
    time_ms = models.PositiveIntegerField(null=True, blank=True)
    time_active_ms = models.PositiveIntegerField(null=True, blank=True)
    time_load_ms = models.PositiveIntegerField(null=True, blank=True)
    screen_width = models.PositiveIntegerField(null=True, blank=True)
    screen_height = models.PositiveIntegerField(null=True, blank=True)
    ui_version = models.CharField(max_length=32, blank=True)
    user_agent = models.TextField(blank=True)
    action_log = models.TextField(blank=True)
    wage = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Reward per hour of total time"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["hit", "external_id"], name="assignment_unique"),
        ]
        indexes = [
            # staff review pages list an experiment's assignments by status
            models.Index(fields=["status", "-submitted_at"], name="assignment_review"),
        ]

    def __str__(self) -> str:
        return f"assignment {self.external_id}"


class AssignmentEvent(models.Model):
    """A change of an assignment's status, with who or what caused it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    by = models.CharField(max_length=150, blank=True, help_text="staff username, task or rule")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["assignment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.from_status or '-'} -> {self.to_status}"


class Submission(models.Model):
    """A worker's posted answers, stored before the worker is told "success".

    The outbox of the pipeline: processing reads it, and a periodic sweep re-queues any
    submission not processed yet, so no answer is lost when the broker is down.
    """

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="submission"
    )
    results = models.JSONField()
    times = models.JSONField(default=dict, help_text="time_ms / time_active_ms as posted")
    version = models.CharField(max_length=32)
    digest = models.CharField(max_length=64, help_text="sha256 of the results, to spot repeats")
    meta = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # crowd.services.submissions.submissions_sweep
            models.Index(
                fields=["received_at"],
                name="submission_unprocessed",
                condition=Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"submission of {self.assignment}"


class SubmittedContent(ContentReference):
    """An output object an assignment produced."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="submitted_contents"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "content_type", "object_id"], name="submitted_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"output {self.object_id} of {self.assignment}"


class SentinelResponse(models.Model):
    """A worker's answer to a sentinel: only the first answer per worker counts."""

    sentinel = models.ForeignKey(Sentinel, on_delete=models.CASCADE, related_name="responses")
    experiment_worker = models.ForeignKey(
        ExperimentWorker, on_delete=models.CASCADE, related_name="sentinel_responses"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="sentinel_responses"
    )
    correct = models.BooleanField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sentinel", "experiment_worker"], name="sentinel_response_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{'right' if self.correct else 'wrong'} answer to {self.sentinel}"


class Feedback(models.Model):
    """What a worker told us about a task (optionally paid a feedback bonus)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="feedback")
    answers = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"feedback on {self.assignment}"

    @property
    def deserves_bonus(self) -> bool:
        """At least two non-empty answers."""
        return sum(1 for value in self.answers.values() if str(value).strip()) >= 2


# --- Payments ---


class Payment(models.Model):
    """One line of the payment ledger: money we owe or paid through a marketplace.

    Every payment is created (state PENDING) under a unique idempotency key *before* the
    marketplace is asked to pay, and marked SENT with the marketplace's id after. A retry
    finds the row and never pays twice; the marketplace gets the same key as its request
    token where it supports one (MTurk SendBonus UniqueRequestToken).
    """

    class Kind(models.TextChoices):
        REWARD = "reward", "reward"
        BONUS = "bonus", "bonus"
        FEEDBACK_BONUS = "feedback_bonus", "feedback bonus"
        FEE = "fee", "marketplace fee"

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        RECONCILED = "reconciled", "reconciled with the marketplace"
        FAILED = "failed", "failed"

    idempotency_key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="payments")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="payments")
    marketplace = models.CharField(max_length=16, choices=Marketplace.choices)
    sandbox = models.BooleanField()
    amount = models.DecimalField(**MONEY)
    reason = models.TextField(blank=True)
    external_id = models.CharField(max_length=128, blank=True, help_text="marketplace's id")
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_not_negative"),
        ]
        indexes = [
            # crowd.services.payments.payments_reconcile
            models.Index(fields=["state", "created_at"], name="payment_state"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} to {self.worker} ({self.state})"


# --- Results base ---


class ResultBase(models.Model):
    """Fields every crowd answer carries: who gave it, in which assignment, at what cost."""

    class QualityMethod(models.TextChoices):
        ADMIN = "A", "admin"
        CROWD_MODEL = "C", "crowd model"
        MAJORITY = "M", "majority vote"
        QUALIFICATION = "Q", "qualification"

    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sandbox = models.BooleanField(default=False)
    invalid = models.BooleanField(default=False)
    quality_method = models.CharField(max_length=1, choices=QualityMethod.choices, blank=True)
    time_ms = models.PositiveIntegerField(null=True, blank=True)
    time_active_ms = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    reward = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        abstract = True


# --- The local marketplace ---
# In-house annotators get work from a marketplace kept in our own database. It behaves
# like MTurk (HIT types, HITs, assignments with deadlines, approval, bonuses), so the
# rest of the pipeline treats both the same way through crowd.backends.


class LocalHitType(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    sandbox = models.BooleanField(default=False)
    title = models.CharField(max_length=255)
    description = models.TextField()
    keywords = models.CharField(max_length=1000, blank=True)
    reward = models.DecimalField(**MONEY)
    duration = models.PositiveIntegerField()
    auto_approval_delay = models.PositiveIntegerField()
    qualifications = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.title


class LocalHit(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    hit_type = models.ForeignKey(LocalHitType, on_delete=models.CASCADE, related_name="hits")
    external_url = models.URLField(max_length=1000)
    frame_height = models.PositiveIntegerField(default=800)
    max_assignments = models.PositiveIntegerField()
    annotation = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"local HIT {self.external_id}"


class LocalAssignment(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "Accepted"
        SUBMITTED = "Submitted"
        APPROVED = "Approved"
        REJECTED = "Rejected"
        ABANDONED = "Abandoned"

    external_id = models.CharField(max_length=64, unique=True)
    hit = models.ForeignKey(LocalHit, on_delete=models.CASCADE, related_name="assignments")
    worker_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    accepted_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    feedback = models.TextField(blank=True, help_text="approve or reject message")

    class Meta:
        constraints = [
            # A worker does a HIT at most once (a returned one may be taken again).
            models.UniqueConstraint(
                fields=["hit", "worker_id"],
                condition=~Q(status="Abandoned"),
                name="local_assignment_once",
            ),
        ]
        indexes = [
            # crowd.backends.local.reserve counts a HIT's taken slots
            models.Index(fields=["hit", "status", "deadline"], name="local_assignment_slots"),
        ]

    def __str__(self) -> str:
        return f"local assignment {self.external_id}"


class LocalBonus(models.Model):
    token = models.CharField(max_length=64, unique=True)
    assignment = models.ForeignKey(LocalAssignment, on_delete=models.CASCADE)
    worker_id = models.CharField(max_length=128)
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "local bonuses"

    def __str__(self) -> str:
        return f"bonus {self.amount} to {self.worker_id}"


class LocalBlock(models.Model):
    worker_id = models.CharField(max_length=128, unique=True)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.worker_id} blocked"
