"""Configuration from ``ADVISOR_*`` environment variables, with safe defaults, and the checks that
refuse to start in production mode with an unsafe one.

The settings that carry secrets can instead name a file holding them (a mounted Kubernetes
Secret, a Docker secret): ``ADVISOR_SECRET_KEY_FILE``, ``ADVISOR_DATABASE_URL_FILE`` and
``ADVISOR_RATELIMIT_STORAGE_URL_FILE``. The file is read at start-up, its trailing newline
dropped; setting both a variable and its ``_FILE`` is an error, and so is a file that cannot
be read or is empty.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the checks read a built app; this module itself loads no Flask
    from flask import Flask

ENV_PREFIX = "ADVISOR_"
SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


# the settings that may come from a file instead: ADVISOR_<NAME>_FILE
FILE_SETTINGS = ("ADVISOR_SECRET_KEY", "ADVISOR_DATABASE_URL", "ADVISOR_RATELIMIT_STORAGE_URL")


class ConfigurationError(RuntimeError):
    """A setting cannot be used as given; the message names the variable (and the file) at fault."""


class GeneratedSecretKey(str):
    """A key this instance made for itself (``<instance>/secret_key``): fine for one process, not shared by several."""

    __slots__ = ()


def secret_setting(env: Mapping[str, str], name: str) -> str | None:
    """The value of ``name`` (one of FILE_SETTINGS), from the variable itself or the file ``name_FILE`` names."""
    file_name = f"{name}_FILE"
    direct, path = env.get(name) or None, env.get(file_name) or None
    if direct is not None and path is not None:
        raise ConfigurationError(
            f"{name} and {file_name} are both set: set only one ({file_name} names a file holding it)"
        )
    if path is None:
        return direct
    try:
        value = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigurationError(f"{file_name} names {path}, which cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{file_name} names {path}, which is not UTF-8 text") from None
    if not value:
        raise ConfigurationError(f"{file_name} names {path}, which is empty")
    return value


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _engine_options(env: Mapping[str, str], url: str) -> dict[str, Any]:
    """Connection pool settings; pre-ping replaces connections a database restart has broken."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options.update(
            pool_size=int(env.get(f"{ENV_PREFIX}DB_POOL_SIZE", "5")),
            max_overflow=int(env.get(f"{ENV_PREFIX}DB_MAX_OVERFLOW", "5")),
            pool_recycle=int(env.get(f"{ENV_PREFIX}DB_POOL_RECYCLE", "1800")),
            pool_timeout=float(env.get(f"{ENV_PREFIX}DB_POOL_TIMEOUT", "10")),
            connect_args={"connect_timeout": int(env.get(f"{ENV_PREFIX}DB_CONNECT_TIMEOUT", "5"))},
        )
    return options


def _sqlite_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'advisor.sqlite3'}"


