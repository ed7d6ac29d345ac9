from django.core.management.base import BaseCommand, CommandError

from opensurfaces.core.locks import LockHeld
from opensurfaces.crowd.management.commands._common import describe_settings
from opensurfaces.crowd.services.dispatch import DispatchError, dispatch_all


class Command(BaseCommand):
    help = "Dispatch pending content into HITs now (what the beat task does periodically)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(describe_settings())
        try:
            reports = dispatch_all()
        except LockHeld:
            raise CommandError("another dispatch is running; try again later") from None
        except DispatchError as exc:
            raise CommandError(str(exc)) from exc
        for report in reports:
            self.stdout.write(
                f"{report.experiment}: {report.hits} HITs, {report.assignments} assignments, "
                f"${report.spend} ({report.stopped_by})"
            )
