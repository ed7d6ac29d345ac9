from django.db import transaction

from opensurfaces.core import cache as cache_keys


def photo_written(sender, instance, **kwargs) -> None:
    """Forget cached pages showing a photo that was saved or deleted."""
    cache_keys.photos_changed([instance.pk])


def photo_deleted(sender, instance, **kwargs) -> None:
    """Remove a deleted photo's files from media storage once the deletion commits."""
    storage = instance.image_orig.storage
    names = [instance.image_orig.name, *instance.thumbnails.values()]

    def remove() -> None:
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(remove)
