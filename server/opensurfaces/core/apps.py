from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "opensurfaces.core"
    label = "core"

    def ready(self) -> None:
        from opensurfaces.core import checks  # noqa: F401  (registers the system checks)
