from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "opensurfaces.photos"
    label = "photos"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from opensurfaces.photos.models import Photo
        from opensurfaces.photos.signals import photo_deleted, photo_written

        # Admin edits and deletions go through the ORM, not our services: catch them here.
        post_save.connect(photo_written, sender=Photo, dispatch_uid="photo-cache-save")
        post_delete.connect(photo_written, sender=Photo, dispatch_uid="photo-cache-delete")
        post_delete.connect(photo_deleted, sender=Photo, dispatch_uid="photo-files-delete")

        from opensurfaces.photos import tasktypes  # noqa: F401  (registers the task types)
