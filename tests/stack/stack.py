"""Helpers for the stack tests: run the operator scripts and ask the real services."""

from __future__ import annotations

import hashlib
import os
import pty
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"


def script(
    name: str,
    *args: str,
    check: bool = True,
    timeout: float = 600,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run scripts/NAME with no terminal on stdin; fail with its output unless check=False."""
    result = subprocess.run(
        [str(SCRIPTS / name), *args],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{name} {' '.join(args)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def sql(query: str, database: str = "postgres", **params: object) -> str:
    """Run SQL as PostgreSQL's superuser (the tests' own view of the database).

    Values go in as psql variables: write :'name' for a literal, :"name" for an identifier.
    """
    variables = [f"--variable={name}={value}" for name, value in params.items()]
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1"]
        + [*variables, "-d", database],
        input=query,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise AssertionError(f"psql failed on {query!r}:\n{result.stderr}")
    return result.stdout.strip()


def fingerprint(database: str) -> dict[str, tuple[int, str]]:
    """Return {table: (row count, md5 of all rows in order)} for every table of the schema."""
    # One query a table, generated and run by psql's \gexec: "table|count|md5" lines.
    per_table = (
        "SELECT %L, count(*),"
        " md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
        " FROM public.%I t"
    )
    output = sql(
        "SELECT format(:'per_table', tablename, tablename) FROM pg_tables"
        " WHERE schemaname = 'public' ORDER BY 1 \\gexec",
        database,
        per_table=per_table,
    )
    result = {}
    for line in output.splitlines():
        table, count, digest = line.split("|")
        result[table] = (int(count), digest)
    return result


def database_oid(name: str) -> str:
    """Return the oid of a database: it changes when the database is replaced."""
    return sql("SELECT oid FROM pg_database WHERE datname = :'name'", name=name)


def raw_http(request: bytes, timeout: float = 10) -> bytes:
    """Send bytes to nginx on 127.0.0.1:80 and return everything it answers."""
    with socket.create_connection(("127.0.0.1", 80), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def run_in_terminal(
    argv: list[str], answers: str, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, str]:
    """Run a command on a pseudo-terminal, type the answers, return (status, output)."""
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, start_new_session=True
    )
    os.close(terminal)
    os.write(main, answers.encode())
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    return process.wait(timeout=timeout), output.decode(errors="replace")


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Return the first true value of condition(), polling; fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.5)


def processes_in_group(pgid: int) -> list[int]:
    """Return the pids of the live processes in a process group."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


@dataclass(frozen=True)
class Stack:
    """The production stack installed on this machine, as scripts/config.sh describes it."""

    config: dict[str, str]

    @classmethod
    def load(cls) -> Stack:
        output = script("create_config.sh", "--print").stdout
        config = dict(
            line.split("=", 1) for line in output.splitlines() if "=" in line and line[0].isupper()
        )
        return cls(config)

    @property
    def project(self) -> str:
        return self.config["PROJECT_NAME"]

    @property
    def server_name(self) -> str:
        return self.config["SERVER_NAME"]

    @property
    def run_dir(self) -> Path:
        return REPO / "run"

    @property
    def data_dir(self) -> Path:
        return Path(self.config["DATA_DIR"])

    @property
    def backup_dir(self) -> Path:
        return Path(self.config["BACKUP_DIR"])

    @property
    def db_name(self) -> str:
        return self.config["DB_NAME"]

    @property
    def generated_files(self) -> list[Path]:
        return [
            REPO / "secrets" / "production.env",
            Path(f"/etc/nginx/sites-available/{self.project}"),
            Path(f"/etc/supervisor/conf.d/{self.project}.conf"),
            Path(f"/etc/logrotate.d/nginx-{self.project}"),
            Path("/etc/memcached.conf"),
        ]

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET a path through nginx on this machine, for SERVER_NAME."""
        headers = {"Host": self.server_name, **kwargs.pop("headers", {})}
        return requests.get(f"http://127.0.0.1{path}", headers=headers, timeout=30, **kwargs)

    def answers(self, path: str = "/healthz") -> bool:
        """Return whether nginx answers 200 for the path (False while it is down)."""
        try:
            return self.get(path).status_code == 200
        except requests.ConnectionError:
            return False

    def log(self, name: str) -> str:
        path = self.run_dir / name
        return path.read_text(errors="replace") if path.exists() else ""

    def memcached(self):
        """A client for the first memcached server, decoding values as Django stores them."""
        from pymemcache.client.base import Client
        from pymemcache.serde import pickle_serde

        host, port = self.config["MEMCACHED_SERVERS"].split()[0].rsplit(":", 1)
        return Client((host, int(port)), serde=pickle_serde, connect_timeout=5, timeout=5)

    def memcached_key(self, key: str) -> str:
        """The key Django stores under: the settings' KEY_PREFIX ("os") and version 1."""
        return f"os:1:{key}"

    def gunicorn_pid(self) -> int:
        output = subprocess.run(
            ["supervisorctl", "pid", self.project], capture_output=True, text=True
        ).stdout
        return int(output.strip() or 0) if output.strip().isdigit() else 0

    def add_photo(self) -> int:
        """Add a new photo (a random small JPEG) with manage.sh add_photos; return its id."""
        from opensurfaces.core.testing import make_image_bytes

        folder = Path(tempfile.mkdtemp(prefix="stack-photo-", dir="/tmp"))
        folder.chmod(0o755)  # the service account reads it
        while True:
            data = make_image_bytes(seed=random.randrange(1 << 24))
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            if not self.photo_with_md5(md5):
                break
        image = folder / f"{md5}.jpg"
        image.write_bytes(data)
        os.chmod(image, 0o644)
        try:
            script("manage.sh", "add_photos", str(image), "--license", "CC BY 2.0", "--no-progress")
        finally:
            shutil.rmtree(folder)
        return int(self.photo_with_md5(md5))

    def photo_with_md5(self, md5: str) -> str:
        return sql("SELECT id FROM photos_photo WHERE md5 = :'md5'", self.db_name, md5=md5)

    def photo_field(self, photo_id: int, field: str) -> str:
        return sql(
            'SELECT :"field" FROM photos_photo WHERE id = :id',
            self.db_name,
            field=field,
            id=photo_id,
        )
