import os
import subprocess
import sys
from pathlib import Path

import pytest

from opensurfaces.core.checks import check_production_settings, production_errors

SAFE = {
    "debug": False,
    "secret_key": "x" * 50,
    "allowed_hosts": ["opensurfaces.example"],
    "database_engine": "django.db.backends.postgresql",
}


def error_ids(**overrides) -> set[str]:
    return {error.id for error in production_errors(**{**SAFE, **overrides})}


def test_safe_production_settings_pass():
    assert error_ids() == set()


def test_development_is_not_checked(settings):
    settings.PRODUCTION = False
    settings.DEBUG = True
    assert check_production_settings(None) == []


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"debug": True}, "opensurfaces.core.E001"),
        (
            {"secret_key": "insecure-development-key-do-not-use-in-production"},
            "opensurfaces.core.E002",
        ),
        ({"secret_key": "short"}, "opensurfaces.core.E002"),
        ({"allowed_hosts": []}, "opensurfaces.core.E003"),
        ({"database_engine": "django.db.backends.sqlite3"}, "opensurfaces.core.E004"),
    ],
)
def test_unsafe_production_settings_are_refused(overrides, error):
    assert error_ids(**overrides) == {error}


def test_manage_py_refuses_to_run_in_production_with_unsafe_settings(tmp_path):
    server = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=server,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "production",
            "DJANGO_DEBUG": "true",
            "DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    for error in ("E001", "E002", "E003", "E004"):
        assert f"opensurfaces.core.{error}" in result.stderr
