from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opensurfaces.crowd.services.hits import hits_delete


class Command(BaseCommand):
    help = "Delete sandbox HITs: all, empty ones, or one experiment's (refused in production)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("which", help="'all', 'empty', or an experiment slug")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, which: str, yes: bool, **options) -> None:
        if not settings.CROWD_SANDBOX:
            raise CommandError("mtdelete only runs on the sandbox (MTURK_SANDBOX=true)")
        if not yes:
            answer = input(f"Delete {which} sandbox HITs here and on the marketplace? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("nothing was changed")
        deleted = hits_delete(
            marketplace=settings.CROWD_MARKETPLACE,
            sandbox=True,
            experiment_slug=None if which in ("all", "empty") else which,
            only_empty=which == "empty",
        )
        self.stdout.write(f"deleted {deleted} HITs")
