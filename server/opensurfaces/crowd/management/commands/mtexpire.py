import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opensurfaces.crowd.services.hits import hits_expire_matching


class Command(BaseCommand):
    help = "Expire live HITs of experiments whose slug matches a regex ('.*' for all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("pattern")

    def handle(self, *args, pattern: str, **options) -> None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CommandError(f"bad regex {pattern!r}: {exc}") from exc
        hits = hits_expire_matching(
            pattern=pattern, marketplace=settings.CROWD_MARKETPLACE, sandbox=settings.CROWD_SANDBOX
        )
        self.stdout.write(f"expired {len(hits)} HITs")
