"""Configuration from ``ADVISOR_*`` environment variables, with safe defaults."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "ADVISOR_"
SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _engine_options(env: Mapping[str, str]) -> dict[str, Any]:
    """Connection pool settings; pre-ping replaces connections a database restart has broken."""
    url = env.get(f"{ENV_PREFIX}DATABASE_URL") or ""
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
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def from_environment(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings read from the environment; a test or caller may override any of them."""
    env = os.environ if environ is None else environ
    https = _flag(env.get(f"{ENV_PREFIX}HTTPS"))
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": env.get(f"{ENV_PREFIX}DATABASE_URL") or _sqlite_url(instance_path),
        "MAX_CONTENT_LENGTH": int(env.get(f"{ENV_PREFIX}MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=float(env.get(f"{ENV_PREFIX}SESSION_HOURS", "8"))),
        "PROXY_FIX": int(env.get(f"{ENV_PREFIX}PROXY_FIX", "0")),
        "RATELIMIT_STORAGE_URI": env.get(f"{ENV_PREFIX}RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_ADDRESS": env.get(f"{ENV_PREFIX}LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per day"),
        "LOGIN_LIMIT_PER_ACCOUNT": env.get(f"{ENV_PREFIX}LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;50 per day"),
        "JSON_SORT_KEYS": False,
        "KNOWLEDGE_BASE": env.get(f"{ENV_PREFIX}KNOWLEDGE_BASE") or None,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(env),
        "FRAGMENT_CACHE_MB": float(env.get(f"{ENV_PREFIX}FRAGMENT_CACHE_MB", "32")),
    }
    if key := env.get(f"{ENV_PREFIX}SECRET_KEY"):
        config["SECRET_KEY"] = key
    return config
