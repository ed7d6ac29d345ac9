"""Settings for the test suite: the real settings with fast, isolated choices.

The database comes from DATABASE_URL like everywhere else, so the same suite runs on
PostgreSQL (scripts/test.sh) and on the SQLite default.
"""

import tempfile
from pathlib import Path

from config.env import env_str
from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": "test",
    }
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="opensurfaces-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="opensurfaces-test-static-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run only when a test calls them; enqueueing goes nowhere without a worker.
CELERY_BROKER_URL = "memory://"

# Lets two suites share one PostgreSQL server (e.g. TEST_DATABASE_NAME=test_stack).
if _test_name := env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": _test_name}  # noqa: F405
