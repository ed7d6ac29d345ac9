import time

from django.core.management.base import BaseCommand

from opensurfaces.crowd.testing.mturk_standin import MTurkStandIn


class Command(BaseCommand):
    help = "Run the local MTurk stand-in (set MTURK_ENDPOINT_URL to its address)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8555)
        parser.add_argument("--balance", default="10000.00")

    def handle(self, *args, port: int, balance: str, **options) -> None:
        standin = MTurkStandIn(port=port, balance=balance).start()
        self.stdout.write(f"MTurk stand-in at {standin.url} (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            standin.stop()
