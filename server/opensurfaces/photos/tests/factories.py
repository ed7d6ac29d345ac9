from __future__ import annotations

import itertools

import factory

from opensurfaces.core.testing import make_image_bytes
from opensurfaces.photos.models import License, Photo, SceneCategory
from opensurfaces.photos.services import PhotoSource, photo_create

_seeds = itertools.count(1000)


class SceneCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SceneCategory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"scene {n}")
    slug = factory.LazyAttribute(lambda o: o.name.replace(" ", "-"))


def cc_license() -> License:
    return License.objects.get(name="CC BY 2.0")


def photo_add(**source) -> Photo:
    """Add a real photo (a small generated JPEG) through the service."""
    data = make_image_bytes(80, 60, seed=next(_seeds))
    return photo_create(data=data, filename="test.jpg", source=PhotoSource(**source))


def photo_rows(count: int, **fields) -> list[Photo]:
    """Insert photo rows quickly, without files: for lists and query counts."""
    license = fields.pop("license", None) or cc_license()
    start = next(_seeds) * 100000
    return Photo.objects.bulk_create(
        Photo(
            image_orig=f"photos/orig/missing-{start + i}.jpg",
            orig_width=640,
            orig_height=480,
            aspect_ratio=640 / 480,
            md5=f"{start + i:032x}",
            license=license,
            num_vertices=i % 50,
            **fields,
        )
        for i in range(count)
    )
