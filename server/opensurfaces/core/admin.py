from django.contrib import admin

from opensurfaces.core.models import JobLock


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "acquired_at", "expires_at"]
