import re
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opensurfaces.crowd.backends.base import MarketplaceError
from opensurfaces.crowd.models import Assignment
from opensurfaces.crowd.services.review import ReviewRefused, assignment_approve


class Command(BaseCommand):
    help = "Approve submitted work of experiments matching a regex, forever (Ctrl-C stops)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("pattern")
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args, pattern: str, once: bool, **options) -> None:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise CommandError(f"bad regex {pattern!r}: {exc}") from exc
        sleep = 5.0
        while True:
            approved = 0
            waiting = Assignment.objects.filter(
                status=Assignment.Status.SUBMITTED, hit__sandbox=settings.CROWD_SANDBOX
            ).select_related("hit__experiment")
            for assignment in waiting:
                if not regex.search(assignment.hit.experiment.slug):
                    continue
                try:
                    assignment_approve(assignment_id=assignment.pk, by="mtapprove_loop")
                    approved += 1
                except (ReviewRefused, MarketplaceError) as exc:
                    self.stderr.write(f"{assignment}: {exc}")
            self.stdout.write(f"approved {approved}")
            if once:
                return
            # Faster while there is work, slower when idle.
            sleep = max(5.0, sleep / 2) if approved else min(60.0, sleep * 2)
            time.sleep(sleep)
