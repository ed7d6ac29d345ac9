from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "opensurfaces.catalog"
    label = "catalog"
