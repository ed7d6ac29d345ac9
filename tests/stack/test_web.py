"""Requests through nginx on port 80: static and media files from disk, pages from
gunicorn on PostgreSQL, unknown hosts closed, big bodies refused; gunicorn under
supervisor (restart, stop, sized workers), make_private/make_public, debug mode."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from tests.stack.stack import REPO, raw_http, script, wait_until

pytestmark = pytest.mark.stack


def test_static_files_come_from_nginx_compressed(stack):
    probe = f"probe-{uuid.uuid4().hex}"
    response = stack.get(f"/static/css/site.css?{probe}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Server"].startswith("nginx")
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"] == "text/css"
    assert response.content == (stack.data_dir / "static/css/site.css").read_bytes()
    wait_until(lambda: probe in stack.log("nginx-access.log"), 10, "nginx's access log")
    assert probe not in stack.log("gunicorn.log")


def test_pages_come_from_gunicorn_with_rows_from_postgresql(stack, photo_id):
    probe = f"probe-{uuid.uuid4().hex}"
    response = stack.get(f"/photos/{photo_id}/?{probe}")
    assert response.status_code == 200
    assert f'data-id="{photo_id}"' in response.text
    # The photo exists only in PostgreSQL: manage.sh added it to the production database.
    assert stack.photo_field(photo_id, "id") == str(photo_id)
    wait_until(lambda: probe in stack.log("gunicorn.log"), 10, "gunicorn's access log")
    wait_until(lambda: probe in stack.log("nginx-access.log"), 10, "nginx's access log")
    assert stack.get("/photos/").status_code == 200


def test_media_files_come_from_nginx(stack, photo_id):
    name = stack.photo_field(photo_id, "image_orig")
    probe = f"probe-{uuid.uuid4().hex}"
    response = stack.get(f"/media/{name}?{probe}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.content == (stack.data_dir / "media" / name).read_bytes()
    wait_until(lambda: probe in stack.log("nginx-access.log"), 10, "nginx's access log")
    assert probe not in stack.log("gunicorn.log")


def test_a_staff_account_logs_in_to_the_admin_through_nginx(stack):
    # The admin account made by install_all.sh may come from an earlier checkout (its
    # password file with it): the test makes its own staff account.
    password = uuid.uuid4().hex
    script(
        "manage.sh",
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "user, _ = User.objects.get_or_create(username='stack-test', defaults={'is_staff': True})\n"
        f"user.is_staff = True\nuser.set_password({password!r})\nuser.save()",
    )
    session = requests.Session()
    headers = {"Host": stack.server_name}
    login = session.get("http://127.0.0.1/admin/login/", headers=headers, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    response = session.post(
        "http://127.0.0.1/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "stack-test", "password": password},
        headers={**headers, "Referer": f"http://{stack.server_name}/admin/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"] == "/admin/"
    assert (
        "Site administration"
        in session.get("http://127.0.0.1/admin/", headers=headers, timeout=30).text
    )


def test_an_unknown_host_gets_the_connection_closed(stack):
    assert raw_http(b"GET / HTTP/1.1\r\nHost: unknown.example.org\r\n\r\n") == b""
    known = f"GET /healthz HTTP/1.1\r\nHost: {stack.server_name}\r\nConnection: close\r\n\r\n"
    assert raw_http(known.encode()).startswith(b"HTTP/1.1 200")


def test_a_body_over_the_upload_limit_is_refused_by_nginx(stack):
    limit = stack.config["UPLOAD_MAX_SIZE"]
    too_big = int(limit[:-1]) * {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[limit[-1].lower()] + 1
    answer = raw_http(
        f"POST /photos/ HTTP/1.1\r\nHost: {stack.server_name}\r\nContent-Length: {too_big}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 413")


def gunicorn_workers(master: int) -> list[int]:
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit()
        and (p / "stat").exists()
        and int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master
    ]


def test_restarting_gunicorn_brings_new_workers_sized_from_the_cores(stack):
    before = stack.gunicorn_pid()
    subprocess.run(["supervisorctl", "restart", stack.project], check=True, capture_output=True)
    after = stack.gunicorn_pid()
    assert after and after != before
    wait_until(stack.answers, 30, "the site after a gunicorn restart")
    expected = 2 * os.cpu_count() + 1
    if stack.config["GUNICORN_WORKERS"] != "auto":
        expected = int(stack.config["GUNICORN_WORKERS"])
    wait_until(lambda: len(gunicorn_workers(after)) == expected, 30, f"{expected} workers")
    assert Path(f"/proc/{after}").stat().st_uid == pwd.getpwnam(stack.config["SERVER_USER"]).pw_uid


def test_with_gunicorn_stopped_nginx_answers_502_and_start_brings_it_back(stack):
    try:
        subprocess.run(["supervisorctl", "stop", stack.project], check=True, capture_output=True)
        assert stack.get("/healthz").status_code == 502
        assert stack.get("/static/css/site.css").status_code == 200  # nginx alone
    finally:
        subprocess.run(["supervisorctl", "start", stack.project], check=True, capture_output=True)
    wait_until(stack.answers, 30, "the site after gunicorn started")


def test_make_private_takes_the_site_down_and_make_public_brings_it_back(stack):
    files = stack.generated_files[1:4]
    try:
        script("make_private.sh")
        assert not any(path.exists() for path in files)
        wait_until(lambda: not stack.answers(), 15, "nginx to stop serving the site")
        assert (
            stack.project
            not in subprocess.run(
                ["supervisorctl", "status"], capture_output=True, text=True
            ).stdout
        )
    finally:
        result = script("make_public.sh")
    assert all(path.exists() for path in files)
    assert f"created: /etc/nginx/sites-available/{stack.project}" in result.stdout
    assert stack.answers()


def test_debug_mode_shows_debug_pages_and_production_mode_hides_them(stack):
    try:
        script("enable_debug.sh")
        page = stack.get("/no-such-page/")
        assert page.status_code == 404
        assert "Using the URLconf defined in" in page.text
        assert "DJANGO_DEBUG=true" in (REPO / "secrets/production.env").read_text()
    finally:
        script("enable_production.sh")
    page = stack.get("/no-such-page/")
    assert page.status_code == 404
    assert "Using the URLconf" not in page.text
    assert "DJANGO_ENV=production" in (REPO / "secrets/production.env").read_text()
