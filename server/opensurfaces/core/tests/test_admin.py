"""Every model has a working admin, for staff only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from opensurfaces.photos.tests.factories import photo_add

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "photos", "catalog"}


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_registered():
    missing = [m.__name__ for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


def test_staff_can_open_every_changelist_and_a_change_form(admin_client):
    photo = photo_add()
    for model in our_models():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    assert admin_client.get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("admin:photos_photo_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
