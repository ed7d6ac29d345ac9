import pytest

from opensurfaces.photos.demo import DEMO_PHOTOS, demo_load
from opensurfaces.photos.models import GroundTruthRegion, Photo
from opensurfaces.photos.synthetic import TEXTURES, demo_scenes, render

pytestmark = pytest.mark.django_db


def test_demo_load_adds_licensed_photos_and_synthetic_scenes_once():
    result = demo_load()
    scenes = demo_scenes()
    assert result.added == len(DEMO_PHOTOS) + len(scenes)
    real = Photo.objects.filter(synthetic=False).select_related("license")
    assert real.count() == len(DEMO_PHOTOS)
    assert all(p.attribution_name and p.license for p in real)
    synthetic = Photo.objects.filter(synthetic=True)
    assert synthetic.count() == len(scenes)
    assert {p.license.name for p in synthetic} == {"CC0 1.0 Universal"}
    for photo, scene in zip(synthetic.order_by("id"), scenes, strict=True):
        regions = list(photo.ground_truth.order_by("z_order"))
        assert [r.material for r in regions] == [r.material for r in scene.regions]
        assert photo.scene_category.name == scene.scene_category
    again = demo_load()
    assert (again.added, again.skipped) == (0, result.added)
    assert GroundTruthRegion.objects.count() == sum(len(s.regions) for s in scenes)


def test_rendering_is_deterministic_and_follows_the_regions():
    import io

    from PIL import Image

    scene = demo_scenes()[0]
    data = render(scene)
    assert data == render(scene)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (800, 600)
    # The top-left corner is wall, the bottom-left corner is floor: different materials.
    wall, floor = image.getpixel((5, 5)), image.getpixel((5, 595))
    assert scene.regions[0].material != scene.regions[1].material
    assert wall != floor


def test_every_material_has_a_texture():
    materials = {r.material for s in demo_scenes() for r in s.regions}
    assert materials <= set(TEXTURES)
