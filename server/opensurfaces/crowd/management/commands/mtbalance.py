from django.core.management.base import BaseCommand

from opensurfaces.crowd.management.commands._common import current_backend, describe_settings


class Command(BaseCommand):
    help = "Print the marketplace settings and the account balance."

    def handle(self, *args, **options) -> None:
        self.stdout.write(describe_settings())
        self.stdout.write(f"balance: ${current_backend().balance()}")
