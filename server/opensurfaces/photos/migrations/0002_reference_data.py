"""Load the scene categories and licenses from photos/fixtures (idempotent)."""

import json
from pathlib import Path

from django.db import migrations

from opensurfaces.photos.models import publishable_score

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load(apps, schema_editor):
    SceneCategory = apps.get_model("photos", "SceneCategory")
    License = apps.get_model("photos", "License")
    for row in json.loads((FIXTURES / "scene_categories.json").read_text()):
        SceneCategory.objects.get_or_create(name=row["name"], defaults={"slug": row["slug"]})
    for row in json.loads((FIXTURES / "licenses.json").read_text()):
        flags = {k: v for k, v in row.items() if k.startswith("cc_") or k == "creative_commons"}
        License.objects.update_or_create(
            name=row["name"],
            defaults={**row, "publishable_score": publishable_score(**flags)},
        )


class Migration(migrations.Migration):
    dependencies = [("photos", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
