"""Load the scene categories and licenses from photos/fixtures (idempotent)."""

from django.db import migrations

from opensurfaces.photos.reference import reference_data_load


def load(apps, schema_editor):
    reference_data_load(
        apps.get_model("photos", "SceneCategory"), apps.get_model("photos", "License")
    )


class Migration(migrations.Migration):
    dependencies = [("photos", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
