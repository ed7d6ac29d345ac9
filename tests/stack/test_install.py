"""install_all.sh builds the stack, a second run changes nothing, and the generated
nginx, supervisor, logrotate and memcached configurations are accepted and in force."""

from __future__ import annotations

import configparser
import hashlib
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.stack.stack import REPO, script, wait_until

pytestmark = pytest.mark.stack

# Every key a [program:x] section may hold (supervisor 4): a misspelt one is silently
# ignored by supervisord, so the test catches it.
SUPERVISOR_PROGRAM_KEYS = {
    "command", "process_name", "numprocs", "numprocs_start", "priority", "autostart",
    "startsecs", "startretries", "autorestart", "exitcodes", "stopsignal", "stopwaitsecs",
    "stopasgroup", "killasgroup", "user", "redirect_stderr", "stdout_logfile",
    "stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_capture_maxbytes",
    "stdout_events_enabled", "stdout_syslog", "stderr_logfile", "stderr_logfile_maxbytes",
    "stderr_logfile_backups", "stderr_capture_maxbytes", "stderr_events_enabled",
    "stderr_syslog", "environment", "directory", "umask", "serverurl",
}  # fmt: skip


def state(stack) -> dict[str, object]:
    """Checksums and modification times of the generated files, and the service pids."""
    files = {
        str(path): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in stack.generated_files
    }
    pids = {
        "nginx": Path("/run/nginx.pid").read_text().strip(),
        "supervisord": subprocess.run(
            ["supervisorctl", "pid"], capture_output=True, text=True
        ).stdout.strip(),
        "gunicorn": stack.gunicorn_pid(),
        "memcached": Path("/run/memcached/memcached.pid").read_text().strip(),
    }
    return {"files": files, "pids": pids}


def test_install_all_builds_the_stack_and_serves_the_site(install, stack):
    for path in stack.generated_files:
        assert path.exists(), path
    assert Path(f"/etc/nginx/sites-enabled/{stack.project}").resolve() == Path(
        f"/etc/nginx/sites-available/{stack.project}"
    )
    assert f"OpenSurfaces runs at http://{stack.server_name}/" in install.output
    assert stack.get("/healthz").text == "ok"
    assert stack.get("/").status_code == 200

    secrets = REPO / "secrets"
    user = stack.config["SERVER_USER"]
    owner_mode = lambda path: (path.owner(), path.group(), oct(path.stat().st_mode & 0o777))  # noqa: E731
    assert owner_mode(secrets) == ("root", user, "0o710")
    assert owner_mode(secrets / "production.env") == ("root", user, "0o640")
    assert owner_mode(secrets / "db-password") == (user, user, "0o600")
    assert owner_mode(secrets / "django-secret-key") == (user, user, "0o600")
    assert owner_mode(REPO / "run") == (user, user, "0o755")
    env = (secrets / "production.env").read_text()
    assert "DJANGO_ENV=production" in env
    assert f"DATABASE_URL=postgres://labelmaterial@127.0.0.1:5432/{stack.db_name}" in env
    assert "DATABASE_PASSWORD_FILE=" in env
    assert "CELERY_BROKER_URL=amqp://" in env
    assert "MEMCACHED_LOCATION=127.0.0.1:11211" in env


def test_a_second_install_changes_nothing(install, stack):
    before = state(stack)
    result = script("install_all.sh", timeout=900)
    after = state(stack)

    assert after == before
    for path in stack.generated_files[:4]:
        assert f"unchanged: {path}" in result.stdout
    assert not re.search(r"^(created|updated): ", result.stdout, re.MULTILINE), result.stdout
    assert "Restarting" not in result.stdout and "Reloading" not in result.stdout
    assert "No migrations to apply." in result.stdout


