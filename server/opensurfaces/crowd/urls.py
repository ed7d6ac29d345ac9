from django.urls import path

from opensurfaces.crowd import staff_views, views

app_name = "crowd"

urlpatterns = [
    # The marketplace-facing task page (MTurk ExternalQuestion) and its counters.
    path("mturk/external/task/<int:experiment_id>/", views.task, name="task"),
    path(
        "mturk/external/<str:kind>/<str:hit_id>/",
        views.hit_counter,
        name="hit_counter",
    ),
    # In-house annotators.
    path("crowd/work/", views.work, name="work"),
    path("crowd/work/return/<str:assignment_id>/", views.work_return, name="work_return"),
    path("crowd/local/mturk/externalSubmit", views.local_submitted, name="local_submitted"),
    # Staff.
    path("mturk/admin/", staff_views.index, name="staff_index"),
    path("mturk/admin/experiments/", staff_views.experiments, name="staff_experiments"),
    path(
        "mturk/admin/preview-task/<int:experiment_id>/<str:mode>/",
        staff_views.preview,
        name="staff_preview",
    ),
    path("mturk/admin/stats/", staff_views.stats, name="staff_stats_all"),
    path("mturk/admin/stats/<slug:slug>/", staff_views.stats, name="staff_stats"),
    path(
        "mturk/admin/pending-content/<int:experiment_id>/<slug:filter_key>/",
        staff_views.pending,
        name="staff_pending",
    ),
    path("mturk/admin/feedback/", staff_views.feedback, name="staff_feedback"),
    path("mturk/admin/submission/", staff_views.submissions, name="staff_submissions"),
    path(
        "mturk/admin/assignment/<int:assignment_id>/<slug:action>/",
        staff_views.assignment_action,
        name="staff_assignment_action",
    ),
    path("mturk/admin/example/<int:experiment_id>/", staff_views.examples, name="staff_examples"),
    path("mturk/admin/example/ajax/", staff_views.example_toggle, name="staff_example_toggle"),
]
