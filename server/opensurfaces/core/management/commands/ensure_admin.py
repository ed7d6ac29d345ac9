"""Create the staff account ``admin`` on first use and print how to log in.

The generated password is kept in --password-file (mode 0600) so later runs can print
it again; an existing account is never changed.
"""

import os
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin account if missing and print its login."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")
        parser.add_argument("--password-file", type=Path, required=True)

    def handle(self, *args, username: str, email: str, password_file: Path, **options) -> None:
        users = get_user_model().objects
        if users.filter(username=username).exists():
            if password_file.exists():
                password = password_file.read_text().strip()
                self.stdout.write(f"login {username} / {password}")
            else:
                self.stdout.write(
                    f"login {username} (password unknown: manage.py changepassword {username})"
                )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email=email, password=password)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        self.stdout.write(f"login {username} / {password}")
