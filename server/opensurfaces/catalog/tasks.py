from celery import shared_task


@shared_task(ignore_result=True)
def catalog_stats_refresh() -> None:
    """Recompute the home page statistics (run by beat)."""
    from opensurfaces.catalog.services import catalog_stats_refresh as refresh

    refresh()
