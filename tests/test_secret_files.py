"""Secrets from files (ADVISOR_*_FILE), as a mounted Kubernetes Secret provides them (issue 10, item 17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor import create_app
from advisor.config import FILE_SETTINGS, ConfigurationError, from_environment

SETTINGS = {
    "ADVISOR_SECRET_KEY": ("SECRET_KEY", "s" * 64),
    "ADVISOR_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://advisor:pw@db:5432/advisor"),
    "ADVISOR_RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URI", "redis://:pw@advisor-redis:6379/0"),
}


def test_every_secret_setting_has_a_file_variant() -> None:
    assert set(FILE_SETTINGS) == set(SETTINGS)


@pytest.mark.parametrize("name", sorted(SETTINGS))
@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_a_file_variant_is_read_without_its_trailing_newline(tmp_path: Path, name: str, ending: str) -> None:
    key, value = SETTINGS[name]
    path = tmp_path / "secret"
    path.write_bytes((value + ending).encode())
    config = from_environment(tmp_path, {f"{name}_FILE": str(path)})
    assert config[key] == value


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_the_variable_and_its_file_together_are_refused(tmp_path: Path, name: str) -> None:
    value = SETTINGS[name][1]
    path = tmp_path / "secret"
    path.write_text(value, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=f"^{name} and {name}_FILE are both set: set only one"):
        from_environment(tmp_path, {name: value, f"{name}_FILE": str(path)})


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_a_missing_file_is_a_clear_error(tmp_path: Path, name: str) -> None:
    missing = tmp_path / "no" / "such-file"
    with pytest.raises(ConfigurationError) as refused:
        from_environment(tmp_path, {f"{name}_FILE": str(missing)})
    assert str(refused.value) == f"{name}_FILE names {missing}, which cannot be read: No such file or directory"


def test_a_directory_or_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=re.escape(f"ADVISOR_SECRET_KEY_FILE names {tmp_path}, which cannot be read")
    ):
        from_environment(tmp_path, {"ADVISOR_SECRET_KEY_FILE": str(tmp_path)})
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=re.escape(f"ADVISOR_DATABASE_URL_FILE names {empty}, which is empty")):
        from_environment(tmp_path, {"ADVISOR_DATABASE_URL_FILE": str(empty)})


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 (a binary file mounted by mistake)."""
    path = tmp_path / "key"
    path.write_bytes(b"\xff\xfe\x00key")
    with pytest.raises(
        ConfigurationError, match=re.escape(f"ADVISOR_SECRET_KEY_FILE names {path}, which is not UTF-8 text")
    ):
        from_environment(tmp_path, {"ADVISOR_SECRET_KEY_FILE": str(path)})


def test_empty_variables_count_as_unset(tmp_path: Path) -> None:
    config = from_environment(tmp_path, {"ADVISOR_SECRET_KEY": "", "ADVISOR_DATABASE_URL_FILE": ""})
    assert "SECRET_KEY" not in config
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_the_app_stops_at_start_up_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    monkeypatch.setenv("ADVISOR_SECRET_KEY_FILE", str(tmp_path / "not-mounted"))
    with pytest.raises(ConfigurationError, match=r"ADVISOR_SECRET_KEY_FILE names .*not-mounted, which cannot be read"):
        create_app({"INSTANCE_PATH": str(tmp_path / "i")})


def test_a_key_from_a_file_signs_the_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret-key"
    path.write_text("f" * 64 + "\n", encoding="utf-8")
    monkeypatch.delenv("ADVISOR_SECRET_KEY", raising=False)
    monkeypatch.setenv("ADVISOR_SECRET_KEY_FILE", str(path))
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i")})
    assert app.config["SECRET_KEY"] == "f" * 64
    assert not (tmp_path / "i" / "secret_key").exists(), "no key of its own is made"
