"""Fixtures shared by every test, and the CI rule that nothing may be skipped."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CI", "").lower() != "true":
        return
    for item in items:
        for _marker in item.iter_markers("skip"):
            raise pytest.UsageError(
                f"{item.nodeid} is marked skip; under CI=true nothing is skipped"
            )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI", "").lower() == "true":
        # A test that needs a service must find it in CI: a skip there is a failure.
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with a cold cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _load_reference_data() -> None:
    from opensurfaces.photos.models import License, SceneCategory
    from opensurfaces.photos.reference import reference_data_load

    reference_data_load(SceneCategory, License)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been emptied by transactional tests: refill it."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests empty every table; give them the migrated reference data back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or "transaction" in marker.args):
        request.getfixturevalue("transactional_db")
        _load_reference_data()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes media files into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def image_bytes():
    from opensurfaces.core.testing import make_image_bytes

    return make_image_bytes