def load_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first start."""
    path = instance_path / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise RuntimeError(f"{path} holds no usable secret key; delete it to have a new one made") from None
        return GeneratedSecretKey(key)
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return GeneratedSecretKey(key)


def from_environment(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings read from the environment; a test or caller may override any of them."""
    env = os.environ if environ is None else environ
    https = _flag(env.get(f"{ENV_PREFIX}HTTPS"))
    database_url = secret_setting(env, "ADVISOR_DATABASE_URL") or _sqlite_url(instance_path)
    sign_in = dt.timedelta(hours=float(env.get(f"{ENV_PREFIX}SESSION_HOURS", "8")))
    idle = dt.timedelta(minutes=float(env.get(f"{ENV_PREFIX}SESSION_IDLE_MINUTES", "120")))
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAX_CONTENT_LENGTH": int(env.get(f"{ENV_PREFIX}MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # an upload of scanner reports (kubescape's JSON for a large cluster runs to tens of megabytes)
        "MAX_SCAN_UPLOAD": int(env.get(f"{ENV_PREFIX}MAX_SCAN_UPLOAD", str(32 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # a sign-in ends SESSION_HOURS after it began (on the server), or after IDLE_MINUTES without a request
        "SESSION_LIFETIME": sign_in,
        "PERMANENT_SESSION_LIFETIME": min(idle, sign_in),
        "PROXY_FIX": int(env.get(f"{ENV_PREFIX}PROXY_FIX", "0")),
        "RATELIMIT_STORAGE_URI": secret_setting(env, "ADVISOR_RATELIMIT_STORAGE_URL") or "memory://",
        # no X-RateLimit-* headers on every response; a 429 says when to come back (Retry-After)
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_ADDRESS": env.get(f"{ENV_PREFIX}LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per day"),
        # exports per account (web and API together) and per share link; a PDF costs seconds of a worker
        "EXPORT_LIMIT": env.get(f"{ENV_PREFIX}EXPORT_LIMIT", "30 per minute;300 per hour"),
        "PDF_EXPORT_LIMIT": env.get(f"{ENV_PREFIX}PDF_EXPORT_LIMIT", "6 per minute;60 per hour"),
        # failed sign-ins before one account's attempts wait 1 s, 2 s, 4 s … (at most the cap)
        "LOGIN_FREE_FAILURES": int(env.get(f"{ENV_PREFIX}LOGIN_FREE_FAILURES", "5")),
        "LOGIN_MAX_DELAY_SECONDS": int(env.get(f"{ENV_PREFIX}LOGIN_MAX_DELAY_SECONDS", "900")),
        "JSON_SORT_KEYS": False,
        "KNOWLEDGE_BASE": env.get(f"{ENV_PREFIX}KNOWLEDGE_BASE") or None,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(env, database_url),
        "FRAGMENT_CACHE_MB": float(env.get(f"{ENV_PREFIX}FRAGMENT_CACHE_MB", "32")),
    }
    if key := secret_setting(env, "ADVISOR_SECRET_KEY"):
        config["SECRET_KEY"] = key
    return config


class UnsafeConfiguration(RuntimeError):
    """Production mode found a setting that must not be used there; the message says which and why."""


def check_production(app: Flask, environ: Mapping[str, str] | None = None) -> None:
    """In production mode (ADVISOR_ENV=production), refuse to start with an unsafe configuration.

    Reads the resolved configuration (a secret key or URL from a ``_FILE`` counts like one set
    directly); the environment says whether production mode is on and how many processes run.
    """
    env = os.environ if environ is None else environ
    if env.get("ADVISOR_ENV", "").lower() != "production":
        return
    problems = []
    key = app.config.get("SECRET_KEY")
    if not key or isinstance(key, GeneratedSecretKey):
        problems.append(
            "ADVISOR_SECRET_KEY is not set: every instance needs the same explicit secret key"
            " (ADVISOR_SECRET_KEY_FILE naming a mounted secret file, or ADVISOR_SECRET_KEY)"
        )
    elif len(key) < 32:
        problems.append("ADVISOR_SECRET_KEY is shorter than 32 characters")
    if app.debug or env.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes"):
        problems.append("debug mode is on: it shows stack traces and runs an interactive debugger")
    instances = max(int(env.get("ADVISOR_INSTANCES", "1") or 1), int(env.get("WEB_CONCURRENCY", "1") or 1))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and instances > 1:
        problems.append(f"SQLite cannot be shared by {instances} instances or workers: use PostgreSQL")
    if str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://") and instances > 1:
        problems.append(
            f"ADVISOR_RATELIMIT_STORAGE_URL is memory://, so each of the {instances} instances or workers"
            " would count sign-in attempts on its own and the throttling multiplies:"
            " point every instance at one shared store, e.g. redis://advisor-redis:6379/0"
            " (ADVISOR_RATELIMIT_STORAGE_URL_FILE may name a file holding the URL with its password)"
        )
    if problems:
        raise UnsafeConfiguration("refusing to start in production mode:\n" + "\n".join(f"  - {p}" for p in problems))
