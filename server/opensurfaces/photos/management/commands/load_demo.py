from django.core.management.base import BaseCommand

from opensurfaces.photos.demo import demo_load


class Command(BaseCommand):
    help = "Add the demo photographs and synthetic scenes (skips those already present)."

    def handle(self, *args, **options) -> None:
        result = demo_load()
        self.stdout.write(f"demo data: {result.added} photos added, {result.skipped} present")
