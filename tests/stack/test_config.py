"""scripts/config.sh: made on first use from its template, questions only in a terminal,
and every bad value refused with the variable and the reason (no services needed)."""

from __future__ import annotations

import os

import pytest

from tests.stack.stack import SCRIPTS, run_in_terminal, script


def env_with_config(path, **values) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in values}
    return {**env, "OPENSURFACES_CONFIG": str(path), **values}


def test_first_use_writes_the_defaults_without_asking(tmp_path):
    config = tmp_path / "config.sh"
    result = script(
        "create_config.sh",
        "--print",
        env=env_with_config(config, SERVER_NAME="surfaces.example.org"),
    )
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert values["PROJECT_NAME"] == "opensurfaces"
    assert values["SERVER_NAME"] == "surfaces.example.org"  # seeded from the environment
    assert values["SERVER_USER"] == "opensurfaces"
    assert values["DB_NAME"] == values["DB_USER"] == "labelmaterial"
    assert values["PSQL_VERSION"].split(".")[0].isdigit()
    text = config.read_text()
    assert "PROJECT_NAME='opensurfaces'" in text
    assert "# Names the supervisor program" in text  # the template's comments are kept


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("PROJECT_NAME='open surfaces'", "PROJECT_NAME='open surfaces' must start with a letter"),
        ("SERVER_USER='root'", "SERVER_USER='root' is refused: the site must not run as root"),
        ("SERVER_NAME='bad_host!'", "SERVER_NAME='bad_host!' is not a host name"),
        ("DATA_DIR='data'", "DATA_DIR='data' must be an absolute path"),
        ("DB_PORT='70000'", "DB_PORT='70000' is not a port number"),
        ("SITE_MODE='staging'", "SITE_MODE='staging' must be production or debug"),
        ("MEMCACHED_ITEM_SIZE='4 MB'", "MEMCACHED_ITEM_SIZE='4 MB' must be a size"),
        ("WEB_UPSTREAMS='nowhere'", "WEB_UPSTREAMS='nowhere' holds 'nowhere'"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_why(tmp_path, line, message):
    config = tmp_path / "config.sh"
    script("create_config.sh", env=env_with_config(config))
    config.write_text(config.read_text() + line + "\n")
    # Every script checks the configuration before doing anything.
    for name in ("create_config.sh", "flush_memcached.sh"):
        result = script(name, check=False, env=env_with_config(config))
        assert result.returncode == 1
        assert message in result.stderr


def test_questions_in_a_terminal_are_asked_again_until_the_answer_is_valid(tmp_path):
    config = tmp_path / "config.sh"
    # PROJECT_NAME: a bad answer, then a good one; Enter keeps each other default.
    answers = "open surfaces\nsurfaces\n\n\n\n\n\n\n\n\n"
    status, text = run_in_terminal(
        [str(SCRIPTS / "create_config.sh")], answers, env=env_with_config(config)
    )
    assert status == 0, text
    assert "PROJECT_NAME (name of the supervisor program" in text
    assert "PROJECT_NAME='open surfaces' must start with a letter" in text
    assert "PROJECT_NAME='surfaces'" in config.read_text()
    assert "SERVER_NAME='localhost'" in config.read_text()
