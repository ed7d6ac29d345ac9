from django.core.management.base import BaseCommand

from opensurfaces.crowd.services.pending import pending_scan_all


class Command(BaseCommand):
    help = "Rescan every input of every active experiment for pending content."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{pending_scan_all()} new pending items")