def test_nginx_supervisor_and_logrotate_accept_the_generated_files(stack):
    nginx = subprocess.run(["nginx", "-t"], capture_output=True, text=True)
    assert nginx.returncode == 0, nginx.stderr
    assert "syntax is ok" in nginx.stderr

    status = subprocess.run(
        ["supervisorctl", "status", stack.project], capture_output=True, text=True
    )
    assert re.match(rf"{stack.project}\s+RUNNING\s+pid \d+", status.stdout), status.stdout
    reread = subprocess.run(["supervisorctl", "reread"], capture_output=True, text=True)
    assert reread.stdout.strip() == "No config updates to processes", reread.stdout

    program = configparser.RawConfigParser()
    program.read(f"/etc/supervisor/conf.d/{stack.project}.conf")
    section = program[f"program:{stack.project}"]
    assert set(section) <= SUPERVISOR_PROGRAM_KEYS, set(section) - SUPERVISOR_PROGRAM_KEYS
    assert section["command"] == f"{REPO}/scripts/exec_gunicorn.sh"
    assert section["user"] == stack.config["SERVER_USER"]
    assert section["stdout_logfile"] == f"{REPO}/run/gunicorn.log"
    assert (section["autorestart"], section["stopasgroup"], section["killasgroup"]) == (
        "true",
        "true",
        "true",
    )

    logrotate_file = f"/etc/logrotate.d/nginx-{stack.project}"
    check = subprocess.run(["logrotate", "-d", logrotate_file], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert not re.search(r"^error", check.stdout + check.stderr, re.MULTILINE), check.stderr
    assert f"{REPO}/run/nginx-*.log" in check.stdout + check.stderr
    rules = Path(logrotate_file).read_text().split()
    for rule in ("weekly", "compress", "delaycompress", "missingok", "notifempty"):
        assert rule in rules
    assert "rotate 52" in Path(logrotate_file).read_text()


def test_logrotate_rotates_the_nginx_logs_and_nginx_writes_to_new_ones(stack, tmp_path):
    # The access log must not be empty (notifempty): nginx writes the line just after it
    # answers, so wait for it rather than race it.
    probe = f"/healthz?before-rotation-{uuid.uuid4().hex}"
    stack.get(probe)
    wait_until(lambda: probe in stack.log("nginx-access.log"), 10, "nginx to log the request")
    subprocess.run(
        [
            "logrotate",
            "--force",
            "--state",
            str(tmp_path / "state"),
            f"/etc/logrotate.d/nginx-{stack.project}",
        ],
        check=True,
    )
    rotated = stack.run_dir / "nginx-access.log.1"
    assert rotated.exists()
    # nginx reopens its logs on USR1 (its workers a moment later): requests land in the
    # new file from then on.
    markers = iter(range(1000))

    def logged_to_the_new_file() -> bool:
        marker = f"/healthz?after-rotation-{next(markers)}"
        stack.get(marker)
        return marker in stack.log("nginx-access.log")

    wait_until(logged_to_the_new_file, 15, "nginx to log to the new file")


def test_memcached_runs_with_the_configured_memory_and_item_size(stack):
    stats = stack.memcached().stats("settings")
    assert int(stats[b"maxbytes"]) == int(stack.config["MEMCACHED_MEMORY_MB"]) * 1024 * 1024
    size = stack.config["MEMCACHED_ITEM_SIZE"]
    assert int(stats[b"item_size_max"]) == int(size[:-1]) * {"k": 1024, "m": 1024 * 1024}[size[-1]]


@pytest.mark.parametrize("service", ["nginx", "postgresql", "memcached", "supervisor"])
def test_services_answer_to_the_service_command(service):
    result = subprocess.run(["service", service, "status"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["service", "nginx", "restart"],
        ["service", "memcached", "restart"],
        # Debian's init script for supervisor only stops it on "restart"; reload is the
        # restart that works with or without systemd.
        ["supervisorctl", "reload"],
    ],
    ids=" ".join,
)
def test_the_site_comes_back_after_a_restart(stack, command):
    subprocess.run(command, check=True, capture_output=True)
    wait_until(stack.answers, 60, f"the site after {' '.join(command)}")
