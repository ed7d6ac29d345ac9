"""The Celery application; configuration comes from Django settings (CELERY_ namespace)."""

import os

from celery import Celery

from opensurfaces.core import broker

broker.register()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("opensurfaces")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
