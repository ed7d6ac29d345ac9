import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_env_bool_accepts_only_clear_literals(monkeypatch):
    for text, value in [("true", True), ("FALSE", False), ("1", True), ("off", False)]:
        monkeypatch.setenv("X_FLAG", text)
        assert env.env_bool("X_FLAG", not value) is value
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env.env_bool("X_FLAG", False)


def test_unset_or_empty_values_take_the_default(monkeypatch):
    monkeypatch.delenv("X_NUMBER", raising=False)
    assert env.env_int("X_NUMBER", 7) == 7
    monkeypatch.setenv("X_NUMBER", "  ")
    assert env.env_int("X_NUMBER", 7) == 7


def test_env_int_refuses_garbage_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("X_NUMBER", "12abc")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("X_NUMBER", 1)
    monkeypatch.setenv("X_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 0"):
        env.env_int("X_NUMBER", 1, minimum=0)


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert env.env_list("X_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("X_MODE", "s4")
    with pytest.raises(ImproperlyConfigured, match="must be one of: filesystem, s3"):
        env.env_choice("X_MODE", ("filesystem", "s3"), "filesystem")


def test_env_path_must_be_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("X_DIR", "relative/dir")
    with pytest.raises(ImproperlyConfigured, match="absolute path"):
        env.env_path("X_DIR", tmp_path)


def test_env_secret_reads_a_file_and_refuses_two_sources(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_secret("X_SECRET") == "s3cr3t"
    monkeypatch.setenv("X_SECRET", "other")
    with pytest.raises(ImproperlyConfigured, match="only one of X_SECRET and X_SECRET_FILE"):
        env.env_secret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_secret("X_SECRET")
