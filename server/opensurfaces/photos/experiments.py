"""Crowd experiments on photos, applied by manage.py mtconfigure."""

from decimal import Decimal

from opensurfaces.crowd.tasktypes import ExperimentDefinition


def synthetic_scene_sentinels():
    """Synthetic scenes are rendered as their scene category: correct by construction."""
    from opensurfaces.photos.models import Photo

    photos = Photo.objects.filter(synthetic=True, scene_category__isnull=False)
    return [(photo, True) for photo in photos.order_by("id")]


EXPERIMENTS = [
    ExperimentDefinition(
        slug="quality_scene",
        task_type="quality_scene",
        title="Which photos show the kind of room they are labelled with?",
        description=(
            "Look at groups of photos, each labelled with a kind of room, and click the "
            "photos that are upright, in colour, and really show that kind of room."
        ),
        keywords="photo, room, scene, classification, quick",
        reward=Decimal("0.02"),
        contents_per_hit=50,
        num_outputs_max=5,
        sentinels_per_assignment=2,
        sentinels=synthetic_scene_sentinels,
        content_filter={"scene_category__isnull": False},
        duration=3600,
        frame_height=900,
    ),
]
