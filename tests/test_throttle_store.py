"""Sign-in throttling counts in one store shared by every process (issue 10, item 9).

Two app instances, each its own gunicorn as the image runs it, behind the same client address:
with the default memory:// each counts attempts on its own, so the limit multiplies with the
processes; with the Redis the manifests ship (its redis.conf, password from a file) they count
together. The limit is the per-address one, reached with wrong passwords, so the test holds
whether all attempts or only failures are counted.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from advisor.extensions import db
from tests.conftest import make_user
from tests.servers import Browser, Redis, app_environment, gunicorn, migrated_sqlite, redis_server

pytestmark = pytest.mark.timeout(180)

EMAIL = "someone@example.com"


def connect(store: Redis, password: str | None) -> redis.Redis:
    """A client that fails at once (redis-py retries with a backoff of seconds by default)."""
    return redis.Redis(port=store.port, password=password, retry=Retry(NoBackoff(), 0), socket_timeout=5)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    """Debian's redis-server with the manifests' redis.conf, on a free loopback port, nothing kept on disk."""
    with redis_server(tmp_path_factory.mktemp("redis"), secrets.token_hex(24)) as server:
        yield server


def three_wrong_passwords(tmp_path: Path, storage: dict[str, str]) -> tuple[list[int], str]:
    """Two instances on one database and key; wrong passwords at A, B, A: the statuses, and the servers' logs."""
    secret_key = secrets.token_hex(32)
    app, url = migrated_sqlite(tmp_path / "db", secret_key)
    make_user(app, EMAIL)
    with app.app_context():
        db.engine.dispose()
    env = app_environment(
        ADVISOR_DATABASE_URL=url,
        ADVISOR_SECRET_KEY=secret_key,
        ADVISOR_LOGIN_LIMIT_PER_ADDRESS="2 per minute",
        ADVISOR_LOGIN_LIMIT_PER_ACCOUNT="50 per minute",
        WEB_CONCURRENCY="1",
        **storage,
    )
    with ExitStack() as stack:
        a = stack.enter_context(gunicorn({**env, "ADVISOR_INSTANCE_PATH": str(tmp_path / "a")}, tmp_path, "a"))
        b = stack.enter_context(gunicorn({**env, "ADVISOR_INSTANCE_PATH": str(tmp_path / "b")}, tmp_path, "b"))
        browser = Browser()
        statuses = [browser.sign_in(server.base, EMAIL, "not the password at all") for server in (a, b, a)]
    return statuses, "\n".join(part for server in (a, b) for part in server.output())


def test_instances_share_the_sign_in_throttle_in_redis(tmp_path: Path, store: Redis) -> None:
    url_file = tmp_path / "ratelimit-storage-url"
    url_file.write_text(store.url + "\n", encoding="utf-8")  # as a mounted Secret holds it
    client = connect(store, store.password)
    client.flushall()
    statuses, logs = three_wrong_passwords(tmp_path, {"ADVISOR_RATELIMIT_STORAGE_URL_FILE": str(url_file)})
    assert all(s in (200, 401, 422) for s in statuses[:2]), (statuses, logs)
    assert statuses[2] == 429, f"the third attempt overall is refused, whichever instance takes it: {statuses}\n{logs}"
    assert client.keys("LIMITS*"), "the counters are in Redis"


def test_memory_storage_counts_per_process(tmp_path: Path) -> None:
    """Why production refuses memory:// with several processes: each lets the limit through again."""
    statuses, logs = three_wrong_passwords(tmp_path, {"ADVISOR_RATELIMIT_STORAGE_URL": "memory://"})
    assert all(s in (200, 401, 422) for s in statuses), (statuses, logs)


def test_the_store_needs_its_password(store: Redis) -> None:
    with pytest.raises(redis.AuthenticationError):
        connect(store, None).ping()
    with pytest.raises(redis.AuthenticationError):
        connect(store, "wrong").ping()
    assert connect(store, store.password).ping() is True


def test_the_store_keeps_nothing_on_disk(store: Redis) -> None:
    config = connect(store, store.password).config_get("*")
    assert config["save"] == ""
    assert config["appendonly"] == "no"
    assert config["maxmemory-policy"] == "volatile-ttl"
    assert int(config["maxmemory"]) == 48 * 2**20
