"""OpenSurfaces settings: one module, configured by environment variables.

With no variables set, the embedded default runs: SQLite and a file cache under data/,
a Celery broker stored in SQLite (no server), media on the local filesystem.
Production sets DJANGO_ENV=production and points the same code at PostgreSQL,
memcached and RabbitMQ; the checks in opensurfaces.core.checks refuse unsafe values.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_decimal,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
)

# --- Paths ---
SERVER_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SERVER_DIR.parent
DATA_DIR = env_path("DATA_DIR", REPO_DIR / "data")
RUN_DIR = env_path("RUN_DIR", REPO_DIR / "run")

# --- Core ---
ENVIRONMENT = env_choice("DJANGO_ENV", ("development", "production"), "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

# The development key is public; production refuses it (check opensurfaces.core.E002).
DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "opensurfaces.core",
    "opensurfaces.photos",
    "opensurfaces.catalog",
    "opensurfaces.crowd",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SERVER_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opensurfaces.core.context_processors.site",
            ],
        },
    },
]

# --- Database ---
# DATABASE_URL, e.g. postgres://labelmaterial@127.0.0.1:5432/labelmaterial
# (the password may come from DATABASE_PASSWORD or DATABASE_PASSWORD_FILE).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
try:
    _database = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0),
        # A kept connection is checked before reuse, so a PostgreSQL restart or a
        # restore_database.sh (which ends sessions) costs no request an error.
        # https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-database-connections
        conn_health_checks=env_bool("DJANGO_CONN_HEALTH_CHECKS", True),
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if _password := env_secret("DATABASE_PASSWORD"):
    _database["PASSWORD"] = _password
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait instead of failing.
    _database["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    _database["CONN_MAX_AGE"] = 0
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---
# memcached holds rendered HTML fragments; it is never the only copy of anything.
# https://docs.djangoproject.com/en/5.2/topics/cache/#memcached
MEMCACHED_LOCATION = env_list("MEMCACHED_LOCATION")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "os")
if MEMCACHED_LOCATION:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": MEMCACHED_LOCATION,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 3600,
            "OPTIONS": {
                "no_delay": True,
                "ignore_exc": True,  # a memcached outage degrades to cache misses
                "connect_timeout": 1,
                "timeout": 1,
            },
        }
    }
else:
    # Shared by gunicorn workers, the Celery worker and beat without a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Static and media files ---
STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
STATICFILES_DIRS = [SERVER_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
FILE_UPLOAD_PERMISSIONS = 0o644
# Behind nginx, /media/ is served from disk; without it Django serves media itself.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION)

MEDIA_STORAGE = env_choice("MEDIA_STORAGE", ("filesystem", "s3"), "filesystem")
if MEDIA_STORAGE == "s3":
    # Any S3-compatible service: https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    _media_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "region_name": env_str("AWS_S3_REGION_NAME"),
            "access_key": env_secret("AWS_ACCESS_KEY_ID"),
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY"),
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN"),
            # Public catalog images: readable by anyone (or set a bucket policy instead).
            "default_acl": env_str("AWS_DEFAULT_ACL", "public-read"),
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
        },
    }
    if not _media_backend["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
else:
    _media_backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_backend,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Pillow refuses images above this many pixels (decompression bombs).
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 64_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)

# --- Celery ---
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# The default needs no server: messages are rows in a SQLite file (opensurfaces.core.broker).
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", f"embedded+sqlite:///{DATA_DIR / 'celery-broker.sqlite3'}"
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"opensurfaces.photos.tasks.photo_thumbnails_generate": {"queue": "images"}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "catalog-stats-refresh": {
        "task": "opensurfaces.catalog.tasks.catalog_stats_refresh",
        "schedule": env_int("CATALOG_STATS_INTERVAL", 3600, minimum=10),
    },
    "photo-thumbnails-sweep": {
        "task": "opensurfaces.photos.tasks.photo_thumbnails_sweep",
        "schedule": 300,
    },
    "crowd-submissions-sweep": {
        "task": "opensurfaces.crowd.tasks.submissions_sweep",
        "schedule": 120,
    },
    "crowd-payments-reconcile": {
        "task": "opensurfaces.crowd.tasks.payments_reconcile",
        "schedule": 600,
    },
    "crowd-local-release": {
        "task": "opensurfaces.crowd.tasks.local_assignments_release",
        "schedule": 60,
    },
}

# --- Crowd pipeline ---
# Where new HITs go: "local" (in-house annotators on this site) or "mturk".
CROWD_MARKETPLACE = env_choice("CROWD_MARKETPLACE", ("local", "mturk"), "local")
# Sandbox HITs cost nothing on MTurk; production HITs pay real workers.
CROWD_SANDBOX = env_bool("MTURK_SANDBOX", True)
CROWD_ACCEPT_SANDBOX_HITS = env_bool("CROWD_ACCEPT_SANDBOX_HITS", CROWD_SANDBOX)
# Dispatch pending content into HITs every CROWD_DISPATCH_INTERVAL seconds (beat).
CROWD_PIPELINE_ENABLED = env_bool("CROWD_PIPELINE_ENABLED", not PRODUCTION)
CROWD_DISPATCH_INTERVAL = env_int("CROWD_DISPATCH_INTERVAL", 600, minimum=5)
# Fewer items than a HIT holds are dispatched once they have waited this long.
CROWD_LEFTOVER_SECONDS = env_int("CROWD_LEFTOVER_SECONDS", 3600, minimum=0)
CROWD_MAX_REWARD = Decimal(env_decimal("CROWD_MAX_REWARD", "0.20"))
CROWD_MIN_BALANCE = Decimal(env_decimal("CROWD_MIN_BALANCE", "10.00"))
CROWD_LOCAL_BUDGET = Decimal(env_decimal("CROWD_LOCAL_BUDGET", "1000000"))
# Approve every submission CROWD_AUTO_APPROVE_DELAY seconds after it arrives.
CROWD_AUTO_APPROVE = env_bool("CROWD_AUTO_APPROVE", False)
CROWD_AUTO_APPROVE_DELAY = env_int("CROWD_AUTO_APPROVE_DELAY", 60, minimum=0)
# Sync a HIT with its marketplace this long after a submission completes it.
CROWD_HIT_SYNC_DELAY = env_int("CROWD_HIT_SYNC_DELAY", 1800, minimum=0)
# Largest task POST accepted, in bytes (answers, timings and action log).
CROWD_MAX_POST_BYTES = env_int("CROWD_MAX_POST_BYTES", 2_000_000, minimum=10_000)
MTURK_ENDPOINT_URL = env_str("MTURK_ENDPOINT_URL")
MTURK_AWS_ACCESS_KEY_ID = env_secret("MTURK_AWS_ACCESS_KEY_ID")
MTURK_AWS_SECRET_ACCESS_KEY = env_secret("MTURK_AWS_SECRET_ACCESS_KEY")
if CROWD_PIPELINE_ENABLED:
    CELERY_BEAT_SCHEDULE["crowd-dispatch"] = {
        "task": "opensurfaces.crowd.tasks.crowd_dispatch",
        "schedule": CROWD_DISPATCH_INTERVAL,
    }

# --- Authentication ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/crowd/work/"

# --- Internationalisation ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- Security (production) ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Catalog ---
PHOTOS_PER_PAGE = env_int("PHOTOS_PER_PAGE", 30, minimum=1)
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 600, minimum=1)

# --- Logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # One handler for everything: Django's own console handler would print twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
