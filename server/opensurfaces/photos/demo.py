"""Demo data: CC0 and public-domain photographs shipped in scikit-image, plus synthetic scenes.

Loading is idempotent: photos already in the catalog (same md5) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from opensurfaces.photos import synthetic
from opensurfaces.photos.models import GroundTruthRegion, License, Photo, SceneCategory
from opensurfaces.photos.services import PhotoSource, md5_of, photo_create


@dataclass(frozen=True)
class DemoPhoto:
    filename: str  # in skimage/data
    license: str
    attribution_name: str
    attribution_url: str
    description: str
    scene: str | None


# Licenses and credits as documented in scikit-image's data module.
DEMO_PHOTOS = [
    DemoPhoto(
        "coffee.png",
        "CC0 1.0 Universal",
        "Rachel Michetti (courtesy of Pikolo Espresso Bar)",
        "https://scikit-image.org/docs/stable/api/skimage.data.html#skimage.data.coffee",
        "A cup of coffee on a table.",
        "dining room",
    ),
    DemoPhoto(
        "chelsea.png",
        "CC0 1.0 Universal",
        "Stefan van der Walt",
        "https://scikit-image.org/docs/stable/api/skimage.data.html#skimage.data.chelsea",
        "Chelsea the cat, indoors.",
        "living room",
    ),
    DemoPhoto(
        "astronaut.png",
        "Public Domain Mark 1.0",
        "NASA",
        "https://flic.kr/p/r9qvLn",
        "Astronaut Eileen Collins.",
        None,
    ),
    DemoPhoto(
        "rocket.jpg",
        "Public Domain Mark 1.0",
        "SpaceX",
        "https://www.flickr.com/photos/spacexphotos/16511594820/",
        "Launch of DSCOVR on a Falcon 9 rocket.",
        None,
    ),
    DemoPhoto(
        "motorcycle_left.png",
        "All Rights Reserved",  # no license is stated for it: shown, never published
        "Middlebury 2014 stereo benchmark (Scharstein et al.)",
        "https://vision.middlebury.edu/stereo/data/scenes2014/",
        "A motorcycle in a workshop (left view of a stereo pair).",
        "home workshop",
    ),
]


def skimage_data_dir() -> Path:
    import skimage.data

    return Path(skimage.data.__file__).parent


@dataclass
class DemoResult:
    added: int = 0
    skipped: int = 0


def _scene(name: str | None) -> SceneCategory | None:
    return SceneCategory.objects.get(name=name) if name else None


def demo_load() -> DemoResult:
    """Add the demo photographs and synthetic scenes that are not in the catalog yet."""
    result = DemoResult()
    data_dir = skimage_data_dir()
    for demo in DEMO_PHOTOS:
        data = (data_dir / demo.filename).read_bytes()
        if Photo.objects.filter(md5=md5_of(data)).exists():
            result.skipped += 1
            continue
        photo_create(
            data=data,
            filename=demo.filename,
            source=PhotoSource(
                license=License.objects.get(name=demo.license),
                scene_category=_scene(demo.scene),
                attribution_name=demo.attribution_name,
                attribution_url=demo.attribution_url,
                description=demo.description,
            ),
        )
        result.added += 1
    cc0 = License.objects.get(name="CC0 1.0 Universal")
    for scene in synthetic.demo_scenes():
        data = synthetic.render(scene)
        if Photo.objects.filter(md5=md5_of(data)).exists():
            result.skipped += 1
            continue
        with transaction.atomic():
            photo = photo_create(
                data=data,
                filename=f"{scene.slug}.png",
                source=PhotoSource(
                    license=cc0,
                    scene_category=_scene(scene.scene_category),
                    attribution_name="OpenSurfaces synthetic scenes",
                    description=scene.description,
                    synthetic=True,
                ),
            )
            GroundTruthRegion.objects.bulk_create(
                GroundTruthRegion(
                    photo=photo, vertices=list(region.vertices), material=region.material, z_order=i
                )
                for i, region in enumerate(scene.regions)
            )
        result.added += 1
    return result
