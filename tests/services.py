"""Real servers on 127.0.0.1 for tests: skipped with the reason when unreachable, but a failure
under CI=true (CI must not pass by skipping what it is meant to test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_USERS = ("postgres", "root")
POSTGRES_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1:5432")
POSTGRES_DB = os.environ.get("TEST_POSTGRES_DB", "test")


def unavailable(what: str, reason: str) -> None:
    message = f"{what} is not reachable ({reason})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI needs it, so this is a failure, not a skip.")
    pytest.skip(message)


def postgres_base_url() -> str:
    """The URL of the test database for the first user that can connect, or skip/fail."""
    errors = []
    for user in POSTGRES_USERS:
        url = f"postgresql://{user}@{POSTGRES_HOST}/{POSTGRES_DB}"
        why = postgres_unreachable(url)
        if why is None:
            return url
        errors.append(f"{user}: {why}")
    unavailable(f"PostgreSQL at {POSTGRES_HOST}/{POSTGRES_DB}", "; ".join(errors))
    raise AssertionError("unreachable")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new, empty schema (dropped afterwards), so tests never see
    each other's threads."""
    with fresh_schema(postgres_base_url()) as url:
        yield url


@contextmanager
def fresh_schema(base: str, prefix: str = "test") -> Iterator[str]:
    """`base` (a PostgreSQL URL) on a new, empty schema, dropped afterwards (tests and benchmarks)."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_unreachable(url: str) -> str | None:
    """Why `url` cannot be used (one line), or None when it answers: for benchmarks, which report and
    go on rather than skip."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = REDIS_URL) -> str:
    try:
        import redis
    except ImportError:
        unavailable("redis-py", "not installed: the memory extra")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {url}", str(exc))
    return url
