"""backup_database.sh and restore_database.sh: a round trip gives back the same rows;
a missing, empty or broken file, a "no" or no terminal change nothing."""

from __future__ import annotations

import gzip
import os
import re
import tarfile
import uuid
from pathlib import Path

import pytest

from tests.stack.stack import (
    SCRIPTS,
    database_oid,
    fingerprint,
    run_in_terminal,
    script,
    sql,
)

pytestmark = pytest.mark.stack


def test_backup_change_rows_restore_gives_back_the_same_rows(stack, photo_id):
    result = script("backup_database.sh", "--media")
    dump = re.search(r"database \S+: (\S+\.sql\.gz)", result.stdout).group(1)
    archive = re.search(r"media: (\S+\.media\.tar\.gz)", result.stdout).group(1)
    stamp = os.path.basename(dump).removesuffix(".sql.gz")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d", stamp)
    assert os.path.basename(archive) == f"{stamp}.media.tar.gz"  # one stamp for both
    latest = stack.backup_dir / "pg_dump.sql.gz"
    assert latest.read_bytes() == Path(dump).read_bytes()
    assert b"CREATE TABLE public.photos_photo" in gzip.decompress(latest.read_bytes())
    image = stack.photo_field(photo_id, "image_orig")
    with tarfile.open(archive) as tar:
        assert f"media/{image}" in tar.getnames()
    seed = fingerprint(stack.db_name)

    # Change, add and delete rows.
    sql("UPDATE photos_photo SET description = 'changed after the backup'", stack.db_name)
    sql("INSERT INTO auth_group (name) VALUES (:'name')", stack.db_name, name=uuid.uuid4().hex)
    sql("DELETE FROM auth_permission WHERE codename = 'view_logentry'", stack.db_name)
    assert fingerprint(stack.db_name) != seed
    stack.get(f"/photos/{photo_id}/")  # cached with the changed row

    restored = script("restore_database.sh", "--yes")
    assert f"Restored {stack.db_name} from {latest}" in restored.stdout
    assert "No migrations to apply." in restored.stdout
    assert "flushed memcached" in restored.stdout
    assert fingerprint(stack.db_name) == seed
    assert (
        sql(
            "SELECT pg_catalog.pg_get_userbyid(datdba), pg_encoding_to_char(encoding)"
            " FROM pg_database WHERE datname = :'name'",
            name=stack.db_name,
        )
        == f"{stack.config['DB_USER']}|UTF8"
    )
    # The site reconnects on its own and shows the restored rows, not the cached ones.
    for _ in range(10):
        page = stack.get(f"/photos/{photo_id}/")
        assert page.status_code == 200
        assert "changed after the backup" not in page.text


@pytest.mark.parametrize("kind", ["missing", "empty", "not gzip", "broken sql"])
def test_restoring_a_bad_file_changes_nothing(stack, tmp_path, kind):
    path = tmp_path / "backup.sql.gz"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not gzip":
        path.write_text("SELECT 1;\n")
    elif kind == "broken sql":
        path.write_bytes(gzip.compress(b"CREATE TABLE restore_probe (id int);\nNOT SQL AT ALL;\n"))
    oid, rows = database_oid(stack.db_name), fingerprint(stack.db_name)

    result = script("restore_database.sh", str(path), "--yes", check=False)

    assert result.returncode == 1
    assert "nothing was changed" in result.stderr
    assert database_oid(stack.db_name) == oid
    assert fingerprint(stack.db_name) == rows
    assert not sql("SELECT datname FROM pg_database WHERE datname LIKE '%restoring'")


def test_restore_asks_first_and_any_answer_but_yes_changes_nothing(stack):
    script("backup_database.sh")
    oid = database_oid(stack.db_name)

    refused = script("restore_database.sh", check=False)  # no terminal, no --yes
    assert refused.returncode == 1
    assert "no terminal to ask (pass --yes); nothing was changed" in refused.stderr

    status, output = run_in_terminal([str(SCRIPTS / "restore_database.sh")], "n\n")
    assert status == 1
    assert "[y/N]" in output
    assert "nothing was changed" in output
    assert database_oid(stack.db_name) == oid
