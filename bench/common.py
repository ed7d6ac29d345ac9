"""Shared set-up for the benchmarks: Django on a throwaway database, and timing."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))


def django_with_test_database(run: Callable[[], None]) -> None:
    """Run ``run`` with Django set up on a test database (SQLite, or DATABASE_URL's server)."""
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="opensurfaces-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test.utils import get_runner, setup_test_environment

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    setup_test_environment()
    connections["default"].settings_dict["TEST"]["NAME"] = "bench_opensurfaces"
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        run()
    finally:
        runner.teardown_databases(old_config)


def median_ms(call: Callable[[], object], repeat: int, before: Callable[[], None] | None = None):
    samples = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def report(title: str, rows: list[tuple[str, float]], baseline: float) -> None:
    print(title)
    print(f"{'case':52} {'ms':>8} {'x baseline':>11}")
    for name, ms in rows:
        print(f"{name:52} {ms:8.2f} {ms / baseline:11.1f}")
