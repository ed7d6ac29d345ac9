from django.contrib import admin

from opensurfaces.crowd import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the pipeline writes: staff look, the services change them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["slug", "variant", "task_type", "active", "settings", "aggregation_dirty"]
    list_filter = ["active", "app_label"]
    readonly_fields = ["settings", "created_at", "updated_at"]


@admin.register(models.ExperimentSettings)
class ExperimentSettingsAdmin(ReadOnlyAdmin):
    list_display = ["experiment", "version", "marketplace", "sandbox", "reward", "created_at"]
    list_filter = ["marketplace", "sandbox"]


@admin.register(models.ExperimentExample)
class ExperimentExampleAdmin(admin.ModelAdmin):
    list_display = ["experiment", "object_id", "good"]


@admin.register(models.PendingContent)
class PendingContentAdmin(admin.ModelAdmin):
    list_display = [
        "experiment",
        "object_id",
        "num_outputs_max",
        "num_outputs_scheduled",
        "num_outputs_completed",
        "priority",
    ]
    list_filter = ["experiment"]


@admin.register(models.Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["external_id", "marketplace", "user", "blocked", "always_approve", "created_at"]
    list_filter = ["marketplace", "blocked", "always_approve"]
    search_fields = ["external_id", "user__username"]
    raw_id_fields = ["user"]


@admin.register(models.ExperimentWorker)
class ExperimentWorkerAdmin(admin.ModelAdmin):
    list_display = [
        "worker",
        "experiment",
        "tutorial_completed",
        "blocked",
        "blocked_method",
        "auto_approve",
        "num_test_correct",
        "num_test_incorrect",
    ]
    list_filter = ["experiment", "blocked", "auto_approve"]
    raw_id_fields = ["worker"]


@admin.register(models.Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "active"]


@admin.register(models.QualificationGrant)
class QualificationGrantAdmin(admin.ModelAdmin):
    list_display = ["qualification", "worker", "value", "granted"]
    raw_id_fields = ["worker"]


@admin.register(models.HitType)
class HitTypeAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "experiment", "marketplace", "sandbox", "created_at"]


class HitContentInline(admin.TabularInline):
    model = models.HitContent
    extra = 0
    can_delete = False
    readonly_fields = ["content_type", "object_id", "pending"]


@admin.register(models.Hit)
class HitAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "experiment",
        "marketplace",
        "sandbox",
        "max_assignments",
        "num_contents",
        "expired",
        "all_submitted",
        "created_at",
    ]
    list_filter = ["marketplace", "sandbox", "expired", "experiment"]
    search_fields = ["external_id"]
    inlines = [HitContentInline]


class AssignmentEventInline(admin.TabularInline):
    model = models.AssignmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "from_status", "to_status", "by", "note"]


@admin.register(models.Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = [
        "external_id",
        "worker",
        "hit",
        "status",
        "submitted_at",
        "time_ms",
        "bonus",
        "num_sentinels_correct",
        "num_sentinels_incorrect",
    ]
    list_filter = ["status", "hit__experiment", "hit__marketplace"]
    search_fields = ["external_id", "worker__external_id"]
    inlines = [AssignmentEventInline]


@admin.register(models.AssignmentEvent)
class AssignmentEventAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "at", "from_status", "to_status", "by"]


@admin.register(models.Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "version", "received_at", "processed_at", "attempts"]
    list_filter = ["processed_at"]


@admin.register(models.SubmittedContent)
class SubmittedContentAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "content_type", "object_id"]


@admin.register(models.Sentinel)
class SentinelAdmin(admin.ModelAdmin):
    list_display = ["experiment", "object_id", "expected", "priority"]
    list_filter = ["experiment"]


@admin.register(models.SentinelResponse)
class SentinelResponseAdmin(ReadOnlyAdmin):
    list_display = ["sentinel", "experiment_worker", "correct", "created_at"]


@admin.register(models.Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "created_at"]


@admin.register(models.Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "amount",
        "worker",
        "assignment",
        "marketplace",
        "state",
        "external_id",
    ]
    list_filter = ["kind", "state", "marketplace", "sandbox"]
    search_fields = ["idempotency_key", "worker__external_id", "external_id"]


@admin.register(models.LocalHitType)
class LocalHitTypeAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "title", "reward"]


@admin.register(models.LocalHit)
class LocalHitAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "hit_type", "max_assignments", "expires_at", "deleted"]


@admin.register(models.LocalAssignment)
class LocalAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "hit", "worker_id", "status", "deadline"]
    list_filter = ["status"]


@admin.register(models.LocalBonus)
class LocalBonusAdmin(ReadOnlyAdmin):
    list_display = ["token", "worker_id", "amount", "created_at"]


@admin.register(models.LocalBlock)
class LocalBlockAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "reason", "created_at"]
