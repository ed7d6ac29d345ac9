"""Shared parts of the mt* commands."""

from django.conf import settings

from opensurfaces.crowd.backends import get_backend


def describe_settings() -> str:
    return (
        f"marketplace={settings.CROWD_MARKETPLACE} sandbox={settings.CROWD_SANDBOX} "
        f"pipeline={'on' if settings.CROWD_PIPELINE_ENABLED else 'off'} debug={settings.DEBUG}"
    )


def current_backend():
    return get_backend(settings.CROWD_MARKETPLACE, sandbox=settings.CROWD_SANDBOX)
