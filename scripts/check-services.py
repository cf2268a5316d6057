"""Fail fast when the environment does not match the backend a test pass declares (CI).

Checks, before pytest starts:
1. FACTCHECK_EXPECT_BACKEND, when set, agrees with the service variables: `sqlite` runs with no
   DATABASE_URL or REDIS_URL (nor a non-filesystem CELERY_BROKER_URL), `postgresql` with a
   postgres DATABASE_URL and a redis REDIS_URL. Under CI=true it must be set.
2. DATABASE_URL and REDIS_URL, when set, point at a service that answers.
The suite checks the same again from the inside (tests/test_services_wiring.py).
"""

import os
import socket
import sys
from urllib.parse import urlparse

BACKENDS = ("sqlite", "postgresql")


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 3
        ):
            return True
    except OSError:
        return False


def declaration_problems(env: dict[str, str]) -> list[str]:
    """What is wrong with the declared backend, given the environment (empty when fine)."""
    declared = env.get("FACTCHECK_EXPECT_BACKEND", "").strip()
    database, redis = env.get("DATABASE_URL", ""), env.get("REDIS_URL", "")
    if not declared:
        if env.get("CI") == "true":
            return [
                f"CI=true needs FACTCHECK_EXPECT_BACKEND ({' or '.join(BACKENDS)}); see .ci/run"
            ]
        return []
    if declared not in BACKENDS:
        return [f"FACTCHECK_EXPECT_BACKEND={declared!r} is not one of {', '.join(BACKENDS)}"]
    problems = []
    if declared == "sqlite":
        if database:
            problems.append(f"the SQLite pass inherited DATABASE_URL={database}")
        if redis:
            problems.append(f"the SQLite pass inherited REDIS_URL={redis}")
        broker = env.get("CELERY_BROKER_URL", "")
        if broker and not broker.startswith("filesystem"):
            problems.append(f"the SQLite pass inherited CELERY_BROKER_URL={broker}")
    else:
        if not database.startswith("postgres"):
            problems.append(f"the PostgreSQL pass has DATABASE_URL={database or '(unset)'}")
        if not redis.startswith("redis"):
            problems.append(f"the PostgreSQL pass has REDIS_URL={redis or '(unset)'}")
    return problems


def main() -> int:
    env = dict(os.environ)
    problems = declaration_problems(env)
    for name, port in (("DATABASE_URL", 5432), ("REDIS_URL", 6379)):
        url = env.get(name)
        if url and url.startswith(("postgres", "redis")) and not reachable(url, port):
            problems.append(f"not reachable: {name}={url}")
    if problems:
        print("Test services: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
