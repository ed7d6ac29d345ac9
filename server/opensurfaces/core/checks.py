"""System checks that refuse unsafe production settings (ids opensurfaces.core.E00x)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_production_settings(app_configs, **kwargs):
    """Refuse DJANGO_ENV=production with debug on, the public key, no hosts or SQLite."""
    if not settings.PRODUCTION:
        return []
    return production_errors(
        debug=settings.DEBUG,
        secret_key=settings.SECRET_KEY,
        allowed_hosts=settings.ALLOWED_HOSTS,
        database_engine=settings.DATABASES["default"]["ENGINE"],
    )


def production_errors(
    *, debug: bool, secret_key: str, allowed_hosts: list[str], database_engine: str
) -> list[Error]:
    errors = []
    if debug:
        errors.append(
            Error(
                "DEBUG is on in production.",
                hint="Unset DJANGO_DEBUG or set DJANGO_DEBUG=false (scripts/enable_production.sh).",
                id="opensurfaces.core.E001",
            )
        )
    if secret_key == settings.DEFAULT_SECRET_KEY or len(secret_key) < 32:
        errors.append(
            Error(
                "SECRET_KEY is the public development key or shorter than 32 characters.",
                hint="Set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE to a long random value.",
                id="opensurfaces.core.E002",
            )
        )
    if not allowed_hosts:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty.",
                hint="Set DJANGO_ALLOWED_HOSTS to the site's host names, comma-separated.",
                id="opensurfaces.core.E003",
            )
        )
    if database_engine == "django.db.backends.sqlite3":
        errors.append(
            Error(
                "Production runs on SQLite.",
                hint="Set DATABASE_URL to the PostgreSQL database labelmaterial.",
                id="opensurfaces.core.E004",
            )
        )
    return errors
