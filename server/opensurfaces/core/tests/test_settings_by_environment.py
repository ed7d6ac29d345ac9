"""The settings module configures each service from the environment alone.

Each case imports config.settings in a fresh interpreter with a given environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SERVER_DIR = Path(__file__).resolve().parents[3]


def settings_for(env: dict[str, str]) -> dict:
    code = (
        "import json, config.settings as s;"
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
        "'db_name': s.DATABASES['default']['NAME'],"
        "'cache': s.CACHES['default']['BACKEND'],"
        "'cache_location': s.CACHES['default']['LOCATION'],"
        "'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG,"
        "'storage': s.STORAGES['default']['BACKEND']}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    base.pop("MEMCACHED_LOCATION", None)
    base.pop("CELERY_BROKER_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SERVER_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1])
    return json.loads(result.stdout)


def test_embedded_default_needs_no_services(tmp_path):
    s = settings_for({"DATA_DIR": str(tmp_path)})
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["db_name"] == str(tmp_path / "db.sqlite3")
    assert s["cache"].endswith("FileBasedCache")
    assert s["broker"].startswith("embedded+sqlite:///")
    assert s["debug"] is True


def test_production_services_come_from_the_environment():
    s = settings_for(
        {
            "DATABASE_URL": "postgres://labelmaterial@127.0.0.1:5432/labelmaterial",
            "MEMCACHED_LOCATION": "127.0.0.1:11211,10.0.0.2:11211",
            "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
            "DJANGO_ENV": "production",
        }
    )
    assert s["db"] == "django.db.backends.postgresql"
    assert s["db_name"] == "labelmaterial"
    assert s["cache"].endswith("PyMemcacheCache")
    assert s["cache_location"] == ["127.0.0.1:11211", "10.0.0.2:11211"]
    assert s["broker"].startswith("amqp://")
    assert s["debug"] is False


def test_s3_media_storage_is_a_setting():
    s = settings_for({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "photos"})
    assert s["storage"] == "storages.backends.s3.S3Storage"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "sometimes"}, "DJANGO_DEBUG='sometimes' is not a boolean"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV='staging' must be one of"),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL is not a database URL"),
    ],
)
def test_bad_values_stop_the_process_with_the_variable_named(env, message):
    with pytest.raises(RuntimeError, match=message):
        settings_for(env)
