"""Real servers on 127.0.0.1 for tests: skip with a reason when one is unreachable, except under
CI=true, where a missing server is a failure (a green CI must not hide a skipped backend)."""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def require_redis(url: str = REDIS_URL) -> str:
    try:
        import redis
    except ImportError:
        unavailable("redis-py is not installed (the memory extra)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {url} is unreachable: {exc}")
    return url
