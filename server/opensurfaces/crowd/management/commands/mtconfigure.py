from django.core.management.base import BaseCommand, CommandError

from opensurfaces.crowd.management.commands._common import describe_settings
from opensurfaces.crowd.services.experiments import ExperimentInvalid, experiments_configure
from opensurfaces.crowd.tasktypes import declared_experiments


class Command(BaseCommand):
    help = "Apply the experiments declared in <app>/experiments.py (others stop getting HITs)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(describe_settings())
        try:
            experiments = experiments_configure(declared_experiments())
        except ExperimentInvalid as exc:
            raise CommandError(f"nothing changed: {exc}") from exc
        for experiment in experiments:
            state = "active" if experiment.active else "inactive"
            self.stdout.write(
                f"{experiment}: {state}, settings v{experiment.settings.version}, "
                f"reward ${experiment.settings.reward}"
            )
