"""Reference data every installation has: scene categories and licenses (photos/fixtures)."""

import json
from pathlib import Path

from opensurfaces.photos.models import publishable_score

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def reference_data_load(scene_category_model, license_model) -> None:
    """Create or update the fixture rows (idempotent). Models are passed in so that the
    data migration can give its historical models."""
    for row in json.loads((FIXTURES / "scene_categories.json").read_text()):
        scene_category_model.objects.get_or_create(name=row["name"], defaults={"slug": row["slug"]})
    for row in json.loads((FIXTURES / "licenses.json").read_text()):
        flags = {k: v for k, v in row.items() if k.startswith("cc_") or k == "creative_commons"}
        license_model.objects.update_or_create(
            name=row["name"], defaults={**row, "publishable_score": publishable_score(**flags)}
        )
