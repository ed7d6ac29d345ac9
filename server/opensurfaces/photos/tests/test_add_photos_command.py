import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from opensurfaces.photos.models import Photo

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("add_photos", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_refused(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused"):
        call_command("add_photos", *args, "--no-progress", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def nothing_stored() -> bool:
    return Photo.objects.count() == 0 and not default_storage.exists("photos/orig")


def test_adds_files_and_folders_with_license_and_scene(tmp_path, image_bytes):
    (tmp_path / "one.jpg").write_bytes(image_bytes(seed=1))
    folder = tmp_path / "more"
    (folder / "nested").mkdir(parents=True)
    (folder / "two.png").write_bytes(image_bytes(seed=2, fmt="PNG"))
    (folder / "nested" / "three.jpg").write_bytes(image_bytes(seed=3))
    (folder / ".hidden.jpg").write_bytes(b"ignored")
    out, err = run(
        str(tmp_path / "one.jpg"), str(folder), "--license", "cc by 2.0", "--scene", "kitchen"
    )
    assert "3 added, 0 refused" in out
    assert err == ""
    photos = Photo.objects.select_related("license", "scene_category")
    assert photos.count() == 3
    assert {p.license.name for p in photos} == {"CC BY 2.0"}
    assert {p.scene_category.name for p in photos} == {"kitchen"}


def test_duplicate_is_refused_with_a_reason(tmp_path, image_bytes):
    data = image_bytes(seed=4)
    (tmp_path / "a.jpg").write_bytes(data)
    (tmp_path / "b.jpg").write_bytes(data)
    err = run_refused(str(tmp_path))
    assert Photo.objects.count() == 1
    assert f"refused {tmp_path / 'b.jpg'}: duplicate of photo" in err
    assert len(default_storage.listdir("photos/orig")[1]) == 1


def test_non_image_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a photo")
    err = run_refused(str(tmp_path / "notes.txt"))
    assert err.strip() == f"refused {tmp_path / 'notes.txt'}: not an image file"
    assert nothing_stored()


def test_truncated_file_is_refused(tmp_path):
    image = Image.frombytes("RGB", (200, 200), bytes(range(200)) * 600)
    out = io.BytesIO()
    image.save(out, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(out.getvalue()[:3000])
    err = run_refused(str(tmp_path / "cut.jpg"))
    assert "corrupt or truncated" in err
    assert len(err.strip().splitlines()) == 1
    assert nothing_stored()


def test_decompression_bomb_is_refused(tmp_path, settings):
    settings.MAX_IMAGE_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("L", (5000, 5000)).save(out, "PNG", optimize=True)
    (tmp_path / "bomb.png").write_bytes(out.getvalue())
    err = run_refused(str(tmp_path / "bomb.png"))
    assert "possible decompression bomb" in err
    assert nothing_stored()


def test_missing_and_empty_files_are_refused(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    err = run_refused(str(tmp_path / "nope.jpg"), str(tmp_path / "empty.jpg"))
    assert f"refused {tmp_path / 'nope.jpg'}: no such file" in err
    assert f"refused {tmp_path / 'empty.jpg'}: empty file" in err
    assert nothing_stored()


def test_good_files_are_kept_when_others_are_refused(tmp_path, image_bytes):
    (tmp_path / "good.jpg").write_bytes(image_bytes(seed=9))
    (tmp_path / "bad.jpg").write_bytes(b"garbage")
    with pytest.raises(CommandError, match="1 of 2 files refused"):
        call_command(
            "add_photos", str(tmp_path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert Photo.objects.count() == 1


def test_unknown_license_or_scene_stops_before_adding(tmp_path, image_bytes):
    (tmp_path / "good.jpg").write_bytes(image_bytes(seed=10))
    with pytest.raises(CommandError, match="unknown license 'WTFPL'"):
        run(str(tmp_path), "--license", "WTFPL")
    with pytest.raises(CommandError, match="unknown scene category 'spaceship'"):
        run(str(tmp_path), "--scene", "spaceship")
    assert nothing_stored()


def test_exit_status_is_non_zero_from_the_shell(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"garbage")
    server = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "manage.py", "add_photos", str(tmp_path / "bad.jpg"), "--no-progress"],
        cwd=server,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        check=False,
    )
    assert result.returncode != 0
    assert "not an image file" in result.stderr
