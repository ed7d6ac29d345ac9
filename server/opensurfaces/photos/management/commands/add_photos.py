"""Add image files (or every file in folders) to the photo catalog.

    manage.py add_photos PATH... [--license NAME] [--scene NAME] [--attribution NAME]

Each refused file is reported on one line with the reason; the command exits non-zero
when anything was refused. Images are validated, deduplicated by md5 and written to
media storage; thumbnails are made by the Celery worker.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opensurfaces.photos.models import License, SceneCategory
from opensurfaces.photos.services import MAX_FILE_BYTES, PhotoRefused, PhotoSource, photo_create


def expand_paths(paths: list[str]) -> list[Path]:
    """Return the files named, with folders expanded (recursively, sorted, no hidden files)."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and not any(part.startswith(".") for part in p.parts)
                )
            )
        else:
            files.append(path)
    return files


class Command(BaseCommand):
    help = "Add photos from files and folders to the catalog."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
        parser.add_argument("--license", help="license name (default: All Rights Reserved)")
        parser.add_argument("--scene", help="scene category name or slug, e.g. kitchen")
        parser.add_argument("--attribution", default="", help="author to credit")
        parser.add_argument("--attribution-url", default="", help="link for the credit")
        parser.add_argument("--description", default="", help="description for every photo")
        parser.add_argument("--synthetic", action="store_true", help="rendered, not photographed")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, **options) -> None:
        source = PhotoSource(
            license=self._license(options["license"]),
            scene_category=self._scene(options["scene"]),
            attribution_name=options["attribution"],
            attribution_url=options["attribution_url"],
            description=options["description"],
            synthetic=options["synthetic"],
        )
        files = expand_paths(options["paths"])
        if not files:
            raise CommandError("no files found")
        added, refused = 0, 0
        progress = tqdm(
            files, unit="photo", file=sys.stderr, disable=options["no_progress"], leave=False
        )
        for path in progress:
            try:
                photo = photo_create(data=self._read(path), filename=path.name, source=source)
            except PhotoRefused as exc:
                refused += 1
                progress.write(f"refused {path}: {exc}", file=self.stderr)
                continue
            added += 1
            if options["verbosity"] >= 2:
                progress.write(f"added {path} as photo {photo.pk}", file=self.stdout)
        self.stdout.write(f"{added} added, {refused} refused")
        if refused:
            raise CommandError(f"{refused} of {len(files)} files refused")

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise PhotoRefused(f"file too large ({size} bytes, limit {MAX_FILE_BYTES})")
            return path.read_bytes()
        except FileNotFoundError:
            raise PhotoRefused("no such file") from None
        except IsADirectoryError:
            raise PhotoRefused("is a directory") from None
        except OSError as exc:
            raise PhotoRefused(f"cannot read: {exc.strerror}") from None

    @staticmethod
    def _license(name: str | None) -> License | None:
        if name is None:
            return None
        try:
            return License.objects.get(name__iexact=name)
        except License.DoesNotExist:
            names = ", ".join(License.objects.values_list("name", flat=True))
            raise CommandError(f"unknown license {name!r}; known: {names}") from None

    @staticmethod
    def _scene(name: str | None) -> SceneCategory | None:
        if name is None:
            return None
        scene = SceneCategory.objects.filter(name__iexact=name).first()
        scene = scene or SceneCategory.objects.filter(slug=name.lower()).first()
        if scene is None:
            names = ", ".join(SceneCategory.objects.values_list("name", flat=True))
            raise CommandError(f"unknown scene category {name!r}; known: {names}")
        return scene
