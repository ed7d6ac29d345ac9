from django.conf import settings
from django.core.management.base import BaseCommand

from opensurfaces.crowd.management.commands._common import current_backend
from opensurfaces.crowd.services.hits import hits_sync_all


class Command(BaseCommand):
    help = "Reconcile all HITs and assignments with the marketplace."

    def handle(self, *args, **options) -> None:
        counts = hits_sync_all(
            marketplace=settings.CROWD_MARKETPLACE, sandbox=settings.CROWD_SANDBOX
        )
        self.stdout.write(
            f"synced {counts['synced']}, disposed {counts['disposed']}, "
            f"expired unknown {counts['unknown_expired']}"
        )
        self.stdout.write(f"balance: ${current_backend().balance()}")
