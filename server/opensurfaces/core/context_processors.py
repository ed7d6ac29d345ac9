from django.conf import settings


def site(request):
    """Expose the few settings every page template needs."""
    return {"SITE_URL": settings.SITE_URL, "DEBUG": settings.DEBUG}
