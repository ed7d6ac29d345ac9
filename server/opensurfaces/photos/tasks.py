from celery import shared_task


@shared_task(acks_late=True, ignore_result=True, max_retries=3, default_retry_delay=30)
def photo_thumbnails_generate(photo_id: int) -> None:
    """Make the missing thumbnails of one photo (idempotent)."""
    from opensurfaces.photos.services import photo_thumbnails_generate as generate

    generate(photo_id=photo_id)


@shared_task(ignore_result=True)
def photo_thumbnails_sweep() -> None:
    """Queue thumbnails for photos whose first request was lost (run by beat)."""
    from opensurfaces.photos.services import photo_thumbnails_sweep as sweep

    sweep()
