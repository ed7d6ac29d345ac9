from django.apps import AppConfig


class CrowdConfig(AppConfig):
    name = "opensurfaces.crowd"
    label = "crowd"
    verbose_name = "Crowd pipeline"
